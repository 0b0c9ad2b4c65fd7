from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from documents.models import Document
from inventory.models import Item
from parties.models import Party


class Supplier(Party):
    history = HistoricalRecords()

    class Meta(Party.Meta):
        pass


class Purchase(Document):
    """A supplier's bill: posting receives its lines into stock at the purchase price."""

    NUMBER_PREFIX = "P"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="purchases")
    supplier_bill_number = models.CharField(max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta(Document.Meta):
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["supplier", "date"], name="purchase_supplier_date"),
        ]


class PurchaseLine(models.Model):
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_line_price_not_negative"),
        ]
        indexes = [models.Index(fields=["item", "purchase"], name="purchase_line_item")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} @ {self.unit_price}"
