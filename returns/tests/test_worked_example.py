"""A bill, a partial return to stock, one scrapped, a refund and a credit; a purchase and its
returns to the supplier — every figure worked out by hand, to the paisa."""

from decimal import Decimal

import pytest
from django.utils import timezone

from documents.numbering import financial_year_label
from inventory.models import Item, ItemKind, StockBalance
from inventory.verification import verify_ledger
from reporting import summaries
from reporting.periods import Period
from reporting.reports import profit_loss
from returns import selectors
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from sales import selectors as sales_selectors
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


def balance(item):
    b = StockBalance.objects.get(item=item)
    return b.quantity, b.value


def test_a_bill_returned_partly_to_stock_and_partly_to_scrap_gives_exact_figures(plant, staff_user):
    # Bottles at two prices: 90 for 273.40 (average 3.0377…).
    plant.buy(staff_user, (plant.bottle, 70, "3.00"), (plant.bottle, 20, "3.17"))
    bill = plant.sell(staff_user, (plant.bottle, 40, "5.00", "10.00"))
    line = bill.lines.get()
    assert (bill.total, line.cost) == (D("190.00"), D("121.51"))  # 273.40 × 40 / 90 = 121.511…
    record_payment(by=staff_user, customer=plant.customer, amount=D("100.00"), method="cash", sale=bill)

    # 15 came back the wrong item: into stock, refunded in cash.
    refund = create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[SalesReturnLineInput(line, 15, Disposition.RESTOCK, ReturnReason.WRONG_ITEM)],
        settlement=Settlement.REFUND,
        refund_method="cash",
        submit=True,
    )
    year = financial_year_label(refund.date)
    assert (refund.status, refund.number) == ("posted", f"CN/{year}/00001")
    # 190 × 15/40 = 71.25; discount 10 × 15/40 = 3.75; cost 121.51 × 15/40 = 45.566… → 45.57
    assert (refund.total, refund.refund, refund.cost) == (D("71.25"), D("71.25"), D("45.57"))
    assert balance(plant.bottle) == (65, D("197.46"))  # 50 left at 151.89, + 15 back at 45.57

    # 5 burst: scrapped to regrind at 0.50, a credit on account. Shares are cumulative, so the
    # two returns carry exactly half the line: 95.00, 5.00 discount, 121.51 × 20/40 = 60.76 cost.
    credit = create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[
            SalesReturnLineInput(
                line, 5, Disposition.SCRAP, ReturnReason.BURST, scrap_item=plant.scrap, scrap_value=D("0.50")
            )
        ],
        settlement=Settlement.CREDIT,
        submit=True,
    )
    credit_line = credit.lines.get()
    assert credit.number == f"CN/{year}/00002"
    assert (credit.total, credit.refund, credit.cost) == (D("23.75"), D("0.00"), D("15.19"))
    assert (credit_line.amount, credit_line.discount, credit_line.cost) == (D("23.75"), D("1.25"), D("15.19"))
    assert balance(plant.bottle) == (65, D("197.46"))  # scrapped bottles do not come back
    assert balance(plant.scrap) == (5, D("0.50"))

    # Owed: bills 190 − payments 100 − credit notes 95 + refunds 71.25 = 66.25.
    assert sales_selectors.customer_outstanding(plant.customer) == D("66.25")
    assert sales_selectors.bill_outstanding(bill) == D("66.25")
    assert sales_selectors.total_outstanding() == D("66.25")
    listed = sales_selectors.bills_with_payments().get(pk=bill.pk)
    assert listed.outstanding == D("66.25")

    # Gross profit: revenue 190 − 95 = 95; COGS 121.51 − 45.57 − 15.19 = 60.75; the scrapped
    # bottles' cost less the regrind is a write-off (15.19 − 0.50), not COGS.
    today = timezone.localdate()
    figures = profit_loss.totals(Period(today, today))
    assert (figures["quantity"], figures["discount"], figures["revenue"], figures["cogs"]) == (
        20,
        D("5.00"),
        D("95.00"),
        D("60.75"),
    )
    assert figures["gross_profit"] == D("34.25")
    assert selectors.scrapped_cost(today, today) == D("14.69")
    assert [(r.date, r.method, r.amount, r.document) for r in selectors.refunds_between(today, today)] == [
        (today, "cash", D("71.25"), refund.number)
    ]
    # Stock value 197.46 bottles + 0.50 regrind; 34.25 − 14.69 = 19.56 is what the plant made:
    # 100 − 71.25 cash kept + 66.25 owed − 273.40 bought + 198.46 still in stock − 0.50 = 19.56.
    assert D("28.75") + D("66.25") - D("273.40") + D("197.46") + D("0.50") == D("19.56")

    assert verify_ledger() == []
    assert summaries.differences() == []


def test_a_purchase_returned_to_the_supplier_in_two_parts_leaves_nothing_behind(plant, staff_user):
    purchase = plant.buy(staff_user, (plant.preform, 1000, "2.1234"))
    assert purchase.total == D("2123.40")
    line = purchase.lines.get()

    first = create_purchase_return(
        by=staff_user, purchase=purchase, lines=[PurchaseReturnLineInput(line, 250)], submit=True
    )
    assert (first.status, first.number, first.total) == (
        "posted",
        f"DN/{financial_year_label(first.date)}/00001",
        D("530.85"),
    )
    assert balance(plant.preform) == (750, D("1592.55"))
    assert selectors.debit_notes_total(plant.supplier) == D("530.85")

    rest = create_purchase_return(
        by=staff_user, purchase=purchase, lines=[PurchaseReturnLineInput(line, 750)], submit=True
    )
    assert rest.total == D("1592.55")  # the rest of the line exactly, whatever the rounding
    assert balance(plant.preform) == (0, D("0.00"))
    assert selectors.debit_notes_total(plant.supplier) == D("2123.40")
    assert verify_ledger() == []
    assert summaries.differences() == []


def test_scrap_item_must_be_a_scrap_item(plant, staff_user):
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 10, "5.00"))
    other = Item.objects.create(sku="X-1", name="Not scrap", kind=ItemKind.OTHER)
    from core.errors import InvalidDocument

    with pytest.raises(InvalidDocument) as refused:
        create_sales_return(
            by=staff_user,
            sale=bill,
            lines=[SalesReturnLineInput(bill.lines.get(), 1, Disposition.SCRAP, scrap_item=other)],
            submit=True,
        )
    assert refused.value.lines[0]["scrap_item"] == ["X-1 is not an active scrap item."]
