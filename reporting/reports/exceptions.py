"""Exceptions: the documents and patterns an owner should look at, each with a reason and its links.

Every check reads the documents and the ledger, aggregates in the database, and writes nothing.
The limits are settings (README, "Settings"). Each check returns how many findings it has (from the
database) and at most ``EXCEPTION_MAX_ROWS`` of them to show, so a badly set limit on a year of a
million bill lines gives a long count, not a page that never loads.

``count_findings(start, end)`` is the number of findings in a date range, for the daily digest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Abs, TruncMonth
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from documents.models import DocumentStatus, document_name, entered_time, entry_lag
from inventory.models import StockCount, StockCountLine
from production.models import ProductionRun
from purchasing.models import Purchase
from reporting import summaries
from reporting.charts import bar_chart
from reporting.models import DocumentDay, RunOutcome, SplitCreatorDay, SplitCustomerDay
from reporting.periods import Period
from reporting.reports import run_medians
from reporting.routers import report_reads
from reporting.tables import Column, Report, Table, money, percent
from sales.models import Customer, Payment, Sale, SaleLine, discount_share

HUNDRED = Decimal(100)

# Each document type: where its page is, and what a person calls it.
PAGES: dict[type, tuple[str, str]] = {
    Sale: ("sales:bill-detail", "bill"),
    Purchase: ("purchasing:purchase-detail", "purchase"),
    Payment: ("sales:payment-detail", "payment"),
    ProductionRun: ("production:run-detail", "run"),
    StockCount: ("inventory:count-detail", "stock count"),
}
DOCUMENT_MODELS = list(PAGES)


@dataclass
class Finding:
    check: str
    day: date | None
    documents: list[tuple[str, str]]  # (number, page address)
    person: str
    subject: str
    reason: str


@dataclass
class Found:
    """One check's result: how many findings in all, and the first ones to show."""

    total: int = 0
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    run: Callable[[Period], Found]


# A page address with this id in place of the document's: reversed once per page name (and
# URLconf, script prefix), then filled in per link. A year's report links thousands of documents,
# and ``reverse()`` resolves the pattern each time.
_PK_MARK = 987654321
_ADDRESSES: dict[tuple, tuple[str, str]] = {}


def _address(name: str, pk: int) -> str:
    key = (name, get_urlconf(), get_script_prefix())
    parts = _ADDRESSES.get(key)
    if parts is None:
        head, _mark, tail = reverse(name, args=[_PK_MARK]).rpartition(str(_PK_MARK))
        parts = _ADDRESSES[key] = (head, tail)
    return f"{parts[0]}{pk}{parts[1]}"


def _link(model: type, pk: int, number: str | None) -> tuple[str, str]:
    name, noun = PAGES[model]
    # Findings are about posted documents; one without a number is named by its state.
    label = number or document_name(noun=noun, status=DocumentStatus.DRAFT, number=None, pk=pk)
    return (label, _address(name, pk))


# How many findings each check reads out: 0 while only the counts are wanted
# (``findings_by_check``: the digest, the dashboard), ``PAGE_ROWS`` for the screen; None (the
# default) is ``EXCEPTION_MAX_ROWS``, for the print view, CSV and XLSX.
_SHOWN: ContextVar[int | None] = ContextVar("exceptions_shown", default=None)

# The screen of every check lists this many findings of each: the owner reads the summary's counts
# and the top of each check, and opens a check (its name in the summary) to read up to
# EXCEPTION_MAX_ROWS of it, as the print view and the exports list of each. A year's page then
# costs about what a month's does (a year at five million bill lines has tens of thousands of
# findings), and it reads as a summary, not a wall of a few hundred rows.
PAGE_ROWS = 10


def shown_rows(*, on_page: bool, check: str = "") -> int | None:
    """How many findings of each check a view lists: ``PAGE_ROWS`` on the screen of every check;
    None (``EXCEPTION_MAX_ROWS``) on the screen of one check, in the print view and the exports."""
    return PAGE_ROWS if on_page and not check else None


@contextlib.contextmanager
def showing(rows: int | None) -> Iterator[None]:
    """Meanwhile each check reads out at most ``rows`` findings (0: only counts them; None:
    ``EXCEPTION_MAX_ROWS``, the most it ever reads out)."""
    token = _SHOWN.set(None if rows is None else min(rows, _max_rows()))
    try:
        yield
    finally:
        _SHOWN.reset(token)


def _max_rows() -> int:
    return max(1, settings.EXCEPTION_MAX_ROWS)


def _limit() -> int:
    shown = _SHOWN.get()
    return _max_rows() if shown is None else shown


def _counted(found, order: Sequence[str], fields: Sequence[str]) -> tuple[int, list[dict]]:
    """How many rows ``found`` has, and the first ``_limit()`` of them in ``order`` (their
    ``fields``): one query, the count a window over every row (for checks whose findings are few,
    where the count is no cheaper alone); only the count while nothing is read out."""
    limit = _limit()
    if not limit:
        return found.count(), []
    every = found.annotate(found_in_all=Window(Count("pk"))).order_by(*order)
    rows = list(every.values(*fields, "found_in_all")[:limit])
    return (rows[0]["found_in_all"] if rows else 0), rows


def _amount(value: Any) -> str:
    return f"{money(value):,.2f}"


def _number(value: Any) -> str:
    return f"{Decimal(value):,.2f}".rstrip("0").rstrip(".") if value is not None else "—"


