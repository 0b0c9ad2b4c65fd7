"""Items, the stock ledger (movements + balances), stock counts, closed periods and numbering.

Movements and balances are written only by ``inventory.ledger``; see DESIGN §4.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from documents.models import Document
from inventory.item_flags import KindDefaultFlag
from inventory.search_text import SearchTextField

ZERO = Decimal("0.00")


class ItemKind(models.TextChoices):
    PREFORM = "preform", "Preform"
    CAP = "cap", "Cap"
    LABEL = "label", "Label"
    PACKAGING = "packaging", "Packaging"
    BOTTLE = "bottle", "Bottle"
    SCRAP = "scrap", "Scrap / regrind"
    OTHER = "other", "Other"


class Item(models.Model):
    sku = models.CharField("SKU", max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.OTHER)
    unit = models.CharField(max_length=20, default="pcs")
    reorder_level = models.PositiveIntegerField(default=0)
    default_price = models.DecimalField(
        "default selling price",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    volume_ml = models.PositiveIntegerField("bottle volume (ml)", null=True, blank=True)
    weight_g = models.DecimalField(
        "preform weight (g)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    hsn_code = models.CharField(
        "HSN code",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^([0-9]{4}|[0-9]{6}|[0-9]{8})$", "An HSN code has 4, 6 or 8 digits.")],
        help_text="4, 6 or 8 digits, e.g. 39233090",
    )
    tax_rate = models.ForeignKey(
        "tax.TaxRate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        help_text="empty: no tax on this item",
    )
    is_active = models.BooleanField("active", default=True)
    is_sold = KindDefaultFlag("sold", help_text="offered on bills; empty: by kind")
    is_bought = KindDefaultFlag("bought", help_text="offered on purchases; empty: by kind")
    is_made = KindDefaultFlag("made", help_text="offered as a production run's product; empty: by kind")
    search_text = SearchTextField(sources=("sku", "name"))
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_price__gte=0) | Q(default_price__isnull=True),
                name="item_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"


class PackSize(models.Model):
    """A pack an item is counted in: carton = 24 bottles, bag = 1,000 preforms, pallet = 1,440
    bottles (60 cartons). ``quantity`` is in the item's base unit; the ledger only ever holds those."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="packs")
    name = models.CharField(max_length=30, help_text="singular, e.g. carton")
    plural = models.CharField(max_length=30, blank=True, help_text="e.g. cartons; empty: name + s")
    quantity = models.PositiveIntegerField("base units per pack", validators=[MinValueValidator(2)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "quantity"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="pack_name_once_per_item"),
            models.CheckConstraint(condition=Q(quantity__gte=2), name="pack_holds_more_than_one"),
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.quantity} {self.item.unit}" if self.item_id else self.name

    @property
    def plural_name(self) -> str:
        return self.plural or f"{self.name}s"


