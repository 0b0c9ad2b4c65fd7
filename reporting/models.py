"""Daily summaries of the ledger and of bills, kept in step with every posting.

Each row is a sum of the rows it summarises (movements, bill lines, payments) for one day, so a
report over a year reads a few thousand rows instead of a million. They are written only by
``reporting.summaries``, inside the same transaction as the posting or cancellation that changes
what they sum (``documents.lifecycle`` calls it), so they are never stale against the ledger.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from expenses.models import ExpenseCategory
from inventory.models import Item, MovementKind
from sales.models import Customer, Sale

ZERO = Decimal("0.00")


def _money() -> models.DecimalField:
    return models.DecimalField(max_digits=18, decimal_places=2, default=ZERO)


class StockDay(models.Model):
    """Σ quantity and value of one item's movements of one kind on one business date."""

    date = models.DateField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.BigIntegerField(default=0)
    value = _money()
    movements = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "item", "kind"], name="stockday_once")]
        indexes = [models.Index(fields=["item", "date"], name="stockday_item_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.item_id} {self.kind}: {self.quantity:+} / {self.value}"


class SalesItemDay(models.Model):
    """Σ of one item's posted bill lines on one date: revenue (net of discount), discount, COGS."""

    date = models.DateField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    lines = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    discount = _money()
    revenue = _money()
    cogs = _money()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "item"], name="salesitemday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.item_id}: {self.revenue}"


class SalesCustomerDay(models.Model):
    """One customer's posted bills and payments on one date."""

    date = models.DateField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    bills = models.IntegerField(default=0)
    lines = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    revenue = _money()  # taxable value
    cogs = _money()
    billed = _money()  # grand totals: what the customer owes, tax included
    paid = _money()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "customer"], name="salescustomerday_once")]
        indexes = [models.Index(fields=["customer", "date"], name="salescustomerday_customer")]

    def __str__(self) -> str:
        return f"{self.date} {self.customer_id}: {self.revenue} / {self.paid}"


class SalesCustomerMonth(models.Model):
    """``SalesCustomerDay`` summed over a calendar month (``month`` is its first day): a year-long
    customer report reads the whole months here, a few rows per customer, and only its partial
    months' days from the daily summary."""

    month = models.DateField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    bills = models.IntegerField(default=0)
    lines = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    revenue = _money()  # taxable value
    cogs = _money()
    billed = _money()  # grand totals: what the customer owes, tax included
    paid = _money()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "customer"], name="salescustomermonth_once")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.customer_id}: {self.revenue} / {self.paid}"


class CustomerBalance(models.Model):
    """All-time Σ posted bills and Σ posted payments of one customer (outstanding = billed − paid)."""

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, primary_key=True, related_name="+")
    billed = _money()
    paid = _money()

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.billed} − {self.paid}"


class BillOutstanding(models.Model):
    """What one posted bill still owes: its grand total less the posted payments against it, less
    the credit notes against it plus their refunds (as ``sales.selectors.bills_with_payments``).

    The receivables ageing reads the open bills here (a partial index holds only those) instead of
    every bill and payment ever posted; a bill's customer and date are copied from it once.

    Signed: a bill paid above what its credit notes leave it asking holds a negative figure, so
    that cancelling the payment or the note later moves it back exactly. Read, that bill is
    settled and the excess is the customer's credit (``reporting.ageing.CREDIT``).
    """

    sale = models.OneToOneField(Sale, on_delete=models.PROTECT, primary_key=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    outstanding = _money()

    class Meta:
        indexes = [
            models.Index(fields=["date"], condition=~models.Q(outstanding=0), name="billoutstanding_open"),
        ]

    def __str__(self) -> str:
        return f"{self.sale_id}: {self.outstanding}"


class ExpenseDay(models.Model):
    """Σ posted expenses of one category on one date, before tax (input tax is never a cost)."""

    date = models.DateField()
    category = models.ForeignKey(ExpenseCategory, on_delete=models.PROTECT, related_name="+")
    amount = _money()
    expenses = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "category"], name="expenseday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.category_id}: {self.amount}"


class WriteOffDay(models.Model):
    """One date's stock write-offs: the posted counts' variance at cost (a loss counts positive)
    and the cost of returned goods scrapped less their scrap value."""

    date = models.DateField(unique=True)
    count_write_offs = _money()
    scrapped = _money()

    def __str__(self) -> str:
        return f"{self.date}: {self.count_write_offs} + {self.scrapped}"


class ProductionMonth(models.Model):
    """Σ of the posted runs of one bottle on one machine and shift in one calendar month (``month``
    is its first day): a year-long production report reads a few hundred of these instead of the
    year's runs, and only its partial months' runs themselves."""

    month = models.DateField()
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    machine = models.CharField(max_length=40)
    shift = models.CharField(max_length=10)
    runs = models.IntegerField(default=0)
    good = models.BigIntegerField(default=0)
    input_value = _money()
    conversion = _money()
    scrap = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "product", "machine", "shift"], name="productionmonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.product_id} {self.machine} {self.shift}: {self.good}"