def _day_bounds(period: Period) -> tuple[datetime, datetime]:
    """The period as aware moments in the plant's time zone: entry times are compared with it."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _names(model, pks: Iterable[int], field_name: str = "username") -> dict[int, str]:
    return dict(model.objects.filter(pk__in=set(pks)).values_list("pk", field_name))


def _users(pks: Iterable[int]) -> dict[int, str]:
    from accounts.models import User

    return _names(User, pks)


# Threshold splitting ---------------------------------------------------------------------------


LINKS_PER_FINDING = 6


def _split_groups(party: str, key: str, candidates, period: Period, kept: bool):
    """The (``key``, date) groups of the band's documents: n, together and how many parties, from
    the bills' kept facts when ``kept`` (a customer's day is one ``SplitCustomerDay`` row, a
    creator's one ``SplitCreatorDay`` row), else grouped from the documents."""
    if kept:
        model = SplitCustomerDay if key == party else SplitCreatorDay
        rows = model.objects.filter(date__gte=period.start, date__lte=period.end)
        parties = {} if key == party else {"parties": F("customers")}
        return rows.values(key, "date", n=F("bills"), together=F("total"), **parties)
    return candidates.values(key, "date").annotate(
        n=Count("id"), together=Sum("total"), parties=Count(party, distinct=True)
    )


def threshold_splitting(period: Period, *, kept: bool | None = None) -> Found:
    """Two or more documents of one customer (supplier) or one creator on one day, each under the
    approval limit (and at least ``EXCEPTION_SPLIT_SHARE`` % of it), together over it.

    The bills are grouped from their kept facts while those were summed for today's band (the
    default, ``kept=None``); after a change of the limit or the share, from the bills themselves
    until ``summaries.rebuild()``. Purchases, which are few, are always read themselves."""

    floor, limit = summaries.split_band()
    if kept is None:
        kept = summaries.kept_split_band() == (floor, limit)
    total, findings = 0, []
    for model, party in ((Sale, "customer"), (Purchase, "supplier")):
        noun = PAGES[model][1]
        candidates = model.objects.filter(
            status=DocumentStatus.POSTED,
            date__gte=period.start,
            date__lte=period.end,
            total__lte=limit,
            total__gte=floor,
        )
        for key in (party, "created_by"):
            from_facts = kept and model is Sale
            groups = _split_groups(party, key, candidates, period, from_facts)
            groups = groups.filter(n__gte=2, together__gt=limit)
            if key == "created_by":
                # One creator's documents for one customer are that customer's split already.
                groups = groups.filter(parties__gte=2)
            room = max(0, _limit() - len(findings))
            if not room:
                # Only the count (the digest, or the page's rows are full): no group is read out.
                total += groups.count()
                continue
            ordered = groups.order_by("date", key)
            if from_facts:
                # A year's groups are thousands: counted in the database, only the shown read out.
                shown = list(ordered[:room])
                total += len(shown) if len(shown) < room else groups.count()
            else:
                every = list(ordered)
                total += len(every)
                shown = every[:room]
            if not shown:
                continue
            pairs = {(g[key], g["date"]) for g in shown}
            # The shown groups are the first days' (in date order): their documents are the band's
            # on those days for those parties, read in id order and cut at the links a finding
            # shows, here rather than by a window over them (which sorts every one first).
            docs = (
                candidates.filter(
                    date__gte=shown[0]["date"],
                    date__lte=shown[-1]["date"],
                    **{f"{key}__in": {k for k, _d in pairs}},
                )
                .order_by("id")
                .values("id", "number", "date", "created_by", party, f"{party}__name", "created_by__username")
            )
            by_group: dict[tuple, list[dict]] = {}
            for doc in docs:
                pair = (doc[key], doc["date"])
                if pair in pairs:
                    bucket = by_group.setdefault(pair, [])
                    if len(bucket) < LINKS_PER_FINDING:
                        bucket.append(doc)
            for group in shown:
                docs = by_group.get((group[key], group["date"]), [])
                creators = sorted({d["created_by__username"] for d in docs})
                counterparties = sorted({d[f"{party}__name"] for d in docs})
                if key == party:
                    who = f"for {party} {counterparties[0] if counterparties else '?'}"
                else:
                    who = f"by {', '.join(creators)}"
                linked = f" (the first {len(docs)} linked)" if group["n"] > len(docs) else ""
                findings.append(
                    Finding(
                        check="threshold-split",
                        day=group["date"],
                        documents=[_link(model, d["id"], d["number"]) for d in docs],
                        person=", ".join(creators),
                        subject=", ".join(counterparties),
                        reason=(
                            f"{group['n']} {noun}s {who} on {group['date'].isoformat()}{linked}, each under "
                            f"the approval limit {_amount(limit)}, together {_amount(group['together'])}: "
                            f"check whether one {noun} was split to skip approval."
                        ),
                    )
                )
    return Found(total, findings)


# Bill lines: below cost, big discounts, prices far from the reference ----------------------------


def reference_price() -> Expression:
    """The price a bill line is compared with (relative to ``SaleLine``).

    Today the item's default price; when customer price lists exist, this one function returns the
    customer's list price instead (e.g. a ``Subquery`` on ``sale__customer`` and ``item``), and
    ``_far_from_reference`` its condition.
    """
    return F("item__default_price")


def _posted_lines(period: Period):
    return SaleLine.objects.filter(
        sale__status=DocumentStatus.POSTED, sale__date__gte=period.start, sale__date__lte=period.end
    )


# The division is rounded (to 20 places in PostgreSQL, to a double in SQLite): the index finds the
# lines whose share is at least this far under the limit, and the exact test decides among them.
SHARE_SLACK = Decimal("1e-9")


def _far_from_reference() -> Q:
    """Lines priced more than ``EXCEPTION_PRICE_PERCENT`` from their item's default price, as one
    price band per item: the index ``sale_line_item_price`` reads only the lines outside a band, so a
    changed default price or limit is right at once (nothing about a line was kept but its price)."""
    from inventory.models import Item

    off = settings.EXCEPTION_PRICE_PERCENT / HUNDRED
    bands = [
        # The same products the database made as ``unit_price > default_price × (1 + off)``: exact.
        Q(item_id=item_id) & (Q(unit_price__gt=price * (1 + off)) | Q(unit_price__lt=price * (1 - off)))
        for item_id, price in Item.objects.filter(default_price__gt=0).values_list("pk", "default_price")
    ]
    if not bands:
        return Q(pk__isnull=True)  # no line: no item has a price to be far from
    far = bands[0]
    for band in bands[1:]:
        far |= band
    return far


