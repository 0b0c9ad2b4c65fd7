"""The GST reports read kept summaries of the posted bills: built from them they equal the same
reports summed from the bill lines, to the paisa, after posting, cancelling and bulk posting, for
B2B and B2C, intra- and inter-state, several rates and HSN codes, over whole and partial months."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.test.utils import CaptureQueriesContext

from company.models import SellerProfile
from documents import lifecycle
from documents.models import DocumentStatus
from inventory.verification import verify_ledger
from reporting import summaries
from reporting.models import OutwardPartyDay, OutwardPartyMonth, OutwardTaxDay
from reporting.periods import Period
from reporting.reports import tax
from sales import bulk
from sales.lines import SaleLineInput
from sales.models import Customer, Sale
from tax.gstin import make_gstin
from tax.models import TaxRate

INTER_GSTIN = make_gstin("29", "AAGCK4321L")
LOCAL_GSTIN = make_gstin("27", "AAHCM7777P")


def _first_of_last_month() -> date:
    return (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def bills(plant, manager_user, staff_user, settings):
    """A Maharashtra (27) plant over last month and this one: B2C bills in the state and across it,
    B2B bills to a GSTIN in the state and one across it, three rates and HSN codes, a cancelled bill
    (the only one selling preforms to the far B2C customer) and today's bills posted in bulk."""
    settings.APPROVAL_THRESHOLD = D("1000000")
    SellerProfile.objects.create(
        legal_name="Bottleworks", state_code="27", gstin=make_gstin("27", "AABCB1234F")
    )
    for item, rate, hsn in (
        (plant.bottle, "18", "39233090"),
        (plant.cap, "12", "39235010"),
        (plant.preform, "5", "39233010"),
    ):
        item.tax_rate, item.hsn_code = TaxRate.objects.create(name=f"GST {rate}%", rate=D(rate)), hsn
        item.save()
    first = _first_of_last_month()
    mid = first + timedelta(days=14)
    today = date.today()
    plant.buy(
        manager_user,
        (plant.bottle, 5000, "3.00"),
        (plant.cap, 5000, "0.50"),
        (plant.preform, 5000, "2.00"),
        date=first,
    )
    local = Customer.objects.create(name="Pune Kirana", state_code="27")
    far = Customer.objects.create(name="Goa Stores", state_code="30")
    inter = Customer.objects.create(
        name="Bengaluru Aqua", gstin=INTER_GSTIN, state_code="29", is_registered=True
    )
    intra = Customer.objects.create(
        name="Mumbai Depot", gstin=LOCAL_GSTIN, state_code="27", is_registered=True
    )
    plant.sell(staff_user, (plant.bottle, 400, "5.25"), (plant.cap, 100, "1.15"), customer=local, date=first)
    plant.sell(
        staff_user,
        (plant.bottle, 500, "5.00", "50.00"),
        (plant.preform, 10, "9.00"),
        customer=inter,
        date=first,
    )
    plant.sell(staff_user, (plant.bottle, 33, "5.17"), (plant.cap, 7, "1.09"), customer=far, date=mid)
    plant.sell(
        staff_user, (plant.bottle, 250, "4.99"), (plant.cap, 30, "1.13", "0.37"), customer=intra, date=mid
    )
    plant.sell(staff_user, (plant.cap, 41, "1.21"), customer=intra, date=mid + timedelta(days=1))
    cancelled = plant.sell(
        staff_user, (plant.preform, 12, "8.80"), (plant.bottle, 9, "5.00"), customer=far, date=mid
    )
    lifecycle.cancel(document=cancelled, by=manager_user, reason="keyed twice")
    with transaction.atomic():
        bulk.post_bills(
            by=manager_user,
            date=today,
            bills=[
                bulk.BulkBill(local, [SaleLineInput(plant.bottle, 120, D("5.10"))]),
                bulk.BulkBill(
                    inter,
                    [SaleLineInput(plant.bottle, 77, D("5.03")), SaleLineInput(plant.cap, 13, D("1.19"))],
                ),
                bulk.BulkBill(far, [SaleLineInput(plant.preform, 3, D("9.10"))]),
                bulk.BulkBill(intra, [SaleLineInput(plant.cap, 19, D("1.17"), D("0.13"))]),
            ],
        )
    return {"first": first, "mid": mid, "today": today, "far": far}


