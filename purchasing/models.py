from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cashbook.models import Account, Method
from documents.models import Document
from inventory.models import Item
from parties.models import OpeningDue, Party

MAX_CREDIT_DAYS = 365  # as for customers: longer terms are a loan, not a bill


def default_supplier_credit_days() -> int:
    """A new supplier's credit days: the DEFAULT_SUPPLIER_CREDIT_DAYS setting, read when the row is made."""
    return settings.DEFAULT_SUPPLIER_CREDIT_DAYS


class Supplier(Party):
    credit_days = models.PositiveSmallIntegerField(
        default=default_supplier_credit_days,
        validators=[MaxValueValidator(MAX_CREDIT_DAYS)],
        help_text="days the supplier gives to pay a bill; 0: due at once",
    )
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta(Party.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_days__lte=MAX_CREDIT_DAYS), name="supplier_credit_days_at_most_a_year"
            ),
        ]


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


class SupplierPayment(Document):
    """Money paid to a supplier: against one or more posted bills (its allocation lines), the rest
    (or all of it) on account, which lowers what the plant owes that supplier."""

    NUMBER_PREFIX = "SP"

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.CASH)
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="where the money was paid from; empty: the account kept for the method",
    )
    reference = models.CharField(max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta(Document.Meta):
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["supplier", "date"], name="supplier_payment_supplier_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payment_amount_positive"),
        ]


class SupplierPaymentLine(models.Model):
    """How much of a supplier payment settles one bill."""

    payment = models.ForeignKey(SupplierPayment, on_delete=models.CASCADE, related_name="lines")
    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="payment_lines")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_payment_line_amount_positive"),
            models.UniqueConstraint(
                fields=["payment", "purchase"], name="supplier_payment_line_one_per_bill"
            ),
        ]
        indexes = [models.Index(fields=["purchase", "payment"], name="supplier_payment_line_bill")]

    def __str__(self) -> str:
        return f"{self.amount} to {self.purchase_id}"


class SupplierOpeningDue(OpeningDue):
    """What the supplier was owed on the day the plant went live (once per supplier);
    payables count it like a posted bill of that date."""

    party_field = "supplier"

    supplier = models.OneToOneField(Supplier, on_delete=models.PROTECT, related_name="opening_due")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="supplier_opening_due_positive"),
        ]
