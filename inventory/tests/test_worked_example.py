"""One plant's week, with every figure worked out by hand (DESIGN §4 moving average)."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from documents import lifecycle
from documents.numbering import financial_year_label
from inventory.models import StockBalance, StockMovement
from inventory.verification import verify_ledger
from production.models import RejectReason
from production.services import RejectLine, create_run
from sales.models import Sale, SaleLine

pytestmark = pytest.mark.django_db
D = Decimal


def balance(item):
    b = StockBalance.objects.get(item=item)
    return b.quantity, b.value


def test_purchases_run_sales_and_cancel_give_exact_figures(plant, staff_user, manager_user):
    # Two purchases at two prices: preforms average (2000 + 1185) / 1500 = 2.12333…
    p1 = plant.buy(staff_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"))
    p2 = plant.buy(staff_user, (plant.preform, 500, "2.37"))
    assert (p1.status, p1.number, p1.total) == (
        "posted",
        f"P/{financial_year_label(p1.date)}/00001",
        D("2500.00"),
    )
    assert p2.number == f"P/{financial_year_label(p2.date)}/00002"
    assert balance(plant.preform) == (1500, D("3185.00"))
    assert balance(plant.cap) == (1000, D("500.00"))

    # A run of 900 good bottles with 31 rejects: the recipe asks 931 preforms and 931 caps.
    run = create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=900,
        machine="BM-1",
        shift="day",
        rejects=[RejectLine(RejectReason.THIN_WALL, 21), RejectLine(RejectReason.BURST, 10)],
        conversion_cost=D("270.00"),
        submit=True,
    )
    assert run.status == "posted"
    assert sorted(run.inputs.values_list("item__sku", "quantity", "value")) == [
        ("CAP-28", 931, D("465.50")),
        ("PF-500", 931, D("1976.82")),  # 931 × 3185 / 1500 = 1976.8233 → 1976.82
    ]
    assert run.input_value == D("2442.32")
    assert run.unit_cost == D("3.0137")  # (2442.32 + 270) / 900
    assert balance(plant.preform) == (569, D("1208.18"))
    assert balance(plant.cap) == (69, D("34.50"))
    assert balance(plant.bottle) == (900, D("2712.32"))

    # Two bills; the second empties the bottles and takes all the value that is left.
    s1 = plant.sell(staff_user, (plant.bottle, 600, "5.00", "100.00"))
    s2 = plant.sell(staff_user, (plant.bottle, 300, "5.50"))
    line1, line2 = SaleLine.objects.get(sale=s1), SaleLine.objects.get(sale=s2)
    assert (line1.amount, line1.cost, line1.unit_cost) == (D("2900.00"), D("1808.21"), D("3.0137"))
    assert (line2.amount, line2.cost) == (D("1650.00"), D("904.11"))
    assert balance(plant.bottle) == (0, D("0.00"))
    revenue = Sale.objects.filter(status="posted").aggregate(s=Sum("total"))["s"]
    cogs = SaleLine.objects.filter(sale__status="posted").aggregate(s=Sum("cost"))["s"]
    assert (revenue, cogs, revenue - cogs) == (D("4550.00"), D("2712.32"), D("1837.68"))

    # Cancelling the second bill brings its 300 bottles back at the cost they left with.
    lifecycle.cancel(document=s2, by=manager_user, reason="customer returned the load")
    s2.refresh_from_db()
    assert s2.status == "cancelled"
    assert balance(plant.bottle) == (300, D("904.11"))
    revenue = Sale.objects.filter(status="posted").aggregate(s=Sum("total"))["s"]
    cogs = SaleLine.objects.filter(sale__status="posted").aggregate(s=Sum("cost"))["s"]
    assert revenue - cogs == D("1091.79")
    net = StockMovement.objects.filter(source_type="sales.sale", source_id=s2.pk).aggregate(
        q=Sum("quantity"), v=Sum("value")
    )
    assert net == {"q": 0, "v": D("0.00")}
    assert verify_ledger() == []


def test_scrap_credit_lowers_the_bottle_cost(plant, staff_user):
    plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    run = create_run(
        by=staff_user,
        product=plant.bottle,
        good_quantity=90,
        machine="BM-2",
        shift="night",
        rejects=[RejectLine(RejectReason.CONTAMINATION, 10)],
        conversion_cost=D("30.00"),
        scrap_item=plant.scrap,
        scrap_quantity=10,
        scrap_value=D("5.00"),
        submit=True,
    )
    # inputs 200 + 50, plus 30 conversion, minus 5 scrap credit = 275 for 90 bottles
    assert balance(plant.bottle) == (90, D("275.00"))
    assert balance(plant.scrap) == (10, D("5.00"))
    assert run.unit_cost == D("3.0556")
    assert verify_ledger() == []
