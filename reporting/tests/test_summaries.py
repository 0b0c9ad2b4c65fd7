"""The daily summaries always equal fresh sums of the ledger, bills and payments."""

from decimal import Decimal

import pytest

from documents import lifecycle
from production.services import RejectLine, create_run
from reporting import ageing, summaries
from reporting.models import BillOutstanding, CustomerBalance, SalesItemDay, StockDay
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal


def test_summaries_follow_posting_payment_and_cancelling(plant, staff_user, manager_user):
    plant.buy(staff_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"))
    create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=900,
        machine="BM-1",
        shift="day",
        rejects=[RejectLine("burst", 10)],
        conversion_cost=D("90.00"),
        submit=True,
    )
    kept = plant.sell(staff_user, (plant.bottle, 300, "6.00", "10.00"))
    dropped = plant.sell(staff_user, (plant.bottle, 100, "6.00"))
    record_payment(by=staff_user, customer=plant.customer, amount=D("500.00"), method="cash", sale=kept)
    lifecycle.cancel(document=dropped, by=manager_user, reason="wrong customer")

    assert summaries.differences() == []
    day = SalesItemDay.objects.get(item=plant.bottle)
    assert (day.quantity, day.revenue, day.discount) == (300, D("1790.00"), D("10.00"))
    balance = CustomerBalance.objects.get(customer=plant.customer)
    assert (balance.billed, balance.paid) == (D("1790.00"), D("500.00"))
    reversal = StockDay.objects.get(item=plant.bottle, kind="reversal")
    assert reversal.quantity == 100


def test_rebuild_gives_the_same_rows_as_posting_kept(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    before = sorted(StockDay.objects.values_list("date", "item_id", "kind", "quantity", "value"))
    summaries.rebuild()
    after = sorted(StockDay.objects.values_list("date", "item_id", "kind", "quantity", "value"))
    assert before == after and len(after) == 1
    assert summaries.differences() == []


def test_a_wrong_summary_row_is_reported(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 10, "2.00"))
    StockDay.objects.update(quantity=11)
    assert len(summaries.differences()) == 1


def test_customer_sums_from_months_and_days_equal_the_daily_rows_over_any_period(month):
    # The month fixture's bills, payments and a cancellation run from 40 days ago to today, across
    # at least one month's end: every way a period can cut a month must read the same sums, whether
    # a part of a month is read as its days or as the month less the other days.
    from datetime import timedelta

    from django.db.models import Sum
    from django.utils import timezone

    from reporting.models import SalesCustomerDay, SalesCustomerMonth
    from reporting.reports.customers import SUMS, customer_sums

    assert summaries.differences() == []
    assert SalesCustomerMonth.objects.count() >= 2
    today = timezone.localdate()
    first = today.replace(day=1)
    edges = {today, first, first - timedelta(days=1), (first - timedelta(days=1)).replace(day=1)}
    edges |= {today - timedelta(days=n) for n in (1, 2, 20, 27, 33, 40, 41, 60)}
    for start in edges:
        for end in [*edges, None]:
            if end is not None and end < start:
                continue
            rows = SalesCustomerDay.objects.filter(date__gte=start)
            if end is not None:
                rows = rows.filter(date__lte=end)
            expected = {
                row.pop("customer_id"): row
                for row in rows.values("customer_id").annotate(**{f: Sum(f) for f in SUMS}).order_by()
                if any(row[f] for f in SUMS)
            }
            assert customer_sums(start, end) == expected, (start, end)


def _bill_rows() -> dict[int, Decimal]:
    return dict(BillOutstanding.objects.values_list("sale_id", "outstanding"))


def test_each_bills_outstanding_follows_payments_credit_notes_refunds_and_cancelling(
    plant, staff_user, manager_user
):
    from datetime import timedelta

    from django.utils import timezone

    from returns.services import SalesReturnLineInput, create_sales_return
    from sales.selectors import bill_outstanding

    today = timezone.localdate()
    plant.buy(staff_user, (plant.bottle, 1000, "3.00"), date=today - timedelta(days=50))
    paid = plant.sell(staff_user, (plant.bottle, 300, "6.00", "10.00"), date=today - timedelta(days=40))
    credited = plant.sell(staff_user, (plant.bottle, 100, "6.00"), date=today - timedelta(days=35))
    dropped = plant.sell(staff_user, (plant.bottle, 50, "6.00"))
    record_payment(by=staff_user, customer=plant.customer, amount=D("500.00"), method="cash", sale=paid)
    taken_back = record_payment(
        by=staff_user, customer=plant.customer, amount=D("100.00"), method="cash", sale=paid
    )
    lifecycle.cancel(document=taken_back, by=manager_user, reason="bounced")
    (line,) = credited.lines.all()
    create_sales_return(  # a credit note, back-dated, takes its total off the bill
        by=staff_user,
        sale=credited,
        lines=[SalesReturnLineInput(line, 30)],
        submit=True,
        date=today - timedelta(days=10),
    )
    create_sales_return(  # refunded in cash: the bill is owed what it was before
        by=staff_user,
        sale=credited,
        lines=[SalesReturnLineInput(line, 20)],
        submit=True,
        settlement="refund",
        refund_method="cash",
    )
    lifecycle.cancel(document=dropped, by=manager_user, reason="wrong customer")

    assert summaries.differences() == []
    rows = _bill_rows()
    assert rows == {paid.pk: D("1290.00"), credited.pk: D("420.00")}  # the cancelled bill has none
    assert rows == {bill.pk: bill_outstanding(bill) for bill in (paid, credited)}
    summaries.rebuild()
    assert _bill_rows() == rows
    # Ageing at any date from the kept figure equals the one from every bill, payment and credit note.
    for days_ago in (0, 5, 12, 36, 45):
        day = today - timedelta(days=days_ago)
        assert ageing.receivables_per_customer(day) == ageing.receivables_from_rows(day), days_ago
    assert ageing.receivables_per_customer(today)[plant.customer.pk]["days_31_60"] == D("1710.00")