class RecipeLine(models.Model):
    """One input per good bottle, e.g. 1 × PF-500 preform for a 500 ml bottle."""

    bottle = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="recipe_lines")
    component = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="used_in_recipes")
    quantity = models.DecimalField(
        "quantity per bottle",
        max_digits=10,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0001"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bottle", "component__sku"]
        constraints = [
            models.UniqueConstraint(fields=["bottle", "component"], name="recipe_component_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="recipe_quantity_positive"),
            models.CheckConstraint(condition=~Q(bottle=F("component")), name="recipe_not_its_own_input"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component.sku} per {self.bottle.sku}"


class StockBalance(models.Model):
    """Current quantity and value of one item. Changed only by the ledger, under a row lock."""

    item = models.OneToOneField(Item, on_delete=models.PROTECT, primary_key=True, related_name="balance")
    quantity = models.BigIntegerField(default=0)
    value = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_quantity_not_negative"),
            models.CheckConstraint(condition=Q(value__gte=0), name="balance_value_not_negative"),
            # An empty item carries no value: the last outflow takes whatever value is left.
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(value=0), name="balance_empty_has_no_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.quantity}"

    @property
    def average_cost(self) -> Decimal:
        if not self.quantity:
            return ZERO
        return (self.value / self.quantity).quantize(Decimal("0.0001"))


class MovementKind(models.TextChoices):
    PURCHASE = "purchase", "Purchase"
    PRODUCTION_IN = "production_in", "Production (made)"
    PRODUCTION_OUT = "production_out", "Production (consumed)"
    SALE = "sale", "Sale"
    ADJUSTMENT = "adjustment", "Stock count adjustment"
    REVERSAL = "reversal", "Reversal (cancelled document)"
    OPENING = "opening", "Opening stock"
    SALES_RETURN = "sales_return", "Sales return (back in stock or scrap)"
    PURCHASE_RETURN = "purchase_return", "Purchase return (to the supplier)"


class LedgerImmutable(Exception):
    """Raised on any attempt to change or delete a stock movement."""


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerImmutable("Stock movements are never updated; post a reversal instead.")

    def delete(self):
        raise LedgerImmutable("Stock movements are never deleted; post a reversal instead.")


class StockMovement(models.Model):
    """One append-only ledger line. Never updated, never deleted (a database trigger agrees)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    quantity = models.BigIntegerField(help_text="signed: positive in, negative out")
    value = models.DecimalField(max_digits=16, decimal_places=2, help_text="signed, at cost")
    unit_cost = models.DecimalField(max_digits=16, decimal_places=4)
    date = models.DateField("business date")
    source_type = models.CharField(max_length=30)
    source_id = models.BigIntegerField()
    source_number = models.CharField(max_length=30, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["item", "date", "id"], name="movement_item_date"),
            # An item's stock page: its newest movements, a keyset page at a time (by id).
            models.Index(fields=["item", "id"], name="movement_item_id"),
            models.Index(fields=["source_type", "source_id"], name="movement_source"),
            models.Index(fields=["date", "kind"], name="movement_date_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0) | ~Q(value=0), name="movement_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+} {self.item_id} ({self.source_number})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise LedgerImmutable("Stock movements are never updated; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("Stock movements are never deleted; post a reversal instead.")


class ClosedPeriod(models.Model):
    """Everything dated on or before ``closed_through`` is final: no posting, no cancelling.

    A reopened close is kept (marked with who reopened it, when and why), never deleted, so the
    audit trail shows every close and reopen; only closes not reopened count.
    """

    closed_through = models.DateField()
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-closed_through", "-id"]
        constraints = [
            # Also the index of the posting check: closed_through >= d AND reopened_at IS NULL.
            models.UniqueConstraint(
                fields=["closed_through"], condition=Q(reopened_at__isnull=True), name="closed_period_once"
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True, reopened_by__isnull=True)
                | Q(reopened_at__isnull=False, reopened_by__isnull=False),
                name="closed_period_reopened_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"closed through {self.closed_through}"

    @property
    def is_reopened(self) -> bool:
        return self.reopened_at is not None


class DocumentSequence(models.Model):
    """Last number used per document prefix and year; locked while a number is taken (gapless)."""

    prefix = models.CharField(max_length=5)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="sequence_once")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class StockCount(Document):
    """A physical count. Posting writes adjustments for the differences, at average cost."""

    NUMBER_PREFIX = "C"

    history = HistoricalRecords(inherit=True)

    class Meta(Document.Meta):
        pass


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    counted_quantity = models.PositiveIntegerField()
    # Filled in when the count is posted: what the ledger held, and the variance written.
    system_quantity = models.BigIntegerField(null=True, blank=True)
    difference = models.BigIntegerField(null=True, blank=True)
    variance_value = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "item"], name="count_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.counted_quantity}"


class OpeningStock(models.Model):
    """What an item held, and at what cost, on the day the plant went live (once per item).

    Its movement (kind ``opening``) carries the stated unit cost, so stock that was never bought
    here does not enter at zero cost and later bills take a true COGS.
    """

    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="opening_stock")
    quantity = models.PositiveBigIntegerField()
    unit_cost = models.DecimalField(max_digits=16, decimal_places=4)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    date = models.DateField("go-live date")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="opening_stock_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="opening_stock_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Opening stock of {self.item_id}: {self.quantity}"
