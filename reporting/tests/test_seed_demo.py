"""seed_demo builds a plant whose ledger, summaries and reports all agree."""

import logging
import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from accounts.roles import can_approve
from cashbook import selectors as cash_book
from cashbook.models import CashClosing
from core.errors import NotAllowed
from documents import lifecycle
from expenses.models import Expense
from inventory.models import StockBalance, StockCount
from inventory.verification import verify_ledger
from production.models import ProductionRun
from purchasing.models import Purchase, SupplierPayment
from reporting.demo_money import CLOSING_DAYS
from reporting.periods import Period
from reporting.reports import customers, payables, profit_loss, stock
from reporting.summaries import differences
from returns.models import SalesReturn
from sales.models import Payment, Sale, SaleLine

pytestmark = pytest.mark.django_db


def test_a_small_demo_keeps_every_invariant_and_reconciles(manager_user, owner_user):
    out = StringIO()
    call_command("seed_demo", days=9, scale=0.01, stdout=out, stderr=StringIO())
    assert "agree with the ledger" in out.getvalue()
    assert verify_ledger() == [] and differences() == []
    assert Sale.objects.filter(status="posted").count() > 10
    for model in (Sale, SaleLine, Payment):  # each row has its "created" history row, by the Manager
        created = model.history.filter(history_type="+", history_user=manager_user)
        assert created.count() == model.objects.count() > 0
    assert SaleLine.objects.filter(cost__isnull=True).count() == 0

    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today)
    # Revenue is the taxable value (of bills, less that of credit notes); what is owed the totals.
    posted = SaleLine.objects.filter(sale__status="posted").aggregate(r=Sum("taxable_value"), c=Sum("cost"))
    returned = SalesReturn.objects.filter(status="posted").aggregate(
        r=Sum("taxable_total"), c=Sum("cost"), f=Sum("refund"), t=Sum("total")
    )
    assert SalesReturn.objects.filter(status="posted").exists()  # the demo shows credit notes
    totals = profit_loss.totals(period)
    assert (totals["revenue"], totals["cogs"]) == (posted["r"] - returned["r"], posted["c"] - returned["c"])
    closing = {r["sku"]: r["closing_value"] for r in stock.build_movement(period).table("values").rows}
    assert closing == {b.item.sku: b.value for b in StockBalance.objects.select_related("item")}
    billed = Sale.objects.filter(status="posted").aggregate(s=Sum("total"))["s"]
    paid = Payment.objects.filter(status="posted").aggregate(s=Sum("amount"))["s"] or 0
    owed = billed - paid - returned["t"] + returned["f"]
    assert customers.build(period).table("customers").totals["outstanding"] == owed

    again = StringIO()
    call_command("seed_demo", days=9, scale=0.01, if_empty=True, stdout=again)
    assert "nothing seeded" in again.getvalue()
    assert not User.objects.filter(username="system").exists()  # an existing Manager acted


def test_seed_demo_without_an_approver_says_whom_to_create(manager_user):
    with pytest.raises(CommandError, match="create an Owner"):
        call_command("seed_demo", days=2, scale=0.01, stdout=StringIO())


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_progress_bar_is_on_stdout_and_never_shares_a_line_with_a_log_line(
    manager_user, owner_user
):
    # The log (stderr) and stdout share one terminal: the approvals' audit lines land among the bar.
    screen, errors = Terminal(), StringIO()
    console = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    previous = [handler.setStream(screen) for handler in console]
    try:
        call_command("seed_demo", days=9, scale=0.01, stdout=screen, stderr=errors)
    finally:
        for handler, old in zip(console, previous, strict=True):
            handler.setStream(old)
    lines = screen.getvalue().split("\n")
    assert any("9/9 days" in line for line in lines) and "days ·" not in errors.getvalue()
    logged = [line for line in lines if "bottleworks.audit" in line]
    assert any("approved" in line for line in logged)
    for line in logged:
        assert re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z INFO bottleworks.audit ", line), line


def test_the_demo_leaves_bills_a_purchase_and_an_expense_entered_by_staff_for_a_manager_to_approve(
    manager_user, owner_user, staff_user, settings
):
    settings.APPROVAL_THRESHOLD = Decimal("2000")  # nine days of a tiny plant hold few bottles
    out = StringIO()
    call_command("seed_demo", days=9, scale=0.01, stdout=out, stderr=StringIO())
    waiting = [
        *Sale.objects.filter(status="pending"),
        *Purchase.objects.filter(status="pending"),
        *Expense.objects.filter(status="pending"),
    ]
    assert {type(document) for document in waiting} == {Sale, Purchase, Expense} and len(waiting) == 4
    assert {document.created_by for document in waiting} == {staff_user}
    assert "4 documents entered by sam_staff wait for a Manager's approval" in out.getvalue()
    assert verify_ledger() == [] and differences() == []
    # Four eyes: the Staff member who entered them may not decide them; the Manager may.
    with pytest.raises(NotAllowed):
        lifecycle.approve(document=waiting[0], by=staff_user)
    for document in waiting:
        assert can_approve(manager_user, document)
        assert lifecycle.approve(document=document, by=manager_user).status == "posted"
    assert verify_ledger() == [] and differences() == []


