"""Closed periods over the API: Managers close, the Owner reopens the latest, Staff see nothing."""

import logging
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import ClosedPeriod

pytestmark = pytest.mark.django_db

URL = "/api/v1/periods/"


@pytest.fixture
def last_month_end():
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def test_a_manager_closes_a_period_and_everyone_who_may_reads_it(manager_api, owner_api, last_month_end):
    created = manager_api.post(
        URL, {"through": last_month_end.isoformat(), "note": "month end"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body | {"id": 0, "closed_at": ""} == {
        "id": 0,
        "through": last_month_end.isoformat(),
        "note": "month end",
        "closed_by": "mia_manager",
        "closed_at": "",
        "reopened_by": None,
        "reopened_at": None,
        "reopen_reason": "",
    }
    listed = owner_api.get(URL).json()
    assert [p["through"] for p in listed["results"]] == [last_month_end.isoformat()]
    assert owner_api.get(f"{URL}{body['id']}/").json()["closed_by"] == "mia_manager"


def test_closing_a_period_that_has_not_ended_is_a_400_on_through(manager_api):
    response = manager_api.post(URL, {"through": timezone.localdate().isoformat()}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"through": ["Only a period that has ended can be closed."]}
    assert not ClosedPeriod.objects.exists()


def test_a_close_sent_twice_with_one_idempotency_key_answers_the_same(manager_api, last_month_end):
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    body = {"through": last_month_end.isoformat()}
    first = manager_api.post(URL, body, format="json", **headers)
    second = manager_api.post(URL, body, format="json", **headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert ClosedPeriod.objects.count() == 1


def test_staff_may_not_read_and_the_owner_may_not_close(staff_api, owner_api, last_month_end):
    assert staff_api.get(URL).status_code == 403
    assert owner_api.post(URL, {"through": last_month_end.isoformat()}, format="json").status_code == 403
    assert not ClosedPeriod.objects.exists()


def test_the_owner_reopens_the_latest_close_with_a_reason(
    manager_api, owner_api, manager_user, last_month_end, caplog
):
    period = manager_api.post(URL, {"through": last_month_end.isoformat()}, format="json").json()
    reopen = f"{URL}{period['id']}/reopen/"
    assert manager_api.post(reopen, {"reason": "late bill"}, format="json").status_code == 403
    blank = owner_api.post(reopen, {"reason": ""}, format="json")
    assert (blank.status_code, blank.json()["error"]["fields"]) == (400, {"reason": ["Give a reason."]})
    with caplog.at_level(logging.INFO, logger="bottleworks.audit"):
        reopened = owner_api.post(reopen, {"reason": "late bill"}, format="json")
    assert reopened.status_code == 200
    assert (reopened.json()["reopened_by"], reopened.json()["reopen_reason"]) == ("olga_owner", "late bill")
    assert "reopened period through" in caplog.text
    again = owner_api.post(reopen, {"reason": "late bill"}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "refused")
