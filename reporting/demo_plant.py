"""A realistic demo plant for ``manage.py seed_demo``: master data, then N days of business.

Everything goes through the services, as a user's entries would: master data, purchases, stock
counts, cancellations and the money of ``demo_money`` (accounts, supplier payments, expenses,
day-end cash closings) one at a time; bills and payments — a million lines a year at full scale —
and production runs a day at a time through their services' bulk paths (``sales.bulk``,
``production.bulk``), which keep every rule and cost each line and run as ``create_sale`` and
``create_run`` would. One transaction per day.

- bills stay within the bill and payment approval thresholds and runs within the run threshold (a
  bulk posting takes only documents that post at once), payments never exceed what a bill still
  owes, and only bills without payments are cancelled; a purchase, count or payment that waits is
  approved by the second person;
- every document is entered on its own business day, spread over working hours (``entry_moments``),
  as a plant entering its paperwork on the day would have it: the exceptions report finds no
  back-dated or after-hours entries in the demo.

Afterwards ``verify_ledger`` and ``reporting.summaries.differences()`` find nothing to report.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cashbook.models import CashClosing
from company.services import save_seller_profile
from core.money import money
from documents import lifecycle
from documents.models import DocumentStatus
from expenses.models import Expense
from inventory.models import Item, ItemKind, StockCount
from inventory.services import CountLineInput, RecipeInput, create_stock_count, save_item, set_recipe
from production import bulk as production_bulk
from production.models import RejectReason
from production.services import RejectLine, recipe_inputs, recipe_of
from purchasing.models import Purchase, SupplierPayment
from purchasing.services import PurchaseLineInput, create_purchase, save_supplier
from reporting.demo_money import DemoMoney
from reporting.reports.exceptions import working_hours
from sales import bulk
from sales.models import Customer, PaymentMethod, Sale
from sales.services import SaleLineInput, save_customer
from tax.gstin import make_gstin
from tax.services import save_tax_rate
from tax.states import STATE_CODES

LINES_PER_DAY_AT_FULL_SCALE = 1_000_000 / 365
LINES_PER_BILL = [18, 16, 15, 13, 12, 10, 9, 7]  # weights for 1…8 lines
MEAN_LINES = sum((i + 1) * w for i, w in enumerate(LINES_PER_BILL)) / sum(LINES_PER_BILL)
WEEKDAY = [1.05, 1.0, 1.0, 1.0, 1.05, 0.9, 0.45]  # Monday … Sunday
WEEKDAY_MEAN = sum(WEEKDAY) / 7
MACHINES = ["BM-1", "BM-2", "BM-3", "BM-4"]
SHIFTS = ["day", "evening", "night"]
MAX_RUN = 40_000
# A run uses whole kilograms of film, so a run of a few dozen bottles would cost several times the
# bottle's average and wait for approval (RUN_COST_RATIO_LIMIT); runs post in bulk, which takes
# only runs that post at once: the demo never makes fewer bottles at a time than this.
MIN_RUN = 200
OFFICE_HOURS = (time(8, 0), time(18, 0))  # when the demo's paperwork is entered, within working hours
# Documents the demo enters through the services; their entry moments are set at the day's end.
ENTERED_BY_SERVICES = (Purchase, StockCount, SupplierPayment, Expense, CashClosing)
DAY_END_SLOTS = 20  # the last of this many moments of the office day is its end
TIMESTAMPS = ("created_at", "submitted_at", "decided_at", "posted_at", "cancelled_at")


def entry_moments(day: date, count: int, *, now: datetime | None = None) -> list[datetime]:
    """``count`` moments spread evenly over the office hours of ``day`` (local time), in order,
    none later than ``now``: when a day's documents were entered, in the order they were posted.

    Office hours are kept inside the working hours the exceptions report checks against.
    """
    start, end = working_hours()
    first = max(start, OFFICE_HOURS[0])
    last = min(end, OFFICE_HOURS[1]) if end else OFFICE_HOURS[1]
    if last <= first:
        first, last = start, end or time(23, 59)
    opens = timezone.make_aware(datetime.combine(day, first))
    width = timezone.make_aware(datetime.combine(day, last)) - opens
    now = now or timezone.now()
    return [min(opens + width * (i + 0.5) / count, now) for i in range(count)]


@dataclass(frozen=True)
class Size:
    ml: int
    preform_g: str
    preform_price: str
    label_price: str
    cap: str
    price: str
    popularity: int
    conversion: str


SIZES = [
    Size(200, "9.5", "0.92", "0.10", "CAP-28", "3.00", 6, "0.14"),
    Size(300, "11.5", "1.05", "0.11", "CAP-28", "3.50", 8, "0.15"),
    Size(500, "16", "1.38", "0.12", "CAP-28", "4.50", 26, "0.17"),
    Size(750, "20", "1.70", "0.13", "CAP-28", "6.00", 8, "0.19"),
    Size(1000, "25", "2.10", "0.15", "CAP-28", "7.50", 22, "0.22"),
    Size(1500, "30", "2.55", "0.17", "CAP-28", "9.50", 12, "0.25"),
    Size(2000, "38", "3.15", "0.19", "CAP-28", "11.00", 10, "0.28"),
    Size(5000, "80", "6.80", "0.35", "CAP-38", "26.00", 8, "0.60"),
]
CAPS = {"CAP-28": ("Cap 28 mm PCO", "0.21"), "CAP-38": ("Cap 38 mm", "0.85")}
FILM = ("FILM", "Shrink film (kg)", "150.00", Decimal("0.0008"))
SUPPLIERS = [
    ("Deccan Preforms Pvt Ltd", "preform"),
    ("Sahyadri PET Industries", "preform"),
    ("Konkan Polymers", "preform"),
    ("Western Preform Works", "preform"),
    ("Capsule Closures Ltd", "cap"),
    ("Apex Caps & Closures", "cap"),
    ("Shree Label Printers", "label"),
    ("Colour Print Labels", "label"),
    ("FlexiPack Films", "packaging"),
    ("Mahalaxmi Packaging", "packaging"),
    ("Orbit Industrial Supplies", "packaging"),
    ("Pune Resin Traders", "preform"),
]
SUPPLIER_CREDIT_DAYS = {"preform": 30, "cap": 21, "label": 15, "packaging": 7}  # days to pay a bill
TOWNS = ["Pune", "Nashik", "Satara", "Kolhapur", "Solapur", "Ahmednagar", "Baramati", "Sangli", "Lonavala"]
TRADES = ["Traders", "Stores", "Distributors", "Agencies", "Mart", "Caterers", "Hotels", "Enterprises"]
# Tax data, not logic: the plant is in Maharashtra (27); its HSN codes and GST rates per item kind.
SELLER = {
    "legal_name": "Bottleworks Packaging Pvt Ltd",
    "trade_name": "Bottleworks",
    "address": "Plot 14, MIDC Chakan, Pune 410501, Maharashtra",
    "gstin": make_gstin("27", "AABCB4821K"),
    "phone": "+91 20 4000 1000",
    "email": "accounts@bottleworks.example",
    "bank_name": "State Bank of India, Chakan",
    "bank_account_number": "38412250917",
    "bank_ifsc": "SBIN0011586",
    "upi_id": "bottleworks@sbi",
    "invoice_terms": (
        "Goods once sold are not taken back. Interest at 18% a year on overdue bills. "
        "Subject to Pune jurisdiction."
    ),
}
GST_RATES = ("0", "5", "12", "18", "28")
HSN = {  # item kind: (HSN code, GST %)
    ItemKind.BOTTLE: ("39233090", "18"),
    ItemKind.PREFORM: ("39233010", "18"),
    ItemKind.CAP: ("39235010", "18"),
    ItemKind.LABEL: ("48211020", "12"),
    ItemKind.PACKAGING: ("39202090", "18"),
    ItemKind.SCRAP: ("39159090", "5"),
}
# Where the customers are: most in the plant's own state, some across the border (IGST).
CUSTOMER_STATES = [("27", 70), ("24", 10), ("29", 8), ("23", 7), ("30", 5)]
REASONS = [
    (RejectReason.THIN_WALL, 30),
    (RejectReason.BURST, 20),
    (RejectReason.DEFORMED, 25),
    (RejectReason.SHORT_SHOT, 12),
    (RejectReason.CONTAMINATION, 8),
    (RejectReason.OTHER, 5),
]


@dataclass
class Buyer:
    customer: Customer
    weight: float
    tier: str  # big, medium, small
    terms: int  # days to pay; 0 = cash
    slow: bool


@dataclass
class Counters:
    days: int = 0
    bills: int = 0
    lines: int = 0
    purchases: int = 0
    runs: int = 0
    payments: int = 0
    cancelled: int = 0
    counts: int = 0
    supplier_payments: int = 0
    expenses: int = 0
    closings: int = 0


@dataclass
class DemoPlant:
    by: User
    approver: User
    days: int
    scale: float
    seed: int = 7
    end: date = field(default_factory=timezone.localdate)
    progress: Callable[[Counters, date], None] | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.counters = Counters()
        self.stock: dict[int, int] = defaultdict(int)  # a mirror of the ledger's quantities
        # Bills (and so the payments against them) stay within both limits.
        limits = (settings.APPROVAL_THRESHOLD, settings.PAYMENT_APPROVAL_THRESHOLD)
        self.threshold = min(Decimal(limit) for limit in limits)
        self.schedule: dict[date, list[tuple]] = defaultdict(list)  # payments due per day
        self.owed: dict[int, Decimal] = defaultdict(Decimal)
        self.sold_recently: dict[int, float] = {}
        self.made: dict[tuple[int, int], int] = defaultdict(int)  # good bottles made per month
        # Accounts, supplier payments, expenses and closings: a random stream of their own, so the
        # plant's bills and runs are the ones the same seed always made.
        self.money = DemoMoney(
            by=self.by,
            approver=self.approver,
            scale=self.scale,
            rng=random.Random(self.seed + 31),
            start=self.end - timedelta(days=self.days - 1),
            end=self.end,
        )

    # Master data ----------------------------------------------------------------------------

    def build_master_data(self) -> None:
        by = self.by
        save_seller_profile(by=by, **SELLER)
        rates = {rate: save_tax_rate(by=by, name=f"GST {rate}%", rate=Decimal(rate)) for rate in GST_RATES}
        self.tax = {kind: {"hsn_code": hsn, "tax_rate": rates[rate]} for kind, (hsn, rate) in HSN.items()}
        # Bills stay under the limits with their tax on top (the bottles' rate; a rupee for the round-off).
        self.threshold = (self.threshold - 1) / (1 + Decimal(HSN[ItemKind.BOTTLE][1]) / 100)
        # A separate stream, so the plant's own random choices stay as they were before tax.
        self.identities = random.Random(self.seed + 15)
        self.caps = {
            sku: save_item(
                by=by,
                sku=sku,
                name=name,
                kind=ItemKind.CAP,
                reorder_level=self._reorder(20_000),
                **self.tax[ItemKind.CAP],
            )
            for sku, (name, _price) in CAPS.items()
        }
        self.cap_price = {self.caps[sku].pk: Decimal(price) for sku, (_n, price) in CAPS.items()}
        self.film = save_item(
            by=by,
            sku=FILM[0],
            name=FILM[1],
            kind=ItemKind.PACKAGING,
            unit="kg",
            reorder_level=50,
            **self.tax[ItemKind.PACKAGING],
        )
        self.scrap = save_item(
            by=by, sku="REGRIND", name="PET regrind", kind=ItemKind.SCRAP, **self.tax[ItemKind.SCRAP]
        )
        self.bottles, self.preforms, self.labels = [], {}, {}
        self.base_price: dict[int, Decimal] = {self.film.pk: Decimal(FILM[2])}
        self.base_price.update(self.cap_price)
        for size in SIZES:
            preform = save_item(
                by=by,
                sku=f"PF-{size.ml}",
                name=f"Preform {size.ml} ml, {size.preform_g} g",
                kind=ItemKind.PREFORM,
                weight_g=Decimal(size.preform_g),
                reorder_level=self._reorder(10_000),
                **self.tax[ItemKind.PREFORM],
            )
            label = save_item(
                by=by,
                sku=f"LBL-{size.ml}",
                name=f"Label {size.ml} ml",
                kind=ItemKind.LABEL,
                reorder_level=self._reorder(10_000),
                **self.tax[ItemKind.LABEL],
            )
            volume = f"{size.ml // 1000} L" if size.ml >= 1000 and size.ml % 1000 == 0 else f"{size.ml} ml"
            bottle = save_item(
                by=by,
                sku=f"BTL-{size.ml}",
                name=f"Bottle {volume}",
                kind=ItemKind.BOTTLE,
                default_price=Decimal(size.price),
                volume_ml=size.ml,
                reorder_level=self._reorder(2_000),
                **self.tax[ItemKind.BOTTLE],
            )
            set_recipe(
                by=by,
                bottle=bottle,
                lines=[
                    RecipeInput(item=preform, quantity=Decimal(1)),
                    RecipeInput(item=self.caps[size.cap], quantity=Decimal(1)),
                    RecipeInput(item=label, quantity=Decimal(1)),
                    RecipeInput(item=self.film, quantity=FILM[3]),
                ],
            )
            self.bottles.append((bottle, size))
            self.preforms[bottle.pk], self.labels[bottle.pk] = preform, label
            self.base_price[preform.pk] = Decimal(size.preform_price)
            self.base_price[label.pk] = Decimal(size.label_price)
        self.suppliers: dict[str, list] = defaultdict(list)
        for index, (name, kind) in enumerate(SUPPLIERS):
            supplier = save_supplier(
                by=by,
                name=name,
                phone=f"+91 20 {4000_0000 + index * 7919}",
                gstin=self._gstin("27", name),
                credit_days=SUPPLIER_CREDIT_DAYS[kind],
            )
            self.suppliers[kind].append((supplier, 1 + (index % 5 - 2) / 100))  # price offset ±2 %
        self.buyers = self._customers()
        self.recipes = {bottle.pk: recipe_of(bottle) for bottle, _size in self.bottles}
        # Runs post in bulk, which takes only runs that need no approval: a run stays under the
        # approval limit by value (its inputs at a tenth above their base price, and conversion).
        limit = Decimal(settings.RUN_APPROVAL_THRESHOLD) * Decimal("0.9")
        self.max_run = {}
        for bottle, size in self.bottles:
            per_bottle = Decimal(size.conversion) + sum(
                line.quantity * self.base_price[line.component_id] * Decimal("1.1")
                for line in self.recipes[bottle.pk]
            )
            self.max_run[bottle.pk] = max(1, min(MAX_RUN, int(limit / per_bottle / Decimal("1.1"))))

    def _reorder(self, at_tenth_scale: int) -> int:
        """Reorder levels grow with the plant's volume."""
        return max(10, round(at_tenth_scale * self.scale * 10))

    def _customers(self) -> list[Buyer]:
        count = max(12, min(300, round(300 * min(1.0, self.scale * 25))))
        buyers = []
        for rank in range(1, count + 1):
            town, trade = self.rng.choice(TOWNS), self.rng.choice(TRADES)
            tier = "big" if rank <= count // 10 else "medium" if rank <= count * 4 // 10 else "small"
            name = f"{self._surname()} {trade}, {town} #{rank}"
            state = self.identities.choices([s for s, _ in CUSTOMER_STATES], [w for _, w in CUSTOMER_STATES])[
                0
            ]
            # Big and medium buyers are businesses registered for GST (B2B); small ones mostly not.
            registered = tier != "small" or self.identities.random() < 0.2
            address = f"{town}, Maharashtra" if state == "27" else f"Depot {rank}, {STATE_CODES[state]}"
            customer = save_customer(
                by=self.by,
                name=name,
                address=address,
                state_code=state,
                gstin=self._gstin(state, name) if registered else "",
            )
            terms = 0 if tier == "small" and self.rng.random() < 0.7 else self.rng.choice([15, 30, 30, 45])
            buyers.append(Buyer(customer, 1 / rank**0.7, tier, terms, slow=self.rng.random() < 0.1))
        self.buyer_weights = [b.weight for b in buyers]
        return buyers

    def _gstin(self, state: str, name: str) -> str:
        """A well-formed GSTIN (right check digit) for a demo business: a firm's PAN, made up."""
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        pan = (
            "".join(self.identities.choice(letters) for _ in range(3))
            + "F"
            + (name[0].upper() if name[0].isalpha() else "X")
            + f"{self.identities.randint(1000, 9999)}"
            + self.identities.choice(letters)
        )
        return make_gstin(state, pan)

    def _surname(self) -> str:
        return self.rng.choice(
            ["Patil", "Deshmukh", "Joshi", "Kulkarni", "Pawar", "Shinde", "Jadhav", "More", "Gaikwad", "Shah"]
        )

    # The days --------------------------------------------------------------------------------

    def run(self) -> Counters:
        self.build_master_data()
        self.money.open_books()
        start = self.end - timedelta(days=self.days - 1)
        for offset in range(self.days):
            day = start + timedelta(days=offset)
            with transaction.atomic():
                marks = self._last_ids()
                self._one_day(day, first=offset == 0)
                self._stamp_service_entries(day, marks)
            self.counters.days += 1
            for name, count in self.money.counts.items():
                setattr(self.counters, name, count)
            if self.progress:
                self.progress(self.counters, day)
        return self.counters

    @staticmethod
    def _last_ids() -> dict[type, int]:
        return {
            model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for model in ENTERED_BY_SERVICES
        }

    def _stamp_service_entries(self, day: date, marks: dict[type, int]) -> None:
        """Move the day's purchases, runs and counts (entered through the services just now) to
        their business day: each document's timestamps and its history rows take its moment."""
        for model in ENTERED_BY_SERVICES:
            documents = list(model.objects.filter(pk__gt=marks[model]).order_by("pk"))
            if not documents:
                continue
            at = entry_moments(day, len(documents))
            if model is CashClosing:  # the day's cash is counted as the office closes
                at = [entry_moments(day, DAY_END_SLOTS)[-1]] * len(documents)
            moments = dict(zip((d.pk for d in documents), at, strict=True))
            for document in documents:
                for name in TIMESTAMPS:
                    if getattr(document, name):
                        setattr(document, name, moments[document.pk])
            model.objects.bulk_update(documents, TIMESTAMPS)
            history = list(model.history.filter(id__in=moments))
            for row in history:
                row.history_date = moments[row.id]
            model.history.model.objects.bulk_update(history, ["history_date"])

    def _lines_today(self, day: date) -> float:
        season = 1 + 0.35 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 135) / 365)
        return LINES_PER_DAY_AT_FULL_SCALE * self.scale * season * WEEKDAY[day.weekday()] / WEEKDAY_MEAN

    def _one_day(self, day: date, first: bool) -> None:
        expected_lines = self._lines_today(day)
        plan = self._production_plan(expected_lines)
        self._buy_inputs(day, plan, first)
        self._produce(day, plan)
        sales = self._sell(day, expected_lines)
        self._cancel_some(day, sales)
        self._take_payments(day)
        if day.day == 1 and not first:
            self._count_stock(day)
        self.money.pay_suppliers(day)
        last_month = day.replace(day=1) - timedelta(days=1)
        self.money.spend(day, made_last_month=self.made[(last_month.year, last_month.month)], first=first)
        self.money.close_cash(day)

    def _forecast(self, bottle: Item, size: Size, expected_lines: float) -> float:
        share = size.popularity / sum(s.popularity for s in SIZES)
        guess = expected_lines * share * 80  # lines carrying this size × a typical quantity
        return max(guess, self.sold_recently.get(bottle.pk, guess))

    def _production_plan(self, expected_lines: float) -> dict[int, int]:
        """Make a size when less than a day and a half of it is left, enough for about three days."""
        plan = {}
        self.daily_use = {}
        for bottle, size in self.bottles:
            forecast = self._forecast(bottle, size, expected_lines)
            self.daily_use[bottle.pk] = forecast
            low = self.stock[bottle.pk] < forecast * 1.5
            plan[bottle.pk] = max(0, int(forecast * 3) + 50 - self.stock[bottle.pk]) if low else 0
        return plan

    def _price(self, item_id: int, day: date, offset: float) -> Decimal:
        # Resin prices move through the year; each supplier sits a little above or below.
        drift = (
            1 + 0.08 * math.sin(2 * math.pi * day.timetuple().tm_yday / 365) + self.rng.uniform(-0.01, 0.01)
        )
        return (self.base_price[item_id] * Decimal(str(round(drift * offset, 4)))).quantize(Decimal("0.001"))

    def _input_needs(self, per_bottle: dict[int, float]) -> dict[int, int]:
        """Inputs the recipes ask for to make these bottles (plus a margin for rejects)."""
        needs: dict[int, int] = defaultdict(int)
        for bottle, _size in self.bottles:
            made = per_bottle[bottle.pk]
            if not made:
                continue
            for line in self.recipes[bottle.pk]:
                needs[line.component_id] += math.ceil(line.quantity * (int(made * 1.06) + 1))
        return needs

    def _buy_inputs(self, day: date, plan: dict[int, int], first: bool) -> None:
        """Buy an input when today's runs and two more days would run it short: eight days' worth."""
        today = self._input_needs(plan)
        daily = self._input_needs(self.daily_use)
        kinds = {p.pk: "preform" for p in self.preforms.values()}
        kinds.update({label.pk: "label" for label in self.labels.values()})
        kinds.update({cap.pk: "cap" for cap in self.caps.values()})
        kinds[self.film.pk] = "packaging"
        items = {
            i.pk: i for i in [*self.preforms.values(), *self.labels.values(), *self.caps.values(), self.film]
        }
        orders: dict[int, tuple] = {}
        chosen = {kind: self.rng.choice(options) for kind, options in self.suppliers.items()}
        for item_id, use in daily.items():
            needed = today.get(item_id, 0)
            if self.stock[item_id] >= needed + 2 * use:
                continue
            quantity = needed + 8 * use - self.stock[item_id]
            supplier, offset = chosen[kinds[item_id]]
            order = orders.setdefault(supplier.pk, (supplier, []))
            order[1].append(PurchaseLineInput(items[item_id], quantity, self._price(item_id, day, offset)))
        for supplier, lines in orders.values():
            purchase = create_purchase(
                by=self.by,
                supplier=supplier,
                lines=lines,
                date=day,
                supplier_bill_number=f"INV/{day:%y%m%d}/{self.rng.randint(100, 999)}",
                submit=True,
            )
            if purchase.status == DocumentStatus.PENDING:
                lifecycle.approve(document=purchase, by=self.approver)
            self.money.bought(purchase, day)
            for line in lines:
                self.stock[line.item.pk] += line.quantity
            self.counters.purchases += 1

    def _produce(self, day: date, plan: dict[int, int]) -> None:
        slots = [(m, s) for s in SHIFTS for m in MACHINES]
        self.rng.shuffle(slots)
        slot = 0
        runs: list[production_bulk.BulkRun] = []
        for bottle, size in self.bottles:
            remaining = plan[bottle.pk]
            # Runs of even size, none below the smallest batch worth setting a machine up for.
            chunks = math.ceil(remaining / self.max_run[bottle.pk])
            size_of_run = max(MIN_RUN, math.ceil(remaining / chunks)) if chunks else 0
            while remaining > 0:
                good = size_of_run
                remaining -= good
                machine, shift = slots[slot % len(slots)]
                slot += 1
                rate = 0.02 + (0.015 if machine == "BM-3" else 0) + (0.01 if shift == "night" else 0)
                rate *= self.rng.uniform(0.6, 1.4)
                rejected = max(1, round(good * rate / (1 - rate)))
                rejects = self._split_rejects(rejected)
                inputs = recipe_inputs(bottle, good + rejected, self.recipes[bottle.pk])
                if any(self.stock[line.item.pk] < line.quantity for line in inputs):
                    continue  # not enough inputs for this run today; tomorrow's purchases catch up
                scrap = self.rng.random() < 0.5
                runs.append(
                    production_bulk.BulkRun(
                        product=bottle,
                        good_quantity=good,
                        machine=machine,
                        shift=shift,
                        rejects=rejects,
                        conversion_cost=money(Decimal(size.conversion) * good),
                        scrap_item=self.scrap if scrap else None,
                        scrap_quantity=rejected if scrap else 0,
                        scrap_value=money(Decimal("0.08") * rejected) if scrap else Decimal("0"),
                    )
                )
                for line in inputs:
                    self.stock[line.item.pk] -= line.quantity
                self.stock[bottle.pk] += good
                if scrap:
                    self.stock[self.scrap.pk] += rejected
        if runs:
            moments = entry_moments(day, len(runs))
            production_bulk.post_runs(
                by=self.by,
                date=day,
                runs=[replace(run, entered_at=at) for run, at in zip(runs, moments, strict=True)],
            )
            self.counters.runs += len(runs)
            self.made[(day.year, day.month)] += sum(run.good_quantity for run in runs)

    def _split_rejects(self, total: int) -> list[RejectLine]:
        reasons = self.rng.sample(REASONS, k=self.rng.randint(1, 3))
        weights = [w for _, w in reasons]
        counts: dict[str, int] = defaultdict(int)
        for reason in self.rng.choices([r for r, _ in reasons], weights=weights, k=min(total, 50)):
            counts[reason] += 1
        # Scale the sample of 50 up to the real total, the remainder to the first reason.
        sample = sum(counts.values())
        scaled = {r: c * total // sample for r, c in counts.items()}
        first = next(iter(scaled))
        scaled[first] += total - sum(scaled.values())
        return [RejectLine(r, q) for r, q in scaled.items() if q > 0]

    # Bills ----------------------------------------------------------------------------------

    def _bill_lines(self, buyer: Buyer) -> list[tuple[Item, int, Decimal, Decimal]]:
        n = self.rng.choices(range(1, 9), weights=LINES_PER_BILL)[0]
        # n different sizes, the popular ones more often (weighted sampling without replacement).
        chosen = sorted(self.bottles, key=lambda b: self.rng.random() ** (1 / b[1].popularity))[-n:]
        low, high = {"big": (60, 400), "medium": (20, 150), "small": (5, 60)}[buyer.tier]
        lines = []
        for bottle, size in chosen:
            quantity = self.rng.randint(low, high)
            if size.ml >= 5000:
                quantity = max(1, quantity // 4)
            lines.append([bottle, quantity, Decimal(size.price)])
        gross = sum(q * p for _, q, p in lines)
        if gross > self.threshold:
            factor = self.threshold / gross
            for line in lines:
                line[1] = max(1, int(line[1] * factor))
        result = []
        for bottle, quantity, price in lines:
            discount = Decimal("0")
            if buyer.tier == "big" or self.rng.random() < 0.1:
                discount = money(quantity * price * Decimal(self.rng.choice(["0.02", "0.03", "0.05"])))
            result.append((bottle, quantity, price, discount))
        return result

    def _sell(self, day: date, expected_lines: float) -> list[Sale]:
        bills_today = max(
            1, round(self.rng.gauss(expected_lines / MEAN_LINES, (expected_lines / MEAN_LINES) ** 0.5))
        )
        buyers = self.rng.choices(self.buyers, weights=self.buyer_weights, k=bills_today)
        bills = []
        for buyer in buyers:
            lines = []
            for bottle, quantity, price, discount in self._bill_lines(buyer):
                quantity = min(quantity, self.stock[bottle.pk])
                if quantity <= 0:
                    continue
                discount = min(discount, money(quantity * price))
                self.stock[bottle.pk] -= quantity
                lines.append((bottle, quantity, price, discount))
            if lines:
                bills.append((buyer, lines))
        sold: dict[int, int] = defaultdict(int)
        for _buyer, lines in bills:
            for bottle, quantity, _p, _d in lines:
                sold[bottle.pk] += quantity
        for bottle, _size in self.bottles:
            # A week-long moving average of what sold, for tomorrow's production plan.
            previous = self.sold_recently.get(bottle.pk, sold[bottle.pk])
            self.sold_recently[bottle.pk] = previous * 6 / 7 + sold[bottle.pk] / 7
        return self._post_bills(day, bills)

    def _post_bills(self, day: date, bills: list) -> list[Sale]:
        if not bills:
            return []
        sales = bulk.post_bills(
            by=self.by,
            date=day,
            bills=[
                bulk.BulkBill(
                    customer=buyer.customer,
                    lines=[SaleLineInput(bottle, q, p, d) for bottle, q, p, d in lines],
                    entered_at=at,
                )
                for (buyer, lines), at in zip(bills, entry_moments(day, len(bills)), strict=True)
            ],
        )
        for sale, (buyer, _lines) in zip(sales, bills, strict=True):
            self._schedule_payment(sale, buyer, day)
        self.counters.bills += len(sales)
        self.counters.lines += sum(len(lines) for _buyer, lines in bills)
        return sales

    def _schedule_payment(self, sale: Sale, buyer: Buyer, day: date) -> None:
        self.owed[buyer.customer.pk] += sale.total
        if buyer.terms == 0:
            self.schedule[day].append((sale.pk, buyer.customer, sale.total))
            return
        if buyer.slow and self.rng.random() < 0.4:
            due = day + timedelta(days=self.rng.randint(95, 160))
        else:
            due = day + timedelta(days=buyer.terms + self.rng.randint(-5, 10))
        if self.rng.random() < 0.1:
            first = money(sale.total * Decimal("0.5"))
            self.schedule[due - timedelta(days=7)].append((sale.pk, buyer.customer, first))
            self.schedule[due].append((sale.pk, buyer.customer, sale.total - first))
        else:
            self.schedule[due].append((sale.pk, buyer.customer, sale.total))

    def _cancel_some(self, day: date, sales: list[Sale]) -> None:
        cancelled = {s.pk for s in sales if self.rng.random() < 0.002}
        for sale in sales:
            if sale.pk in cancelled:
                lifecycle.cancel(document=sale, by=self.by, reason="Customer refused the delivery")
                self._stamp_cancelled(sale)
                self.owed[sale.customer_id] -= sale.total
                for line in sale.lines.all():
                    self.stock[line.item_id] += line.quantity
                self.counters.cancelled += 1
        if cancelled:
            self.schedule[day] = [p for p in self.schedule[day] if p[0] not in cancelled]
            self._cancelled = getattr(self, "_cancelled", set()) | cancelled

    @staticmethod
    def _stamp_cancelled(sale: Sale) -> None:
        """A refused delivery is cancelled an hour after the bill was entered (its history row too)."""
        at = min(sale.created_at + timedelta(hours=1), timezone.now())
        Sale.objects.filter(pk=sale.pk).update(cancelled_at=at)
        Sale.history.filter(id=sale.pk, history_type="~").update(history_date=at)

    def _take_payments(self, day: date) -> None:
        due = [p for p in self.schedule.pop(day, []) if p[0] not in getattr(self, "_cancelled", set())]
        if day.weekday() == 5:
            # Some customers pay a round sum on account on Saturdays.
            for buyer in self.rng.sample(self.buyers, k=max(1, len(self.buyers) // 40)):
                if self.owed[buyer.customer.pk] > 2000:
                    due.append((None, buyer.customer, Decimal("1000.00")))
        if not due:
            return
        methods = [PaymentMethod.CASH, PaymentMethod.UPI, PaymentMethod.BANK, PaymentMethod.CHEQUE]
        payments = bulk.post_payments(
            by=self.by,
            date=day,
            payments=[
                bulk.BulkPayment(
                    customer=customer,
                    amount=amount,
                    method=self.rng.choice(methods),
                    sale_id=sale_id,
                    entered_at=at,
                )
                for (sale_id, customer, amount), at in zip(due, entry_moments(day, len(due)), strict=True)
            ],
        )
        for _sale, customer, amount in due:
            self.owed[customer.pk] -= amount
        self.counters.payments += len(payments)

    def _count_stock(self, day: date) -> None:
        # A monthly count of labels and film finds small differences (spoilt labels, film offcuts).
        counted = []
        for item in [*self.labels.values(), self.film]:
            held = self.stock[item.pk]
            if held > 0:
                counted.append(CountLineInput(item=item, quantity=max(0, held - self.rng.randint(0, 25))))
        if counted:
            count = create_stock_count(by=self.by, lines=counted, date=day, submit=True)
            if count.status == DocumentStatus.PENDING:
                lifecycle.approve(document=count, by=self.approver)
            for line in counted:
                self.stock[line.item.pk] = line.quantity
            self.counters.counts += 1