def _heads(row) -> tuple:
    return tuple(D(row[h] or 0).quantize(D("0.01")) for h in tax.HEADS)


def _raw(period: Period) -> dict:
    """The outward tables summed from the bill lines themselves, as the report did before."""
    lines = tax.sale_lines(period)
    posted = Sale.objects.filter(status=DocumentStatus.POSTED, date__gte=period.start, date__lte=period.end)
    values = dict(
        posted.exclude(party_gstin="")
        .values("party_gstin")
        .annotate(v=Sum("total"))
        .values_list("party_gstin", "v")
    )
    docs = posted.aggregate(**tax.HEADER_SUMS)
    return {
        "by_hsn": [
            (r["hsn_code"], r["tax_rate"], r["quantity"], *_heads(r))
            for r in lines.values("hsn_code", "tax_rate")
            .annotate(quantity=Sum("quantity"), **tax.TAX_SUMS)
            .order_by("hsn_code", "tax_rate")
        ],
        "b2b": [
            (
                r["sale__party_gstin"],
                r["sale__place_of_supply"],
                r["invoices"],
                *_heads(r),
                values[r["sale__party_gstin"]],
            )
            for r in lines.exclude(sale__party_gstin="")
            .values("sale__party_gstin", "sale__place_of_supply")
            .annotate(invoices=Count("sale", distinct=True), **tax.TAX_SUMS)
            .order_by("sale__party_gstin")
        ],
        "b2c": [
            (r["sale__place_of_supply"], r["sale__is_inter_state"], r["tax_rate"], *_heads(r))
            for r in lines.filter(sale__party_gstin="")
            .values("sale__place_of_supply", "sale__is_inter_state", "tax_rate")
            .annotate(**tax.TAX_SUMS)
            .order_by("sale__place_of_supply", "tax_rate", "sale__is_inter_state")
        ],
        "total": _heads(lines.aggregate(**tax.TAX_SUMS)),
        "quantity": lines.aggregate(q=Sum("quantity"))["q"] or 0,
        "documents": (
            docs["documents"],
            *(D(docs[k] or 0) for k in ("taxable", "tax", "round_off", "value")),
        ),
    }


def _kept(period: Period) -> dict:
    report = tax.build_outward(period)
    by_hsn, b2b, b2c = (report.table(name) for name in ("by_hsn", "b2b", "b2c"))
    [docs] = report.table("documents").rows
    return {
        "by_hsn": [(r["hsn_code"], r["tax_rate"], r["quantity"], *_heads(r)) for r in by_hsn.rows],
        "b2b": [(r["gstin"], r["place_of_supply"], r["invoices"], *_heads(r), r["value"]) for r in b2b.rows],
        "b2c": [
            (r["place_of_supply"][:2], r["supply"] == "inter-state", r["rate"], *_heads(r)) for r in b2c.rows
        ],
        "total": _heads(by_hsn.totals),
        "quantity": by_hsn.totals["quantity"],
        "documents": tuple(docs[k] for k in ("documents", "taxable", "tax", "round_off", "value")),
    }


def _periods(bills) -> list[Period]:
    first, mid, today = bills["first"], bills["mid"], bills["today"]
    end_of_first = today.replace(day=1) - timedelta(days=1)
    return [
        Period(first, today),  # a whole month and this month's days
        Period(first + timedelta(days=3), today),  # partial months at both ends
        Period(first, end_of_first),  # one whole month
        Period(mid, mid),  # one day
        Period(today, today),  # the bulk bills alone
        Period(today + timedelta(days=1), today + timedelta(days=40)),  # nothing
    ]


def test_outward_supplies_from_the_kept_summaries_equal_the_bill_lines_to_the_paisa(bills):
    for period in _periods(bills):
        assert _kept(period) == _raw(period), period
    everything = _raw(_periods(bills)[0])
    # The fixture covers what it says: both B2B GSTINs, B2C inside and across the state, 3 rates.
    assert {row[0] for row in everything["b2b"]} == {INTER_GSTIN, LOCAL_GSTIN}
    assert {(row[0], row[1]) for row in everything["b2c"]} == {("27", False), ("30", True)}
    assert {row[1] for row in everything["by_hsn"]} == {D("5.00"), D("12.00"), D("18.00")}