def _line_flags(cache: dict) -> tuple[Q, Q, Q]:
    """Below cost, a big discount, far from the reference price: conditions on a bill line, each of
    which an index of ``SaleLine`` answers by reading only the lines it marks (they need the
    ``gross`` and ``discount_share`` aliases of ``_lines_with_aliases``). Made once per report
    (``cache``): the price bands are a query and one condition per item."""
    if "line_flags" not in cache:
        cache["line_flags"] = _new_line_flags()
    return cache["line_flags"]


def _new_line_flags() -> tuple[Q, Q, Q]:
    below = Q(cost__isnull=False, amount__lt=F("cost"))
    share = settings.EXCEPTION_DISCOUNT_PERCENT / HUNDRED
    big_discount = Q(discount__gt=0) & Q(discount__gt=F("gross") * share)
    if connection.vendor == "postgresql":
        # The indexed share first, so the index finds the few candidates; on SQLite (no such plan
        # to choose, and whole-number decimals divide as integers there) the exact test alone.
        big_discount &= Q(discount_share__gt=share - SHARE_SLACK)
    return below, big_discount, _far_from_reference()


def marked_sales(cache: dict) -> list[int] | None:
    """The bills with a line any of ``_line_flags`` marks, each condition read alone through its
    index (one table, so the planner takes the index: a handful of rows at sensible limits).

    None when more than ``MARKED_SALES_CAP`` bills have one (a limit set so low that it marks a
    good part of the year): the checks then read the period's lines, as they did before."""
    if "marked_sales" not in cache:
        lines = SaleLine.objects.alias(
            gross=F("quantity") * F("unit_price"), discount_share=discount_share()
        ).order_by()
        found: set[int] | None = set()
        for condition in _line_flags(cache):
            found.update(
                lines.filter(condition).values_list("sale_id", flat=True).distinct()[: MARKED_SALES_CAP + 1]
            )
            if len(found) > MARKED_SALES_CAP:
                found = None
                break
        cache["marked_sales"] = None if found is None else sorted(found)
    return cache["marked_sales"]


MARKED_SALES_CAP = 20_000


def _lines_with_aliases(period: Period, cache: dict | None = None):
    lines = _posted_lines(period)
    marked = marked_sales({} if cache is None else cache)
    if marked is not None:
        # Only the marked bills' lines: the same rows the conditions pick, found without the pass.
        lines = lines.filter(sale_id__in=marked)
    return lines.alias(
        gross=F("quantity") * F("unit_price"), expected=reference_price(), discount_share=discount_share()
    )


def _line_groups(period: Period, cache: dict) -> list[dict]:
    """Per creator and customer, how many lines were sold below cost, at a big discount or far from
    the reference price: one pass over only the lines any of them marks (the three indexes' rows)."""
    if "line_groups" not in cache and marked_sales(cache) == []:
        cache["line_groups"] = []  # no line anywhere is marked: nothing to group (or to compile)
    if "line_groups" not in cache:
        below, big_discount, far = _line_flags(cache)
        line_value = F("quantity") * F("unit_price")
        cache["line_groups"] = list(
            _lines_with_aliases(period, cache)
            .filter(below | big_discount | far)
            .values("sale__created_by", "sale__customer")
            .annotate(
                below=Count("id", filter=below),
                discount=Count("id", filter=big_discount),
                far_lines=Count("id", filter=far),
                charged=Sum(line_value, filter=far),
                expected_value=Sum(F("quantity") * F("expected"), filter=far),
            )
            .order_by("sale__created_by", "sale__customer")
        )
    return cache["line_groups"]


LINE_VALUES = (
    "sale_id",
    "sale__number",
    "sale__date",
    "sale__created_by__username",
    "sale__customer__name",
    "item__sku",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "cost",
    "unit_cost",
)


def _flagged_rows(period: Period, condition: Q, cache: dict) -> list[dict]:
    return list(
        _lines_with_aliases(period, cache)
        .filter(condition)
        .order_by("sale__date", "sale_id", "id")
        .values(*LINE_VALUES)[: _limit()]
    )


def _line_finding(check: str, row: dict, reason: str) -> Finding:
    return Finding(
        check=check,
        day=row["sale__date"],
        documents=[_link(Sale, row["sale_id"], row["sale__number"])],
        person=row["sale__created_by__username"],
        subject=f"{row['sale__customer__name']} · {row['item__sku']}",
        reason=reason,
    )


def _flagged_lines(
    period: Period, cache: dict | None, *, check: str, count: str, flag: int, reason: Callable[[dict], str]
) -> Found:
    """The lines one of ``_line_flags`` marks: counted from the per-group counts the database made
    (a few hundred groups at most), and read one by one only when there are any."""
    cache = {} if cache is None else cache
    total = sum(g[count] for g in _line_groups(period, cache))
    if not total:
        return Found()
    rows = _flagged_rows(period, _line_flags(cache)[flag], cache)
    return Found(total, [_line_finding(check, row, reason(row)) for row in rows])


def _below_cost_reason(row: dict) -> str:
    net = money(Decimal(row["amount"]) / row["quantity"])
    return (
        f"{row['quantity']:,} × {row['item__sku']} sold at {_amount(net)} each (after discount), "
        f"under the cost {Decimal(row['unit_cost']):,.4f} at posting: a loss of "
        f"{_amount(Decimal(row['cost']) - Decimal(row['amount']))}."
    )


def _big_discount_reason(row: dict) -> str:
    gross = Decimal(row["unit_price"]) * row["quantity"]
    return (
        f"A discount of {_amount(row['discount'])} on {_amount(gross)} "
        f"({percent(row['discount'], gross)} %) is above "
        f"{_number(settings.EXCEPTION_DISCOUNT_PERCENT)} %."
    )


def below_cost(period: Period, cache: dict | None = None) -> Found:
    return _flagged_lines(period, cache, check="below-cost", count="below", flag=0, reason=_below_cost_reason)