def test_a_credit_note_takes_its_bill_out_of_the_receivables_ageing(plant, staff_user):
    from django.utils import timezone

    from reporting.reports import customers
    from returns.services import SalesReturnLineInput, create_sales_return

    plant.buy(staff_user, (plant.bottle, 100, "3.00"))
    bill = plant.sell(staff_user, (plant.bottle, 100, "6.00"))
    (line,) = bill.lines.all()
    create_sales_return(by=staff_user, sale=bill, lines=[SalesReturnLineInput(line, 100)], submit=True)

    # The customer owes nothing, and no bucket says otherwise (owed = Σ buckets − on account).
    (aged,) = [row for row in customers.ageing(timezone.localdate()) if row[0] == plant.customer.pk] or [
        (plant.customer.pk, D("0.00"), D("0"), D("0"), D("0"), D("0"), D("0"))
    ]
    assert aged[1] == 0 and sum(aged[2:6]) == 0


def test_production_month_summaries_follow_runs_back_dated_and_cancelled(
    plant, staff_user, manager_user, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from reporting.models import ProductionInputMonth, ProductionMonth, ProductionRejectMonth
    from reporting.periods import Period
    from reporting.reports import production

    today = timezone.localdate()
    bought = plant.buy(
        staff_user, (plant.preform, 5000, "2.00"), (plant.cap, 5000, "0.50"), date=today - timedelta(days=100)
    )
    if bought.status == "pending":
        lifecycle.approve(document=bought, by=manager_user)
    runs = []
    for days_ago, machine, shift, good, rejects in (
        (95, "BM-1", "day", 900, [RejectLine("burst", 60), RejectLine("thin_wall", 40)]),
        (62, "BM-2", "night", 500, [RejectLine("burst", 50)]),
        (61, "BM-2", "night", 400, [RejectLine("burst", 10)]),
        (3, "BM-1", "evening", 700, [RejectLine("deformed", 20)]),
        (0, "BM-1", "day", 300, []),
    ):
        run = create_run(
            by=staff_user,
            product=plant.bottle,
            good_quantity=good,
            machine=machine,
            shift=shift,
            date=today - timedelta(days=days_ago),
            rejects=rejects,
            conversion_cost=D("100.00"),
            submit=True,
        )
        if run.status == "pending":
            lifecycle.approve(document=run, by=manager_user)
        runs.append(run)
    lifecycle.cancel(document=runs[2], by=manager_user, reason="entered twice")

    assert summaries.differences() == []
    assert sum(ProductionMonth.objects.values_list("runs", flat=True)) == 4
    assert sum(ProductionRejectMonth.objects.values_list("quantity", flat=True)) == 170
    assert ProductionInputMonth.objects.filter(item=plant.preform).exists()
    summaries.rebuild()
    assert summaries.differences() == []

    # The report from whole months of the summary and the edge days' runs equals the one from the
    # runs alone, for every grouping and a period that cuts months at both ends.
    def from_runs(period, group):
        return [(period.start, period.end)], None

    for period in (Period(today - timedelta(days=364), today), Period(today - timedelta(days=70), today)):
        for by in ("item", "machine", "shift", "period"):
            for group in ("month", "year"):
                kept_report = production.build(period, by, group)
                with monkeypatch.context() as patched:
                    patched.setattr(production, "_run_sources", from_runs)
                    raw_report = production.build(period, by, group)
                assert kept_report.table("runs").rows == raw_report.table("runs").rows, (by, group)
                assert kept_report.table("runs").totals == raw_report.table("runs").totals
                assert kept_report.charts == raw_report.charts
    totals = production.build(Period(today - timedelta(days=364), today)).table("runs").totals
    assert (totals["runs"], totals["good"], totals["rejects"]) == (4, 2400, 170)
