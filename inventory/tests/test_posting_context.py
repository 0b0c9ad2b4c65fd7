"""What a posting needs travels as one PostingContext; every way to submit goes through one service."""

import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from documents import lifecycle
from documents.lifecycle import PostingContext
from purchasing.models import Purchase
from sales.models import Sale
from sales.services import SaleLineInput, create_sale

pytestmark = pytest.mark.django_db

LEFT_ON_INSTANCES = {"posting_lines", "locked_balances", "_posting_lines", "_held_balances", "held_lines"}


class Recorder:
    """A posting observer, registered once through the public hook; records only while a test asks."""

    seen: list[PostingContext] | None = None

    @classmethod
    def observe(cls, posting: PostingContext) -> None:
        if cls.seen is not None:
            cls.seen.append(posting)


@pytest.fixture
def observed():
    lifecycle.observe_postings(Recorder.observe)  # a repeat registration is ignored
    Recorder.seen = []
    yield Recorder.seen
    Recorder.seen = None


def test_observers_get_the_posting_context_with_its_lines_and_locked_balances(plant, staff_user, observed):
    plant.buy(staff_user, (plant.bottle, 20, "3.00"), (plant.cap, 10, "0.50"))
    observed.clear()
    sale = create_sale(
        by=staff_user,
        customer=plant.customer,
        lines=[SaleLineInput(plant.bottle, 2, Decimal("5.00")), SaleLineInput(plant.cap, 1, Decimal("1.00"))],
        submit=True,
    )
    (posting,) = observed
    assert isinstance(posting, PostingContext)
    assert (posting.document, posting.by, posting.sign) == (sale, staff_user, lifecycle.POST)
    assert [(line.item_id, line.cost) for line in posting.lines] == [
        (plant.bottle.pk, Decimal("6.00")),
        (plant.cap.pk, Decimal("0.50")),
    ]
    # The balances locked for the posting, as they stand after it.
    assert sorted(posting.balances) == sorted([plant.bottle.pk, plant.cap.pk])
    assert posting.balances[plant.bottle.pk].quantity == 18
    with pytest.raises(dataclasses.FrozenInstanceError):
        posting.sign = -1
    assert not LEFT_ON_INSTANCES & set(vars(sale))  # nothing rides on the model instance


def test_a_cancellation_hands_observers_a_context_with_the_negative_sign(
    plant, staff_user, manager_user, observed
):
    plant.buy(manager_user, (plant.bottle, 5, "3.00"))
    purchase = Purchase.objects.get()
    observed.clear()
    lifecycle.cancel(document=purchase, by=manager_user, reason="entered twice")
    (posting,) = observed
    assert (posting.document.pk, posting.sign, posting.by) == (purchase.pk, lifecycle.CANCEL, manager_user)


def test_a_draft_posted_from_storage_reads_its_lines_once_into_the_context(plant, staff_user, observed):
    draft = plant.buy(staff_user, (plant.bottle, 3, "2.00"), (plant.cap, 4, "0.25"), submit=False)
    observed.clear()
    lifecycle.submit(document=draft, by=staff_user)
    (posting,) = observed
    assert sorted(line.item_id for line in posting.lines) == sorted([plant.bottle.pk, plant.cap.pk])
    assert not LEFT_ON_INSTANCES & set(vars(posting.document))


@pytest.fixture
def submits(monkeypatch):
    """Every call of the one submit service, as (model name, how the document started)."""
    calls = []
    real = lifecycle.submit

    def spy(**kwargs):
        start = "new" if kwargs.get("write") else "locked" if kwargs.get("locked") else "stored"
        calls.append((type(kwargs["document"]).__name__, start))
        return real(**kwargs)

    monkeypatch.setattr(lifecycle, "submit", spy)
    return calls


def test_every_way_to_submit_goes_through_the_one_submit_service(plant, staff_user, staff_client, submits):
    staff_api = APIClient()
    staff_api.force_authenticate(staff_user)
    plant.buy(staff_user, (plant.bottle, 50, "3.00"))  # a purchase created and submitted at once
    plant.sell(staff_user, (plant.bottle, 1, "5.00"))  # a bill stored once, already posted
    draft = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    staff_client.post(reverse("sales:bill-action", args=[draft.pk, "submit"]))  # the web's button
    other = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    assert staff_api.post(f"/api/v1/sales/{other.pk}/submit/").status_code == 200  # the API's action
    assert submits == [("Purchase", "locked"), ("Sale", "new"), ("Sale", "stored"), ("Sale", "stored")]
    assert set(Sale.objects.values_list("status", flat=True)) == {"posted"}


def test_only_a_type_that_posts_unsaved_documents_is_stored_by_the_submit(plant, staff_user):
    purchase = Purchase(supplier=plant.supplier, created_by=staff_user)
    with pytest.raises(RuntimeError, match="stored as drafts first"):
        lifecycle.submit(document=purchase, by=staff_user, write=lambda posting: None)
    assert Purchase.objects.count() == 0