def big_discounts(period: Period, cache: dict | None = None) -> Found:
    return _flagged_lines(
        period, cache, check="big-discount", count="discount", flag=1, reason=_big_discount_reason
    )


def price_deviations(period: Period, cache: dict | None = None) -> Found:
    """Lines priced far from the reference price, per person who billed and customer."""
    cache = {} if cache is None else cache
    groups = sorted(
        (g for g in _line_groups(period, cache) if g["far_lines"]),
        key=lambda g: (-g["far_lines"], g["sale__created_by"], g["sale__customer"]),
    )
    shown = groups[: _limit()]
    if not shown:
        return Found(len(groups))
    people = _users(g["sale__created_by"] for g in shown)
    customers = dict(
        Customer.objects.filter(pk__in={g["sale__customer"] for g in shown}).values_list("pk", "name")
    )
    # A few bills of each group to link to: one query for all the groups shown.
    keys = {(g["sale__created_by"], g["sale__customer"]) for g in shown}
    examples: dict[tuple, list[tuple[str, str]]] = {}
    condition = Q()
    for user_id, customer_id in keys:
        condition |= Q(sale__created_by=user_id, sale__customer=customer_id)
    far = _line_flags(cache)[2]
    far_lines = _lines_with_aliases(period, cache).filter(far & condition)
    # Bills per group only here, for the groups shown: a distinct count over the whole year's lines
    # would double the time of the pass that finds them.
    bill_counts = {
        (r["sale__created_by"], r["sale__customer"]): r["bills"]
        for r in far_lines.values("sale__created_by", "sale__customer").annotate(
            bills=Count("sale", distinct=True)
        )
    }
    for sale_id, number, user_id, customer_id in (
        far_lines.values_list("sale_id", "sale__number", "sale__created_by", "sale__customer")
        .distinct()
        .order_by("sale__created_by", "sale__customer", "sale_id")
    ):
        bucket = examples.setdefault((user_id, customer_id), [])
        if len(bucket) < LINKS_PER_FINDING:
            bucket.append(_link(Sale, sale_id, number))
    findings = []
    for g in shown:
        key = (g["sale__created_by"], g["sale__customer"])
        linked = examples.get(key, [])
        lines, bills = g["far_lines"], bill_counts.get(key, len(linked))
        findings.append(
            Finding(
                check="price-deviation",
                day=None,
                documents=linked,
                person=people.get(key[0], "?"),
                subject=customers.get(key[1], "?"),
                reason=(
                    f"{lines:,} line{'s' if lines != 1 else ''} on {bills:,} bill{'s' if bills != 1 else ''}"
                    f"{f' (the first {len(linked)} linked)' if bills > len(linked) else ''} priced more "
                    f"than {_number(settings.EXCEPTION_PRICE_PERCENT)} % from the item's default price: "
                    f"charged {_amount(g['charged'])} where the default prices make "
                    f"{_amount(g['expected_value'])}."
                ),
            )
        )
    return Found(len(groups), findings)


# Cancellations and rejections per person -------------------------------------------------------


def undone_by_person(start: date, end: date, *, kept: bool = True) -> dict[int, dict[str, int]]:
    """{creator id: {"made", "cancelled", "rejected"}} over every document type, dated in the range.

    With ``kept``, the posted (ever) and cancelled ones are the kept day counts (``DocumentDay``)
    and only the few pending and rejected documents are read (through the status index): made =
    posted + pending + rejected, as a document leaves draft once and only for one of those."""
    if kept:
        return _undone_from_days(start, end)
    result: dict[int, dict[str, int]] = {}
    for model in DOCUMENT_MODELS:
        rows = (
            model.objects.filter(date__gte=start, date__lte=end)
            .exclude(status=DocumentStatus.DRAFT)
            .values("created_by")
            .annotate(
                made=Count("id"),
                cancelled=Count("id", filter=Q(status=DocumentStatus.CANCELLED)),
                rejected=Count("id", filter=Q(status=DocumentStatus.REJECTED)),
            )
        )
        for row in rows:
            # Adds five per-type counts per person that the database already made.
            into = result.setdefault(row["created_by"], {"made": 0, "cancelled": 0, "rejected": 0})
            for name in ("made", "cancelled", "rejected"):
                into[name] += row[name]
    return result


def _undone_from_days(start: date, end: date) -> dict[int, dict[str, int]]:
    return _undone_from_days_split(start, end, split=start)[1]


def _undone_from_days_split(start: date, end: date, *, split: date) -> list[dict[int, dict[str, int]]]:
    """``undone_by_person`` of [start, split) and of [split, end], from the kept days, in one query."""
    result: list[dict[int, dict[str, int]]] = [{}, {}]

    def add(part: int, user_id: int, made: int, cancelled: int, rejected: int) -> None:
        into = result[part].setdefault(user_id, {"made": 0, "cancelled": 0, "rejected": 0})
        into["made"] += made
        into["cancelled"] += cancelled
        into["rejected"] += rejected

    side = Case(When(date__lt=split, then=Value(0)), default=Value(1))
    # One query: the kept days' counts, and each type's pending and rejected documents (the kept
    # days' rows carry rejected = 0; the waiting ones' carry posted-and-cancelled = 0).
    days = (
        DocumentDay.objects.filter(
            date__gte=start,
            date__lte=end,
            document__in=[model._meta.label_lower for model in DOCUMENT_MODELS],
            posted__gt=0,
        )
        .values("created_by", part=side)
        .annotate(n=Sum("posted"), cancelled=Sum("cancelled"), rejected=Value(0))
        .order_by()
    )
    waiting = [DocumentStatus.PENDING, DocumentStatus.REJECTED]
    parts = [
        model.objects.filter(status__in=waiting, date__gte=start, date__lte=end)
        .values("created_by", part=side)
        .annotate(
            n=Count("id"),
            cancelled=Value(0),
            rejected=Count("id", filter=Q(status=DocumentStatus.REJECTED)),
        )
        .order_by()
        for model in DOCUMENT_MODELS
    ]
    for row in days.union(*parts, all=True):
        add(row["part"], row["created_by"], row["n"], row["cancelled"], row["rejected"])
    return result