class RunOutcome(models.Model):
    """One posted run's good and rejected bottles and conversion cost, with what it is grouped by:
    the exceptions' run medians and machine trend read one narrow row a run here, where they summed
    every run's rejects first. ``runs`` is 1 while the run stands and 0 once it is cancelled (the
    row stays, as a summary's rows do); a run's date, machine, shift, bottle and creator are copied
    from it once."""

    run = models.OneToOneField(
        "production.ProductionRun", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    date = models.DateField()
    machine = models.CharField(max_length=40)
    shift = models.CharField(max_length=10)
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    runs = models.IntegerField(default=0)
    good = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    conversion = _money()

    class Meta:
        # In the run medians' order: each group's runs are read together, already grouped.
        indexes = [
            # On PostgreSQL it also carries (INCLUDE) the run, creator and outcome columns the run
            # medians read (``reporting`` 0014), so they read the index alone.
            models.Index(
                fields=["product", "machine", "shift", "date"],
                condition=models.Q(runs__gt=0),
                name="runoutcome_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id} {self.machine} {self.shift}: {self.good} good, {self.rejected} rejected"


class ProductionRejectMonth(models.Model):
    """Σ rejects of one reason in the runs that ``ProductionMonth`` sums."""

    month = models.DateField()
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    machine = models.CharField(max_length=40)
    shift = models.CharField(max_length=10)
    reason = models.CharField(max_length=20)
    quantity = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "product", "machine", "shift", "reason"], name="productionrejectmonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.product_id} {self.machine} {self.reason}: {self.quantity}"


class ProductionInputMonth(models.Model):
    """Σ quantity and value of one input item consumed by the runs that ``ProductionMonth`` sums."""

    month = models.DateField()
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    machine = models.CharField(max_length=40)
    shift = models.CharField(max_length=10)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.BigIntegerField(default=0)
    value = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "product", "machine", "shift", "item"], name="productioninputmonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.product_id} {self.machine} {self.item_id}: {self.value}"


class DataVersion(models.Model):
    """One row whose ``version`` goes up after every committed change the dashboard shows.

    Every process reads it to know whether a cached dashboard is still current (reporting.freshness).
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"data version {self.version}"


class OutwardTaxDay(models.Model):
    """Σ of posted bill lines on one date by HSN, rate, B2B (the bill names a GSTIN) or B2C, place
    of supply and intra/inter-state: the GSTR-1 HSN and B2C tables and the output tax read these
    (a few dozen rows a day) instead of the bill lines."""

    date = models.DateField()
    hsn_code = models.CharField(max_length=10)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    b2b = models.BooleanField()
    place_of_supply = models.CharField(max_length=2)
    is_inter_state = models.BooleanField()
    lines = models.IntegerField(default=0)
    quantity = models.BigIntegerField(default=0)
    taxable = _money()
    cgst = _money()
    sgst = _money()
    igst = _money()
    tax = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["date", "hsn_code", "tax_rate", "b2b", "place_of_supply", "is_inter_state"],
                name="outwardtaxday_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hsn_code} {self.tax_rate}%: {self.tax}"


class OutwardParty(models.Model):
    """The posted bills to one GSTIN ('' for B2C) and place of supply: the bills' own figures
    (count, taxable and tax totals, round-off, grand total) and their lines' tax per head. A bill
    has one date and one GSTIN, so its count adds up across days and months."""

    party_gstin = models.CharField(max_length=15)
    place_of_supply = models.CharField(max_length=2)
    bills = models.IntegerField(default=0)
    taxable_total = _money()
    tax_total = _money()
    round_off = _money()
    total = _money()
    taxable = _money()
    cgst = _money()
    sgst = _money()
    igst = _money()
    tax = _money()

    class Meta:
        abstract = True


class OutwardPartyDay(OutwardParty):
    """``OutwardParty`` on one date: a report reads its partial months here."""

    date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["date", "party_gstin", "place_of_supply"], name="outwardpartyday_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.party_gstin or 'B2C'}: {self.total}"


class OutwardPartyMonth(OutwardParty):
    """``OutwardParty`` in one calendar month (``month`` is its first day): a year's B2B table
    reads a dozen rows per GSTIN here."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "party_gstin", "place_of_supply"], name="outwardpartymonth_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.party_gstin or 'B2C'}: {self.total}"


class SplitBand(models.Model):
    """The approval band, [low, high], that ``SplitBandDay`` was summed with (one row): posting adds
    a bill there only inside this band, and the exceptions report reads the kept rows only while it
    is the band the settings make; ``summaries.rebuild()`` sums them again for today's band."""

    low = models.DecimalField(max_digits=24, decimal_places=8)
    high = models.DecimalField(max_digits=24, decimal_places=8)

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


class SplitBandDay(models.Model):
    """One creator's posted bills for one customer on one date whose totals lie in ``SplitBand``:
    threshold splitting groups these instead of every bill of the period."""

    date = models.DateField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    bills = models.IntegerField(default=0)
    total = _money()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "customer", "created_by"], name="splitbandday_once")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.customer_id}/{self.created_by_id}: {self.bills}"


class SplitCustomerDay(models.Model):
    """``SplitBandDay`` summed over the creators: one customer's bills in the band on one date, so
    the customers' splits of a year are a filter of these rows, not a grouping of them."""

    date = models.DateField()
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    bills = models.IntegerField(default=0)
    total = _money()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "customer"], name="splitcustomerday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.customer_id}: {self.bills}"


class SplitCreatorDay(models.Model):
    """``SplitBandDay`` summed over the customers: one creator's bills in the band on one date and
    for how many customers (their ``SplitBandDay`` rows with bills), so the creators' splits of a
    year are a filter of these rows, not a grouping of every band row."""

    date = models.DateField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    customers = models.IntegerField(default=0)
    bills = models.IntegerField(default=0)
    total = _money()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["date", "created_by"], name="splitcreatorday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.created_by_id}: {self.bills} for {self.customers}"


class DocumentDay(models.Model):
    """How many documents of one type, dated on one day, one person's were posted (ever: a
    cancelled one was posted first) and how many of those were cancelled: the exceptions'
    cancellations per person read these, and the few pending and rejected ones raw."""

    date = models.DateField()
    document = models.CharField(max_length=60)  # the type's label, e.g. "sales.sale"
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    posted = models.IntegerField(default=0)
    cancelled = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "document", "created_by"], name="documentday_once")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.document} {self.created_by_id}: {self.posted} / {self.cancelled}"
