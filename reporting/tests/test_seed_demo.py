"""seed_demo builds a plant whose ledger, summaries and reports all agree."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from inventory.models import StockBalance
from inventory.verification import verify_ledger
from reporting.periods import Period
from reporting.reports import customers, profit_loss, stock
from reporting.summaries import differences
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
    posted = SaleLine.objects.filter(sale__status="posted").aggregate(r=Sum("amount"), c=Sum("cost"))
    totals = profit_loss.totals(period)
    assert (totals["revenue"], totals["cogs"]) == (posted["r"], posted["c"])
    closing = {r["sku"]: r["closing_value"] for r in stock.build_movement(period).table("values").rows}
    assert closing == {b.item.sku: b.value for b in StockBalance.objects.select_related("item")}
    billed = Sale.objects.filter(status="posted").aggregate(s=Sum("total"))["s"]
    paid = Payment.objects.filter(status="posted").aggregate(s=Sum("amount"))["s"] or 0
    assert customers.build(period).table("customers").totals["outstanding"] == billed - paid

    again = StringIO()
    call_command("seed_demo", days=9, scale=0.01, if_empty=True, stdout=again)
    assert "nothing seeded" in again.getvalue()
    assert not User.objects.filter(username="system").exists()  # an existing Manager acted


def test_seed_demo_without_an_approver_says_whom_to_create(manager_user):
    with pytest.raises(CommandError, match="create an Owner"):
        call_command("seed_demo", days=2, scale=0.01, stdout=StringIO())


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
