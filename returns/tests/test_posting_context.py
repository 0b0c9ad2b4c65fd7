"""Returns follow the kernel: one PostingContext per posting, one submit service for every way in,
and credit notes kept in every customer summary (the monthly one too)."""

from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from rest_framework.test import APIClient

from documents import lifecycle
from documents.lifecycle import PostingContext
from reporting import summaries
from reporting.models import CustomerBalance, SalesCustomerMonth
from returns.models import Disposition, ReturnReason, SalesReturn, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from returns.tests.test_views import return_data

pytestmark = pytest.mark.django_db
D = Decimal
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


@pytest.fixture
def bill(plant, manager_user):
    plant.buy(manager_user, (plant.preform, 100, "2.00"), (plant.bottle, 40, "3.00"))
    return plant.sell(manager_user, (plant.preform, 40, "2.50"), (plant.bottle, 10, "5.00"))


def test_a_credit_note_hands_observers_its_lines_and_the_balances_locked_for_it(
    plant, bill, staff_user, observed
):
    preforms, bottles = bill.lines.get(item=plant.preform), bill.lines.get(item=plant.bottle)
    observed.clear()
    made = create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[
            SalesReturnLineInput(preforms, 4),
            SalesReturnLineInput(bottles, 2, Disposition.SCRAP, ReturnReason.BURST, plant.scrap, D("0.30")),
        ],
        submit=True,
    )
    (posting,) = observed
    assert (posting.document, posting.by, posting.sign) == (made, staff_user, lifecycle.POST)
    assert [(line.item_id, line.quantity, line.amount) for line in posting.lines] == [
        (plant.preform.pk, 4, D("10.00")),
        (plant.bottle.pk, 2, D("10.00")),
    ]
    # Restocked goods lock their own item; scrapped ones the scrap item they are received as.
    assert sorted(posting.balances) == sorted([plant.preform.pk, plant.scrap.pk])
    assert posting.balances[plant.preform.pk].quantity == 64
    assert posting.balances[plant.scrap.pk].quantity == 2
    assert not LEFT_ON_INSTANCES & set(vars(made))  # nothing rides on the model instance


def test_a_debit_note_from_storage_reads_its_lines_once_into_the_context(plant, staff_user, observed):
    purchase = plant.buy(staff_user, (plant.cap, 50, "0.50"))
    draft = create_purchase_return(
        by=staff_user, purchase=purchase, lines=[PurchaseReturnLineInput(purchase.lines.get(), 20)]
    )
    observed.clear()
    lifecycle.submit(document=draft, by=staff_user)
    (posting,) = observed
    assert [(line.item_id, line.quantity) for line in posting.lines] == [(plant.cap.pk, 20)]
    assert posting.balances[plant.cap.pk].quantity == 30
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


def test_every_way_to_submit_a_return_goes_through_the_one_submit_service(
    plant, bill, staff_user, staff_client, submits
):
    staff_api = APIClient()
    staff_api.force_authenticate(staff_user)
    preforms = bill.lines.get(item=plant.preform)
    create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 1)], submit=True)
    draft = create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 1)])
    staff_client.post(reverse("returns:sales-return-action", args=[draft.pk, "submit"]))  # the button
    other = create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 1)])
    assert staff_api.post(f"/api/v1/sales-returns/{other.pk}/submit/").status_code == 200
    edited = create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 1)])
    response = staff_client.post(  # changed and submitted from its form, in one transaction
        reverse("returns:sales-return-edit", args=[edited.pk]), return_data(bill, (preforms, 2, "restock"))
    )
    assert response.status_code == 302
    assert submits == [
        ("SalesReturn", "locked"),
        ("SalesReturn", "stored"),
        ("SalesReturn", "stored"),
        ("SalesReturn", "locked"),
    ]
    assert set(SalesReturn.objects.values_list("status", flat=True)) == {"posted"}


def test_a_refused_submit_from_the_edit_form_leaves_the_draft_as_it_was(
    plant, bill, staff_user, staff_client
):
    preforms = bill.lines.get(item=plant.preform)
    draft = create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 3)])
    create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(preforms, 38)], submit=True)
    response = staff_client.post(
        reverse("returns:sales-return-edit", args=[draft.pk]), return_data(bill, (preforms, 5, "restock"))
    )
    assert response.status_code == 400
    assert "PF-500: 40 sold, 38 already returned, 5 requested." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, [line.quantity for line in draft.lines.all()]) == ("draft", [3])


def test_a_credit_note_is_taken_off_the_customers_month_and_a_wrong_month_row_is_reported(
    plant, bill, staff_user, manager_user
):
    preforms = bill.lines.get(item=plant.preform)
    refunded = create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[SalesReturnLineInput(preforms, 8)],
        settlement=Settlement.REFUND,
        refund_method="cash",
        submit=True,
    )
    month = SalesCustomerMonth.objects.get(customer=plant.customer)
    # The bill: 50 units for 150.00; the credit note: 8 preforms for 20.00, refunded.
    assert (month.bills, month.quantity, month.revenue, month.paid) == (1, 42, D("130.00"), D("-20.00"))
    assert month.cogs == bill.cost - refunded.cost
    balance = CustomerBalance.objects.get(customer=plant.customer)
    assert (balance.billed, balance.paid) == (D("130.00"), D("-20.00"))
    assert summaries.differences() == []

    columns = ("month", "customer_id", "bills", "quantity", "revenue", "cogs", "paid")
    before = sorted(SalesCustomerMonth.objects.values_list(*columns))
    summaries.rebuild()
    assert sorted(SalesCustomerMonth.objects.values_list(*columns)) == before

    SalesCustomerMonth.objects.update(revenue=F("revenue") + 1)
    (problem,) = summaries.differences()
    assert SalesCustomerMonth._meta.db_table in problem
    SalesCustomerMonth.objects.update(revenue=F("revenue") - 1)

    lifecycle.cancel(document=refunded, by=manager_user, reason="entered against the wrong bill")
    month = SalesCustomerMonth.objects.get(customer=plant.customer)
    assert (month.quantity, month.revenue, month.paid) == (50, D("150.00"), D("0.00"))
    assert summaries.differences() == []
