"""The profit & loss's write-offs and expenses come from daily summaries kept in the posting
transaction; they always equal fresh sums of the counts, scrapped returns and expenses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from documents import lifecycle
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.services import CountLineInput, create_stock_count
from reporting import summaries
from reporting.models import ExpenseDay, WriteOffDay
from reporting.periods import Period
from reporting.reports import profit_loss
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import SalesReturnLineInput, create_sales_return

pytestmark = pytest.mark.django_db
D = Decimal


def kept():
    return (
        sorted(
            ExpenseDay.objects.exclude(amount=0, expenses=0).values_list("date", "category__code", "amount")
        ),
        sorted(
            WriteOffDay.objects.exclude(count_write_offs=0, scrapped=0).values_list(
                "date", "count_write_offs", "scrapped"
            )
        ),
    )


def test_counts_scrapped_returns_and_expenses_are_summed_by_day_through_posting_and_cancelling(
    plant, staff_user, manager_user
):
    today = timezone.localdate()
    back = today - timedelta(days=6)  # entered today, dated a week ago
    plant.buy(staff_user, (plant.bottle, 100, "3.00"), date=back - timedelta(days=1))
    bill = plant.sell(staff_user, (plant.bottle, 40, "5.00"), date=back)
    power = ExpenseCategory.objects.get(code="power")
    spent = record_expense(
        by=staff_user, category=power, amount=D("300.00"), input_tax=D("54.00"), method="cash", date=back
    )
    record_expense(by=staff_user, category=power, amount=D("20.00"), method="bank", date=back)
    count = create_stock_count(
        by=manager_user, lines=[CountLineInput(item=plant.bottle, quantity=57)], date=today, submit=True
    )  # 60 on hand: 3 lost at 3.00
    scrapped = create_sales_return(
        by=staff_user,
        sale=bill,
        lines=[
            SalesReturnLineInput(
                bill.lines.get(),
                5,
                Disposition.SCRAP,
                ReturnReason.BURST,
                scrap_item=plant.scrap,
                scrap_value=D("0.50"),
            )
        ],
        settlement=Settlement.CREDIT,
        submit=True,
    )
    assert kept() == (
        [(back, "power", D("320.00"))],
        [(today, D("9.00"), D("15.00") - D("0.50"))],
    )
    assert summaries.differences() == []
    figures = profit_loss.totals(Period(back, today))
    assert (figures["expenses"], figures["count_write_offs"], figures["scrapped"]) == (
        D("320.00"),
        D("9.00"),
        D("14.50"),
    )
    by_day = profit_loss.build(Period(back, today), group="day").table("by_period").rows
    assert {r["starts"]: r["expenses"] for r in by_day if r["expenses"]} == {back: D("320.00")}

    for document in (scrapped, count, spent):
        lifecycle.cancel(document=document, by=manager_user, reason="entered wrongly")
        assert summaries.differences() == []
    assert kept() == ([(back, "power", D("20.00"))], [])
    assert profit_loss.totals(Period(back, today))["scrapped"] == D("0.00")


def test_a_wrong_expense_or_write_off_row_is_reported_and_rebuilt(plant, staff_user, manager_user):
    today = timezone.localdate()
    plant.buy(staff_user, (plant.bottle, 10, "3.00"))
    record_expense(
        by=staff_user,
        category=ExpenseCategory.objects.get(code="wages"),
        amount=D("50.00"),
        method="cash",
        date=today,
    )
    create_stock_count(
        by=manager_user, lines=[CountLineInput(item=plant.bottle, quantity=9)], date=today, submit=True
    )
    posted = kept()
    ExpenseDay.objects.update(amount=D("51.00"))
    WriteOffDay.objects.update(count_write_offs=D("0"))
    found = summaries.differences()
    assert (
        len(found) == 2 and any("expenseday" in p for p in found) and any("writeoffday" in p for p in found)
    )
    summaries.rebuild()
    assert kept() == posted and summaries.differences() == []