def undone_documents(period: Period, *, kept: bool = True) -> Found:
    """People whose documents are cancelled or rejected far more often than usual (their own
    baseline, or everyone's); ``kept=False`` counts every document of the period itself."""
    baseline_end = period.start - timedelta(days=1)
    baseline_start = baseline_end - timedelta(days=max(1, settings.EXCEPTION_BASELINE_DAYS) - 1)
    if kept:
        # The period and its baseline in one query (the kept days are few rows a day).
        before, now = _undone_from_days_split(baseline_start, period.end, split=period.start)
    else:
        now = undone_by_person(period.start, period.end, kept=False)
        before = undone_by_person(baseline_start, baseline_end, kept=False)
    if not any(r["cancelled"] + r["rejected"] >= settings.EXCEPTION_UNDONE_MIN for r in now.values()):
        return Found()  # nobody has enough to judge
    plant_made = sum(r["made"] for r in before.values())
    plant_undone = sum(r["cancelled"] + r["rejected"] for r in before.values())
    if plant_made < 20:
        # Too little history: everyone's rate in the period itself is the usual one.
        plant_made = sum(r["made"] for r in now.values())
        plant_undone = sum(r["cancelled"] + r["rejected"] for r in now.values())
    plant_rate = Decimal(plant_undone) / plant_made if plant_made else Decimal(0)
    people = _users(now)
    findings = []
    for user_id, row in sorted(now.items(), key=lambda kv: people.get(kv[0], "")):
        undone = row["cancelled"] + row["rejected"]
        if undone < settings.EXCEPTION_UNDONE_MIN or not row["made"]:
            continue
        usual_row = before.get(user_id)
        if usual_row and usual_row["made"] >= 20:
            usual = Decimal(usual_row["cancelled"] + usual_row["rejected"]) / usual_row["made"]
            whose = "their own"
        else:
            usual, whose = plant_rate, "everyone's"
        rate = Decimal(undone) / row["made"]
        if rate <= usual * settings.EXCEPTION_UNDONE_FACTOR:
            continue
        findings.append(
            Finding(
                check="undone",
                day=None,
                documents=_undone_examples(user_id, period),
                person=people.get(user_id, "?"),
                subject="",
                reason=(
                    f"{row['cancelled']:,} cancelled and {row['rejected']:,} rejected of {row['made']:,} "
                    f"documents ({rate * HUNDRED:.1f} %), against {whose} usual "
                    f"{usual * HUNDRED:.1f} %: ask what went wrong."
                ),
            )
        )
    return Found(len(findings), findings[: _limit()])


def _undone_examples(user_id: int, period: Period) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    for model in DOCUMENT_MODELS:
        for pk, number in model.objects.filter(
            created_by=user_id,
            date__gte=period.start,
            date__lte=period.end,
            status__in=[DocumentStatus.CANCELLED, DocumentStatus.REJECTED],
        ).values_list("pk", "number")[: 5 - len(links)]:
            links.append(_link(model, pk, number))
        if len(links) >= 5:
            break
    return links


# When documents were entered -------------------------------------------------------------------


def working_hours() -> tuple[time, time | None]:
    """``EXCEPTION_WORKING_HOURS`` as (start, end); an end of 24:00 is the end of the day (None)."""
    text = settings.EXCEPTION_WORKING_HOURS.strip()
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start = time.fromisoformat(start_text)
        end = None if end_text == "24:00" else time.fromisoformat(end_text)
    except ValueError:
        raise ImproperlyConfigured(
            f"EXCEPTION_WORKING_HOURS must look like 06:00-22:00, not {text!r}."
        ) from None
    if end is not None and end <= start:
        raise ImproperlyConfigured(f"EXCEPTION_WORKING_HOURS: the end comes before the start in {text!r}.")
    return start, end


def _entry_conditions() -> dict[str, Q]:
    """Back-dated and after-hours, on documents with the ``lag`` and ``entered_time`` aliases."""
    start, end = working_hours()
    outside = Q(entered_time__lt=start) | (Q(entered_time__gte=end) if end else Q(pk__in=[]))
    late = Q(lag__gt=timedelta(days=settings.EXCEPTION_BACKDATED_DAYS))
    return {"back-dated": late, "after-hours": outside}


def _entered_in(model: type, period: Period):
    start, end = _day_bounds(period)
    return (
        model.objects.filter(created_at__gte=start, created_at__lt=end)
        .exclude(status=DocumentStatus.DRAFT)
        .alias(lag=entry_lag(), entered_time=entered_time())
    )


def _entry_counts(period: Period, cache: dict) -> dict[type, dict[str, int]]:
    """{document type: {check: how many}}: one count per type of the entries any check marks,
    split by check, so that the indexes on the entry time and lag of bills, payments and runs (the
    types that grow with the business) read only those entries; every type in one statement."""
    if "entries" not in cache:
        conditions = _entry_conditions()
        marked = Q()
        for condition in conditions.values():
            marked |= condition
        counts = [
            _entered_in(model, period)
            .filter(marked)
            .annotate(part=Value(n))
            .values("part")
            .annotate(**{f"n{k}": Count("pk", filter=c) for k, c in enumerate(conditions.values())})
            .order_by()
            for n, model in enumerate(DOCUMENT_MODELS)
        ]
        found = {row["part"]: row for row in counts[0].union(*counts[1:], all=True)}
        cache["entries"] = {
            model: {key: found.get(n, {}).get(f"n{k}", 0) for k, key in enumerate(conditions)}
            for n, model in enumerate(DOCUMENT_MODELS)
        }
    return cache["entries"]


