"""One reading of history rows: the document page, the audit trail and the API tell the same story."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core import history
from documents import lifecycle

pytestmark = pytest.mark.django_db


def test_the_page_the_audit_trail_and_the_api_read_one_history(
    plant, staff_user, manager_user, manager_client
):
    draft = plant.buy(staff_user, (plant.cap, 5, "1.00"), submit=False)
    lifecycle.submit(document=draft, by=staff_user)

    entries = history.history_of(draft)
    assert [e.action for e in entries] == ["created", "changed"]
    status = entries[1].change_of("status")
    assert (status.old, status.new, status.shown(status.old), status.label) == (
        "draft",
        "posted",
        "Draft",
        "status",
    )
    assert entries[0].change_of("number") is None  # a draft is created without a number

    page = manager_client.get(reverse("purchasing:purchase-detail", args=[draft.pk]))
    assert [row["what"] for row in page.context["history"]] == ["Draft → Posted", "Created"]

    audit = manager_client.get(reverse("accounts:audit"), {"model": "purchasing.purchase"}).context["entries"]
    changed = next(e for e in audit if e["record"].history_type == "~")
    assert [label for label, old, new in changed["changes"]] == [c.label for c in entries[1].changes]
    assert ("status", "draft", "posted") in changed["changes"]

    api = APIClient()
    api.force_authenticate(manager_user)
    told = api.get(f"/api/v1/purchases/{draft.pk}/history/").json()
    assert [e["action"] for e in told] == ["created", "changed"]
    assert [c["field"] for c in told[1]["changes"]] == [c.name for c in entries[1].changes]
    assert {"field": "status", "old": "draft", "new": "posted"} in told[1]["changes"]
