from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from documents.models import Document, entry_indexes
from inventory.models import Item


class Shift(models.TextChoices):
    DAY = "day", "Day"
    EVENING = "evening", "Evening"
    NIGHT = "night", "Night"


class RejectReason(models.TextChoices):
    THIN_WALL = "thin_wall", "Thin wall"
    BURST = "burst", "Burst"
    CONTAMINATION = "contamination", "Contamination"
    DEFORMED = "deformed", "Deformed / ovality"
    SHORT_SHOT = "short_shot", "Short shot / incomplete"
    OTHER = "other", "Other"


class ProductionRun(Document):
    """A blow-moulding run: consumes preforms (and caps, labels), produces good bottles."""

    NUMBER_PREFIX = "R"

    machine = models.CharField(max_length=40)
    shift = models.CharField(max_length=10, choices=Shift.choices, default=Shift.DAY)
    product = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="production_runs")
    good_quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    conversion_cost = models.DecimalField(
        "conversion cost (power, labour)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Rejects may be received as a scrap/regrind item at a scrap value, credited to the run's cost.
    scrap_item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scrap_quantity = models.PositiveIntegerField(default=0)
    scrap_value = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    # Set at posting: value of the inputs consumed, and the cost of each good bottle.
    input_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta(Document.Meta):
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["product", "date"], name="run_product_date"),
            models.Index(fields=["machine", "date"], name="run_machine_date"),
            *entry_indexes("run"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(good_quantity__gt=0), name="run_good_quantity_positive"),
            models.CheckConstraint(condition=Q(conversion_cost__gte=0), name="run_conversion_not_negative"),
            models.CheckConstraint(condition=Q(scrap_value__gte=0), name="run_scrap_value_not_negative"),
            models.CheckConstraint(
                condition=Q(scrap_item__isnull=True, scrap_quantity=0, scrap_value=0)
                | Q(scrap_item__isnull=False, scrap_quantity__gt=0),
                name="run_scrap_item_with_quantity",
            ),
        ]

    @property
    def reject_quantity(self) -> int:
        return sum(r.quantity for r in self.rejects.all())


class RunInput(models.Model):
    run = models.ForeignKey(ProductionRun, on_delete=models.CASCADE, related_name="inputs")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="run_input_quantity_positive"),
            models.UniqueConstraint(fields=["run", "item"], name="run_input_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"


class RunReject(models.Model):
    run = models.ForeignKey(ProductionRun, on_delete=models.CASCADE, related_name="rejects")
    reason = models.CharField(max_length=20, choices=RejectReason.choices)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="run_reject_quantity_positive"),
            models.UniqueConstraint(fields=["run", "reason"], name="run_reject_reason_once"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.reason}"