def _entry_findings(check: str, period: Period, cache: dict | None, reason: Callable[[dict], str]) -> Found:
    counts = _entry_counts(period, {} if cache is None else cache)
    condition = _entry_conditions()[check]
    total, findings = 0, []
    cap = _limit()
    for model in DOCUMENT_MODELS:
        found = counts[model][check]
        total += found
        if not found or len(findings) >= cap:
            continue
        for row in (
            _entered_in(model, period)
            .filter(condition)
            .order_by("created_at", "id")
            .values("id", "number", "date", "created_at", "created_by__username")[: cap - len(findings)]
        ):
            row["noun"] = PAGES[model][1]
            findings.append(
                Finding(
                    check=check,
                    day=row["date"],
                    documents=[_link(model, row["id"], row["number"])],
                    person=row["created_by__username"],
                    subject="",
                    reason=reason(row),
                )
            )
    return Found(total, findings)


def back_dated(period: Period, cache: dict | None = None) -> Found:
    days = settings.EXCEPTION_BACKDATED_DAYS

    def reason(row):
        entered = timezone.localtime(row["created_at"]).date()
        return (
            f"A {row['noun']} dated {row['date'].isoformat()} was entered on {entered.isoformat()}, "
            f"{(entered - row['date']).days} days later (more than {days}): check why it came late."
        )

    return _entry_findings("back-dated", period, cache, reason)


def after_hours(period: Period, cache: dict | None = None) -> Found:
    hours = settings.EXCEPTION_WORKING_HOURS

    def reason(row):
        at = timezone.localtime(row["created_at"])
        return f"A {row['noun']} entered at {at:%H:%M} on {at:%Y-%m-%d}, outside working hours ({hours})."

    return _entry_findings("after-hours", period, cache, reason)


# Stock counts ----------------------------------------------------------------------------------


def _count_lines(period: Period):
    return StockCountLine.objects.filter(
        count__status=DocumentStatus.POSTED, count__date__gte=period.start, count__date__lte=period.end
    )


def count_variances(period: Period) -> Found:
    """Count lines whose difference is a big share of what the ledger held, or worth a lot."""
    share = settings.EXCEPTION_COUNT_PERCENT / HUNDRED
    outliers = (
        _count_lines(period)
        .exclude(difference=0)
        .alias(size=Abs("difference"), worth=Abs("variance_value"))
        .filter(Q(worth__gt=settings.EXCEPTION_COUNT_VALUE) | Q(size__gt=Abs("system_quantity") * share))
    )
    total, rows = _counted(
        outliers,
        ("count__date", "count_id", "id"),
        (
            "count_id",
            "count__number",
            "count__date",
            "count__created_by__username",
            "item__sku",
            "system_quantity",
            "counted_quantity",
            "difference",
            "variance_value",
        ),
    )
    findings = []
    for row in rows:
        held = row["system_quantity"] or 0
        findings.append(
            Finding(
                check="count-variance",
                day=row["count__date"],
                documents=[_link(StockCount, row["count_id"], row["count__number"])],
                person=row["count__created_by__username"],
                subject=row["item__sku"],
                reason=(
                    f"Counted {row['counted_quantity']:,} where the ledger held {held:,}: "
                    f"{row['difference']:+,} ({percent(abs(row['difference']), held) or '—'} % of it), "
                    f"worth {_amount(row['variance_value'])}; recount, or ask who counted."
                ),
            )
        )
    return Found(total, findings)


def count_variance_table(period: Period) -> Table:
    """Count variances per month, item and who counted: the pattern over time."""
    rows = list(
        _count_lines(period)
        .annotate(month=TruncMonth("count__date"))
        .values("month", "item__sku", "count__created_by__username")
        .annotate(
            lines=Count("id"),
            differing=Count("id", filter=~Q(difference=0)),
            net=Sum("difference"),
            loss=Sum("variance_value", filter=Q(variance_value__lt=0)),
            gain=Sum("variance_value", filter=Q(variance_value__gt=0)),
        )
        .order_by("month", "item__sku", "count__created_by__username")
    )
    shown = [
        {
            "month": row["month"].strftime("%Y-%m") if row["month"] else "",
            "item": row["item__sku"],
            "counted_by": row["count__created_by__username"],
            "lines": row["lines"],
            "differing": row["differing"],
            "net": int(row["net"] or 0),
            "loss": money(row["loss"]),
            "gain": money(row["gain"]),
        }
        for row in rows
    ]
    return Table(
        "count-variances",
        "Stock-count variances by month, item and who counted",
        [
            Column("month", "Month"),
            Column("item", "Item"),
            Column("counted_by", "Counted by"),
            Column("lines", "Lines counted", "int"),
            Column("differing", "Lines off", "int"),
            Column("net", "Net difference", "int"),
            Column("loss", "Loss value", "money"),
            Column("gain", "Gain value", "money"),
        ],
        shown,
    )


# Production ------------------------------------------------------------------------------------


def _window(period: Period) -> Period:
    days = max(1, settings.EXCEPTION_RUN_WINDOW_DAYS)
    return Period(min(period.start, period.end - timedelta(days=days - 1)), period.end)


def run_outliers(period: Period) -> Found:
    window = _window(period)
    rows = run_medians.outliers(
        window=window,
        period=period,
        min_runs=settings.EXCEPTION_RUN_MIN_RUNS,
        yield_points=settings.EXCEPTION_YIELD_POINTS,
        cost_share=settings.EXCEPTION_RUN_COST_PERCENT / HUNDRED,
        z_limit=settings.EXCEPTION_RUN_Z_LIMIT,
    )
    findings = []
    for row in rows[: _limit()]:
        gap = abs(row.value - row.median)
        side = "below" if row.value < row.median else "above"
        if row.metric == "yield":
            what = f"Yield {row.value:.1f} % is {gap:.1f} points {side} the median {row.median:.1f} %"
            spread = f"{row.mad:.1f} points"
        else:
            what = f"Conversion cost {row.value:,.4f} a bottle is {side} the median {row.median:,.4f}"
            spread = f"{row.mad:,.4f}"
        findings.append(
            Finding(
                check="run-outlier",
                day=row.date,
                documents=[_link(ProductionRun, row.run_id, row.number)],
                person=row.person,
                subject=f"{row.machine} · {row.shift} · {row.product}",
                reason=(
                    f"{what} of {row.runs} runs of {row.product} on {row.machine}, {row.shift} shift, "
                    f"since {window.start.isoformat()} (median absolute deviation {spread}): look at "
                    "the machine and at how the run was entered."
                ),
            )
        )
    return Found(len(rows), findings)