def test_demo_bills_are_stored_once_with_the_cost_of_their_lines(manager_user, owner_user):
    call_command("seed_demo", days=4, scale=0.01, stdout=StringIO(), stderr=StringIO())
    line_costs = dict(
        SaleLine.objects.values("sale").annotate(c=Sum("cost")).values_list("sale", "c").order_by()
    )
    bills = list(Sale.objects.values_list("pk", "cost", "number"))
    assert bills and all(cost == line_costs[pk] for pk, cost, _n in bills)
    # One "created" history row each, holding the final cost: nothing was changed after the insert.
    history = dict(Sale.history.filter(history_type="+").values_list("id", "cost"))
    assert history == {pk: cost for pk, cost, _n in bills if pk in history}
    assert not Sale.history.exclude(history_type="+").exclude(status="cancelled").exists()
    # The ledger's movements point at stored bills by id and number.
    from inventory.models import StockMovement

    sold = StockMovement.objects.filter(source_type="sales.sale", kind="sale")
    numbers = dict(Sale.objects.values_list("pk", "number"))
    assert sold.exists() and all(numbers[m.source_id] == m.source_number for m in sold)


def test_demo_documents_are_entered_on_their_own_day_within_working_hours(manager_user, owner_user):
    # Days that lie wholly in the past (no moment of the demo after the test's "now") and hold
    # the first of a month (when the demo counts stock).
    end = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=4)
    call_command("seed_demo", days=9, scale=0.01, end=end, stdout=StringIO(), stderr=StringIO())
    from reporting.reports import exceptions

    period = Period(end - timedelta(days=30), timezone.localdate())
    assert exceptions.back_dated(period).total == 0
    assert exceptions.after_hours(period).total == 0
    for model in (Sale, Payment, Purchase, ProductionRun, StockCount, Expense, CashClosing):
        documents = list(model.objects.all())
        assert documents, model
        for document in documents:
            entered = timezone.localtime(document.created_at)
            assert entered.date() == document.date, (model, document.pk)
            for name in ("submitted_at", "posted_at", "decided_at", "cancelled_at"):
                moment = getattr(document, name)
                assert moment is None or timezone.localtime(moment).date() == document.date, name
    # The history rows tell the same story: every row of a document falls on its business day.
    for model in (Sale, Payment, Purchase, ProductionRun, Expense, CashClosing):
        days = dict(model.objects.values_list("pk", "date"))
        for pk, at in model.history.values_list("id", "history_date"):
            assert timezone.localtime(at).date() == days[pk], (model, pk)
    assert verify_ledger() == [] and differences() == []


def test_the_demo_pays_suppliers_spends_on_the_plant_and_counts_its_cash_at_day_end(manager_user, owner_user):
    # Forty days wholly in the past, holding the first of a month (the month's bills).
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    start = end - timedelta(days=39)
    call_command("seed_demo", days=40, scale=0.01, end=end, stdout=StringIO(), stderr=StringIO())
    assert verify_ledger() == [] and differences() == []

    paid = SupplierPayment.objects.filter(status="posted")
    assert paid.exists() and all(p.lines.count() == 1 for p in paid)
    period = Period(start, end)
    owing = payables.build(period).table("ageing").rows
    assert owing and sum(row["outstanding"] for row in owing) > 0  # bills bought lately are still owed

    spent = Expense.objects.filter(status="posted")
    assert set(spent.values_list("category__code", flat=True)) == {
        "power",
        "wages",
        "rent",
        "fuel",
        "transport",
    }
    totals = profit_loss.totals(period)
    assert totals["expenses"] == spent.aggregate(s=Sum("amount"))["s"] > 0
    assert (
        totals["net_profit"]
        == totals["gross_profit"] - totals["count_write_offs"] - totals["scrapped"] - totals["expenses"]
    )

    closings = CashClosing.objects.filter(status="posted")
    working_days = sum(1 for n in range(CLOSING_DAYS) if (end - timedelta(days=n)).weekday() != 6)
    assert closings.count() == working_days == len({c.date for c in closings})
    assert not CashClosing.objects.exclude(status="posted").exists()  # never off by enough to wait
    book = {row["account"].name: row for row in cash_book.book(start, end)}
    cash = book["Cash in hand"]
    assert cash["in"] > 0 and cash["out"] > 0 and book["SBI current account"]["out"] > 0
    # After each day's count the book holds what was counted (the last day's returns, entered
    # after its count, aside).
    for closing in closings.select_related("account").filter(date__lt=end):
        assert cash_book.balance(closing.account, closing.date) == closing.counted, closing.date