def test_the_b2b_table_names_each_gstin_by_its_customer_and_counts_each_invoice_once(bills):
    report = tax.build_outward(Period(bills["first"], bills["today"]))
    rows = {r["gstin"]: r for r in report.table("b2b").rows}
    assert (rows[INTER_GSTIN]["customer"], rows[INTER_GSTIN]["invoices"]) == ("Bengaluru Aqua", 2)
    assert (rows[LOCAL_GSTIN]["customer"], rows[LOCAL_GSTIN]["invoices"]) == ("Mumbai Depot", 3)
    assert report.table("b2b").totals["invoices"] == 5
    [docs] = report.table("documents").rows
    assert docs["documents"] == 9  # the cancelled bill is in no table


def test_a_cancelled_bill_leaves_no_group_behind(bills):
    # The cancelled bill was the only sale of preforms to the Goa customer in the middle of last
    # month: that day's B2C table has only its bottles and caps, at 18 % and 12 %.
    report = tax.build_outward(Period(bills["mid"], bills["mid"]))
    assert [(r["place_of_supply"], r["rate"]) for r in report.table("b2c").rows] == [
        ("30 Goa", D("12.00")),
        ("30 Goa", D("18.00")),
    ]
    assert OutwardTaxDay.objects.filter(date=bills["mid"], hsn_code="39233010", lines=0).exists()


def test_tax_payable_reads_the_kept_output_tax_and_equals_the_bill_lines(bills):
    period = Period(bills["first"], bills["today"])
    raw = _raw(period)["total"]
    output = tax.payable(period)["output"]
    assert tuple(output[h] for h in tax.HEADS) == raw
    rows = {r["head"]: r for r in tax.build_payable(period).table("payable").rows}
    assert rows["Total tax"]["output"] == raw[-1]


def test_the_kept_summaries_hold_what_a_rebuild_and_the_migration_fill_from_the_bills(bills):
    models = (OutwardTaxDay, OutwardPartyDay, OutwardPartyMonth)

    def rows():
        return [
            sorted(
                tuple(v for k, v in r.items() if k != "id") for r in m.objects.filter(lines__gt=0).values()
            )
            if m is OutwardTaxDay
            else sorted(
                tuple(v for k, v in r.items() if k != "id") for r in m.objects.filter(bills__gt=0).values()
            )
            for m in models
        ]

    kept = rows()
    assert summaries.differences() == []
    summaries.rebuild_outward_tax()
    assert rows() == kept
    assert (
        OutwardPartyMonth.objects.filter(bills__gt=0).count()
        < OutwardPartyDay.objects.filter(bills__gt=0).count()
    )


def test_a_drift_in_the_kept_output_tax_is_found_by_differences_and_verify_ledger(bills):
    OutwardTaxDay.objects.filter(date=bills["mid"], hsn_code="39233090", lines__gt=0).update(
        cgst=F("cgst") + D("0.01")
    )
    OutwardPartyMonth.objects.filter(party_gstin=LOCAL_GSTIN).update(bills=F("bills") + 1)
    found = summaries.differences()
    assert any(OutwardTaxDay._meta.db_table in p and "39233090" in p for p in found)
    assert any(OutwardPartyMonth._meta.db_table in p and LOCAL_GSTIN in p for p in found)
    assert any(OutwardTaxDay._meta.db_table in p for p in verify_ledger())
    summaries.rebuild()
    assert summaries.differences() == [] and verify_ledger() == []


@pytest.mark.postgres
def test_one_bills_summaries_are_one_statement_of_one_text(bills, plant, staff_user):
    # One round trip a bill, whatever its lines and customer: the text depends only on the number
    # of bills and the sign, so PostgreSQL plans it once per connection.
    for customer, lines in (
        (Customer.objects.get(gstin=INTER_GSTIN), [(plant.bottle, 3, "5.00"), (plant.cap, 2, "1.10")]),
        (Customer.objects.get(gstin=LOCAL_GSTIN), [(plant.cap, 1, "1.10")]),
    ):
        with CaptureQueriesContext(connection) as captured:
            plant.sell(staff_user, *lines, customer=customer)
        kept = [q["sql"] for q in captured.captured_queries if "INSERT INTO reporting_" in q["sql"]]
        assert len(kept) == 1
        assert all(table in kept[0] for table in (OutwardTaxDay._meta.db_table, "reporting_stockday"))
    assert summaries.differences() == [] and verify_ledger() == []