def _trend_rows(period: Period) -> list[dict]:
    """Per machine: yield in the earlier and later half of the window, from the runs' kept outcomes."""
    window = _window(period)
    middle = window.start + timedelta(days=window.days // 2)
    early, late = Q(date__lt=middle), Q(date__gte=middle)
    made = {
        r["machine"]: r
        for r in RunOutcome.objects.filter(runs__gt=0, date__gte=window.start, date__lte=window.end)
        .values("machine")
        .annotate(
            early_runs=Count("pk", filter=early),
            late_runs=Count("pk", filter=late),
            early_good=Sum("good", filter=early),
            late_good=Sum("good", filter=late),
            early_rejected=Sum("rejected", filter=early),
            late_rejected=Sum("rejected", filter=late),
        )
        .order_by()
    }
    rows = []
    for machine in sorted(made):
        r = made[machine]
        early_good, late_good = int(r["early_good"] or 0), int(r["late_good"] or 0)
        early_yield = percent(early_good, early_good + int(r["early_rejected"] or 0))
        late_yield = percent(late_good, late_good + int(r["late_rejected"] or 0))
        change = late_yield - early_yield if early_yield is not None and late_yield is not None else None
        rows.append(
            {
                "machine": machine,
                "early_runs": r["early_runs"],
                "early_yield": early_yield,
                "late_runs": r["late_runs"],
                "late_yield": late_yield,
                "change": change,
                "window": window,
                "middle": middle,
            }
        )
    return rows


def falling_yield(period: Period, cache: dict | None = None) -> Found:
    cache = {} if cache is None else cache
    if "trend" not in cache:
        cache["trend"] = _trend_rows(period)
    findings = []
    minimum = settings.EXCEPTION_RUN_MIN_RUNS
    for row in cache["trend"]:
        if row["change"] is None or row["early_runs"] < minimum or row["late_runs"] < minimum:
            continue
        if -row["change"] <= settings.EXCEPTION_TREND_POINTS:
            continue
        window, middle = row["window"], row["middle"]
        findings.append(
            Finding(
                check="falling-yield",
                day=None,
                documents=[],
                person="",
                subject=row["machine"],
                reason=(
                    f"Yield on {row['machine']} fell from {row['early_yield']} % "
                    f"({window.start.isoformat()} – {(middle - timedelta(days=1)).isoformat()}, "
                    f"{row['early_runs']} runs) to {row['late_yield']} % ({middle.isoformat()} – "
                    f"{window.end.isoformat()}, {row['late_runs']} runs): schedule maintenance or check "
                    "the preforms it gets."
                ),
            )
        )
    return Found(len(findings), findings[: _limit()])


# Payments --------------------------------------------------------------------------------------


def cancelled_payments(period: Period) -> Found:
    start, end = _day_bounds(period)
    payments = Payment.objects.filter(
        status=DocumentStatus.CANCELLED, cancelled_at__gte=start, cancelled_at__lt=end
    )
    total, rows = _counted(
        payments,
        ("cancelled_at", "id"),
        (
            "id",
            "number",
            "date",
            "amount",
            "sale_id",
            "sale__number",
            "customer__name",
            "created_by__username",
            "cancelled_by__username",
            "cancel_reason",
        ),
    )
    findings = [
        Finding(
            check="payment-cancelled",
            day=row["date"],
            documents=[_link(Payment, row["id"], row["number"])]
            + ([_link(Sale, row["sale_id"], row["sale__number"])] if row["sale_id"] else []),
            person=row["created_by__username"],
            subject=row["customer__name"],
            reason=(
                f"A payment of {_amount(row['amount'])} from {row['customer__name']} was cancelled by "
                f"{row['cancelled_by__username']}: “{row['cancel_reason']}”. Check whether the money "
                "reached the bank."
            ),
        )
        for row in rows
    ]
    return Found(total, findings)


def unbilled_payments(period: Period) -> Found:
    """Posted payments on account from customers with no posted bill dated up to the payment."""
    billed = Sale.objects.filter(
        customer=OuterRef("customer"), status=DocumentStatus.POSTED, date__lte=OuterRef("date")
    )
    payments = Payment.objects.filter(
        status=DocumentStatus.POSTED, sale__isnull=True, date__gte=period.start, date__lte=period.end
    ).filter(~Exists(billed))
    total, rows = _counted(
        payments, ("date", "id"), ("id", "number", "date", "amount", "customer__name", "created_by__username")
    )
    findings = [
        Finding(
            check="payment-no-bill",
            day=row["date"],
            documents=[_link(Payment, row["id"], row["number"])],
            person=row["created_by__username"],
            subject=row["customer__name"],
            reason=(
                f"{row['customer__name']} paid {_amount(row['amount'])} on account but has no bill up to "
                f"{row['date'].isoformat()}: find what it pays for, or refund it."
            ),
        )
        for row in rows
    ]
    return Found(total, findings)


# The report ------------------------------------------------------------------------------------

CHECKS = [
    Check("threshold-split", "Threshold splitting", threshold_splitting),
    Check("below-cost", "Sold below cost", below_cost),
    Check("big-discount", "Discount above the limit", big_discounts),
    Check("price-deviation", "Prices far from the default price", price_deviations),
    Check("undone", "Cancellations and rejections above the usual rate", undone_documents),
    Check("back-dated", "Back-dated entries", back_dated),
    Check("after-hours", "Entered outside working hours", after_hours),
    Check("count-variance", "Stock-count variance outliers", count_variances),
    Check("run-outlier", "Production runs far from their median", run_outliers),
    Check("falling-yield", "Machines with falling yield", falling_yield),
    Check("payment-cancelled", "Payments cancelled", cancelled_payments),
    Check("payment-no-bill", "Paid on account with no bill", unbilled_payments),
]
TITLES = {check.key: check.title for check in CHECKS}
# The checks that share a pass over the data through the cache.
SHARED = (below_cost, big_discounts, price_deviations, back_dated, after_hours, falling_yield)


def run_checks(period: Period, cache: dict | None = None, check: str = "") -> dict[str, Found]:
    """Every check's result for the period (or only ``check``'s), in the order the report shows them.

    ``cache`` holds what two checks share (the flagged bill lines, the machines' yield halves)."""
    cache = {} if cache is None else cache
    results = {}
    for each in CHECKS:
        if check and each.key != check:
            continue
        if each.run in SHARED:
            results[each.key] = each.run(period, cache)
        else:
            results[each.key] = each.run(period)
    return results


def findings_by_check(start: date, end: date) -> dict[str, int]:
    """{check key: how many findings} for ``start``–``end``, in the report's order."""
    with showing(0), report_reads():
        return {key: found.total for key, found in run_checks(Period(start, end)).items()}


def count_findings(start: date, end: date) -> int:
    """How many findings the exceptions report has for ``start``–``end`` (for the daily digest)."""
    return sum(findings_by_check(start, end).values())


FINDING_COLUMNS = [
    Column("check", "Check"),
    Column("date", "Date", "date"),
    Column("documents", "Documents", "link"),
    Column("person", "Who"),
    Column("subject", "Customer, item or machine"),
    Column("reason", "Why it is here"),
    Column("addresses", "Links", "url"),
]


def _finding_row(finding: Finding) -> dict[str, Any]:
    return {
        "check": TITLES[finding.check],
        "date": finding.day,
        "documents": ", ".join(number for number, _url in finding.documents),
        "documents_links": finding.documents,
        "person": finding.person,
        "subject": finding.subject,
        "reason": finding.reason,
        "addresses": " ".join(url for _number, url in finding.documents),
    }


def _check_address(period: Period, key: str) -> str:
    """The screen of one check over the same dates (relative: the report's own page)."""
    return "?" + urlencode({"start": period.start.isoformat(), "end": period.end.isoformat(), "check": key})


def _trend_table(period: Period, cache: dict) -> Table:
    if "trend" not in cache:
        cache["trend"] = _trend_rows(period)
    window = _window(period)
    keys = ("machine", "early_runs", "early_yield", "late_runs", "late_yield", "change")
    return Table(
        "yield-trend",
        f"Yield per machine, earlier and later half of {window}",
        [
            Column("machine", "Machine"),
            Column("early_runs", "Runs (earlier)", "int"),
            Column("early_yield", "Yield % (earlier)", "percent"),
            Column("late_runs", "Runs (later)", "int"),
            Column("late_yield", "Yield % (later)", "percent"),
            Column("change", "Change (points)", "percent"),
        ],
        [{key: row[key] for key in keys} for row in cache["trend"]],
    )


# The report of every check carries both tables; a chosen check's, the one about that check.
TABLES_OF = {
    "": ("count-variances", "yield-trend"),
    "count-variance": ("count-variances",),
    "run-outlier": ("yield-trend",),
    "falling-yield": ("yield-trend",),
}


def build(period: Period, shown: int | None = None, check: str = "") -> Report:
    """The report, of every check or only of ``check`` (a key of ``CHECKS``); ``shown``: list at
    most that many findings of each check (``PAGE_ROWS`` on the screen of every check), else
    ``EXCEPTION_MAX_ROWS``. The summary counts every finding either way."""
    if check and check not in TITLES:
        raise ValueError(f"no such check: {check!r}")
    cache: dict = {}
    with showing(shown):
        results = run_checks(period, cache, check)
        limit = _limit()
    rows = [_finding_row(f) for found in results.values() for f in found.findings]
    summary_rows = [
        {
            "check": TITLES[key],
            # On the screen of every check, each check's name opens its own screen.
            "check_links": [] if check else [(TITLES[key], _check_address(period, key))],
            "found": found.total,
            "shown": len(found.findings),
        }
        for key, found in results.items()
    ]
    total = sum(found.total for found in results.values())
    window = _window(period)
    notes = [
        f"{total:,} finding{'s' if total != 1 else ''}. Each check shows at most {limit:,}"
        + (
            " (EXCEPTION_MAX_ROWS)"
            if limit == _max_rows()
            else f" here (a check's name in the summary lists up to {_max_rows():,} of it); the print "
            f"view, CSV and XLSX list up to {_max_rows():,} of each (EXCEPTION_MAX_ROWS)"
        )
        + "; the summary gives every count.",
        "Runs are compared with the median of their machine, shift and bottle from "
        f"{window.start.isoformat()} (median absolute deviation, modified z-score above "
        f"{_number(settings.EXCEPTION_RUN_Z_LIMIT)}); prices with each item's default price.",
        "Back-dated and after-hours entries are those entered in the period; the others are dated in it.",
    ]
    tables = [
        Table(
            "summary",
            "What was found",
            [
                Column("check", "Check", "link"),
                Column("found", "Found", "int"),
                Column("shown", "Shown", "int"),
            ],
            summary_rows,
            {"check": "Total", "found": total, "shown": len(rows)},
        ),
        Table("findings", "Findings", FINDING_COLUMNS, rows),
    ]
    wanted = TABLES_OF.get(check, ())
    if "count-variances" in wanted:
        tables.append(count_variance_table(period))
    if "yield-trend" in wanted:
        tables.append(_trend_table(period, cache))
    return Report(
        name="exceptions",
        title=f"Exceptions: {TITLES[check]}" if check else "Exceptions",
        period=period,
        notes=notes,
        tables=tables,
        charts=[
            bar_chart(
                "Findings per check",
                list(results),
                [Decimal(found.total) for found in results.values()],
            )
        ]
        if not check
        else [],
        options={"check": check} if check else {},
    )
