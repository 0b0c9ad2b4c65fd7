"""Every report reconciles with the ledger, bills and payments it summarises, to the cent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from documents import lifecycle
from inventory.models import StockBalance, StockMovement
from production.services import RejectLine, create_run
from purchasing.models import Purchase
from reporting.periods import Period
from reporting.reports import customers, production, profit_loss, stock, suppliers
from reporting.summaries import differences
from sales.models import Payment, Sale, SaleLine

pytestmark = pytest.mark.django_db
D = Decimal


def _year(month):
    return Period(month["today"] - timedelta(days=364), month["today"])


def test_profit_and_loss_totals_equal_posted_bill_lines_less_their_cost(month):
    report = profit_loss.build(_year(month), "month")
    posted = SaleLine.objects.filter(sale__status="posted")
    raw = posted.aggregate(revenue=Sum("amount"), cogs=Sum("cost"), discount=Sum("discount"))
    for name in ("by_period", "by_item"):
        totals = report.table(name).totals
        assert totals["revenue"] == raw["revenue"] == D("2180.00")  # 1180 + 650 + 350
        assert totals["cogs"] == raw["cogs"]
        assert totals["gross_profit"] == raw["revenue"] - raw["cogs"]
        assert totals["discount"] == D("20.00")
    by_period = report.table("by_period")
    assert sum(r["revenue"] for r in by_period.rows) == by_period.totals["revenue"]
    summary = {r["figure"]: r for r in report.table("summary").rows}
    assert summary["Revenue"]["this_period"] == D("2180.00")
    assert summary["Revenue"]["previous_period"] == D("0.00")


def test_profit_and_loss_compares_with_the_same_length_before(month):
    last_20_days = Period(month["mid"], month["today"])
    report = profit_loss.build(last_20_days, "day")
    summary = {r["figure"]: r for r in report.table("summary").rows}
    assert summary["Revenue"]["this_period"] == D("1000.00")  # 650 + 350 (the cancelled bill is out)
    assert summary["Revenue"]["previous_period"] == D("1180.00")  # the 40-day-old bill
    assert last_20_days.before() == Period(
        month["mid"] - timedelta(days=21), month["mid"] - timedelta(days=1)
    )


def test_stock_movement_closes_at_the_balance_and_adds_up(month):
    report = stock.build_movement(Period(month["mid"], month["today"]))
    balances = {b.item.sku: (b.quantity, b.value) for b in StockBalance.objects.select_related("item")}
    rows = report.table("quantities").rows
    assert {r["sku"]: (r["closing_quantity"], r["closing_value"]) for r in rows} == balances
    for row in rows:
        for what in ("quantity", "value"):
            moved = (
                row[f"purchased_{what}"]
                + row[f"produced_{what}"]
                - row[f"consumed_{what}"]
                - row[f"sold_{what}"]
                + row[f"adjusted_{what}"]
                + row[f"reversed_{what}"]
            )
            assert row[f"opening_{what}"] + moved == row[f"closing_{what}"]
    bottle = next(r for r in rows if r["sku"] == "BTL-500")
    assert (bottle["opening_quantity"], bottle["sold_quantity"], bottle["reversed_quantity"]) == (
        700,
        180,
        30,
    )


def test_stock_valuation_total_is_the_sum_of_balance_values(month):
    report = stock.build_valuation(Period(month["today"], month["today"]))
    total = StockBalance.objects.aggregate(v=Sum("value"))["v"]
    assert report.table("valuation").totals["value"] == total
    earlier = stock.build_valuation(Period(month["early"], month["early"]))
    at_early = StockMovement.objects.filter(date__lte=month["early"]).aggregate(v=Sum("value"))["v"]
    assert earlier.table("valuation").totals["value"] == at_early


def test_customer_outstanding_is_bills_less_payments(month):
    report = customers.build(_year(month))
    billed = Sale.objects.filter(status="posted").aggregate(s=Sum("total"))["s"]
    paid = Payment.objects.filter(status="posted").aggregate(s=Sum("amount"))["s"]
    table = report.table("customers")
    assert table.totals["outstanding"] == billed - paid == D("1530.00")
    by_name = {r["customer"]: r for r in table.rows}
    assert by_name["Aqua Traders"]["outstanding"] == D("1230.00")  # 1180 + 650 − 600
    assert by_name["Blue Springs"]["outstanding"] == D("300.00")  # 350 − 50 on account
    assert by_name["Aqua Traders"]["last_bill"] == month["today"]
    ageing = {r["customer"]: r for r in report.table("ageing").rows}
    aqua = ageing["Aqua Traders"]
    # The newest bill (650, today) is fully owed; the rest (580) is the 40-day-old bill.
    assert (aqua["days_0_30"], aqua["days_31_60"], aqua["days_61_90"], aqua["days_over_90"]) == (
        D("650.00"),
        D("580.00"),
        D("0.00"),
        D("0.00"),
    )
    # Per bill: Blue Springs' bill of 350 is open whole; the 50 paid without a bill is on account.
    blue = ageing["Blue Springs"]
    assert (blue["outstanding"], blue["days_0_30"], blue["on_account"]) == (
        D("300.00"),
        D("350.00"),
        D("-50.00"),
    )


def test_outstanding_at_an_earlier_date_leaves_out_what_came_later(month):
    report = customers.build(Period(month["early"], month["early"]))
    assert report.table("customers").totals["outstanding"] == D("1180.00")


def test_supplier_spend_equals_posted_purchases(month):
    report = suppliers.build(_year(month))
    spend = Purchase.objects.filter(status="posted").aggregate(s=Sum("total"))["s"]
    assert report.table("suppliers").totals["spend"] == spend == D("3650.00")
    preform = next(r for r in report.table("prices").rows if r["sku"] == "PF-500")
    assert preform["average_price"] == D("2.1000")  # 3150 / 1500
    assert (preform["lowest_price"], preform["highest_price"]) == (D("2.0000"), D("2.3000"))


def test_production_yield_and_cost_per_good_bottle(month):
    run = month["run"]
    report = production.build(_year(month), "item", "month")
    row = report.table("runs").rows[0]
    assert (row["runs"], row["good"], row["rejects"], row["preforms"]) == (1, 900, 100, 1000)
    assert (row["reject_burst"], row["reject_thin_wall"]) == (60, 40)
    assert row["yield"] == D("90.00")
    assert row["cost_per_bottle"] == run.unit_cost
    # Priced at posting: both purchases were in, so 1000 preforms left at the 2.10 average.
    assert row["preform_per_bottle"] == D("2.3333")  # 2100 / 900
    assert row["conversion_per_bottle"] == D("0.2000")
    for by in ("machine", "shift", "period"):
        assert production.build(_year(month), by, "week").table("runs").totals["good"] == 900


def test_summaries_agree_with_the_rows_after_the_month(month):
    assert differences() == []
    cogs = SaleLine.objects.filter(sale__status="posted").aggregate(c=Sum(F("cost")))["c"]
    assert profit_loss.totals(_year(month))["cogs"] == cogs


def test_the_production_trend_and_totals_are_the_same_whatever_the_table_is_grouped_by(
    plant, staff_user, manager_user
):
    today = timezone.localdate()
    bought = plant.buy(
        staff_user, (plant.preform, 3000, "2.00"), (plant.cap, 3000, "0.50"), date=today - timedelta(days=70)
    )
    if bought.status == "pending":
        lifecycle.approve(document=bought, by=manager_user)
    for days_ago, machine, shift, good, rejects in (
        (60, "BM-1", "day", 900, [RejectLine("burst", 60), RejectLine("thin_wall", 40)]),
        (25, "BM-2", "night", 500, [RejectLine("burst", 50)]),
        (3, "BM-1", "evening", 700, [RejectLine("deformed", 20)]),
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
    period = Period(today - timedelta(days=364), today)
    for group in ("month", "week", "day"):
        by_period = production.build(period, "period", group)
        assert len(by_period.table("runs").rows) >= 2  # the runs fall in two months at least
        for by in ("item", "machine", "shift"):
            report = production.build(period, by, group)
            assert report.charts == by_period.charts, (by, group)
            assert report.table("runs").totals == {**by_period.table("runs").totals, "group": "Total"}
    by_machine = {r["group"]: r for r in production.build(period, "machine").table("runs").rows}
    assert (by_machine["BM-1"]["good"], by_machine["BM-1"]["rejects"], by_machine["BM-2"]["rejects"]) == (
        1600,
        120,
        50,
    )


def test_the_receivables_ageing_sql_equals_the_orm_form_of_it(month):
    from reporting import ageing

    for day in (month["early"], month["mid"], month["today"], month["today"] + timedelta(days=45)):
        orm = ageing.per_party(customers.open_bills(day), "customer_id", day)
        assert ageing.receivables_per_customer(day) == orm
        assert ageing.receivables_from_rows(day) == orm
        assert orm  # someone owes at each of these dates


def test_a_bill_exactly_30_days_old_is_aged_0_to_30_in_every_form_of_the_ageing(month):
    """The buckets read "0–30 days", "31–60 days": a bill 30 days old is in the first, 31 in the next."""
    from reporting import ageing

    aqua = month["bills"][0].customer_id
    for age, bucket in ((30, "days_0_30"), (31, "days_31_60"), (60, "days_31_60"), (61, "days_61_90")):
        day = month["early"] + timedelta(days=age)
        assert ageing.bucket_of(month["early"], day) == bucket
        for form in (
            ageing.receivables_per_customer(day),
            ageing.receivables_from_rows(day),
            ageing.per_party(customers.open_bills(day), "customer_id", day),
        ):
            # The early bill owes 1,180 less 600 paid; Aqua's newest bill is in a younger bucket.
            assert form[aqua][bucket] == D("580.00"), (age, form[aqua])
