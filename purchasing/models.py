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
    # Input tax, as the supplier's bill states it; ``total`` is the grand total owed to the supplier.
    place_of_supply = models.CharField(max_length=2, blank=True, editable=False)
    party_gstin = models.CharField(
        "supplier's GSTIN", max_length=15, blank=True, editable=False, help_text="as it was on the bill"
    )
    is_inter_state = models.BooleanField(default=False, editable=False)
    taxable_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    round_off = models.DecimalField(max_digits=6, decimal_places=2, default=0, editable=False)
    grand_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
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
    # The supplier's tax on this line: the taxable value is what the stock is valued at (input tax
    # is recovered from the tax office, not a cost).
    hsn_code = models.CharField("HSN", max_length=10, blank=True)
    tax_rate = models.DecimalField("tax rate (%)", max_digits=5, decimal_places=2, default=0)
    taxable_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    cgst_amount = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0)
    sgst_amount = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0)
    igst_amount = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0)
    tax_amount = models.DecimalField("tax", max_digits=14, decimal_places=2, default=0)
    line_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=100), name="purchase_line_tax_rate_percent"
            ),
        ]
        indexes = [models.Index(fields=["item", "purchase"], name="purchase_line_item")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} @ {self.unit_price}"
