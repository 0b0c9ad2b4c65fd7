"""Names that say the state: an unposted document never shows a number that looks like a posted one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from documents import lifecycle
from documents.models import document_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(plant, manager_user):
    for _ in range(3):  # each purchase below the approval limit
        plant.buy(manager_user, (plant.bottle, 1000, "3.00"))
    return plant


def test_each_state_has_its_own_name_and_only_posted_ones_a_number(stocked, staff_user, manager_user):
    draft = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    pending = stocked.sell(staff_user, (stocked.bottle, 1100, "5.00"))
    posted = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    rejected = stocked.sell(staff_user, (stocked.bottle, 1001, "5.00"))
    lifecycle.reject(document=rejected, by=manager_user, reason="Wrong customer")
    rejected.refresh_from_db()
    assert draft.display_name == f"Draft bill, ref. {draft.pk}"
    assert pending.display_name == f"Bill awaiting approval, ref. {pending.pk}"
    assert rejected.display_name == f"Rejected bill, ref. {rejected.pk}"
    assert posted.display_name == f"Bill {posted.number}"
    assert posted.display_number == posted.number
    assert draft.display_number == draft.display_name == str(draft)


def test_other_document_types_use_their_own_noun():
    assert document_name(noun="purchase", status="pending", number=None, pk=7) == (
        "Purchase awaiting approval, ref. 7"
    )
    assert document_name(noun="production run", status="draft", number=None, pk=3) == (
        "Draft production run, ref. 3"
    )


def test_the_page_the_list_and_the_queue_show_the_state_name(stocked, staff_user, manager_client):
    pending = stocked.sell(staff_user, (stocked.bottle, 1100, "5.00"))
    draft = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    page = manager_client.get(reverse("sales:bill-detail", args=[pending.pk])).content.decode()
    listing = manager_client.get(reverse("sales:bill-list")).content.decode()
    queue = manager_client.get(reverse("documents:approvals")).content.decode()
    assert f"<h1>Bill awaiting approval, ref. {pending.pk} " in page
    assert f"Bill awaiting approval, ref. {pending.pk}</a>" in listing
    assert f"Draft bill, ref. {draft.pk}</a>" in listing
    assert f"Bill awaiting approval, ref. {pending.pk}</a>" in queue
    for body in (page, listing, queue):
        assert not re.search(r"#\d", body)
