"""Sales returns (credit notes) and purchase returns (debit notes).

A return is made against one posted document and each of its lines against one line of it, so
"never more than was sold (or bought)" is a sum per line. Amounts are fixed at posting, as a
share of the line they return (see ``returns.shares``).

Tax is reversed the same way: each returned line carries its share of the bill (or purchase)
line's taxable value and of each tax head, and the note's total is taxable value + tax, so the
refund, the credit on account and what the plant owes use the tax-inclusive figure.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from documents.models import Document
from inventory.models import Item
from purchasing.models import Purchase, PurchaseLine, Supplier
from sales.models import Customer, PaymentMethod, Sale, SaleLine

ZERO = Decimal("0.00")


def _money_field(label: str | None = None) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, default=ZERO, editable=False)


class ReturnedTax(models.Model):
    """A returned line's share of its source line's tax, fixed at posting (``returns.shares``):
    the same fields as a bill line's, so the tax summary by rate reads both alike."""

    tax_rate = models.DecimalField(
        "tax rate (%)", max_digits=5, decimal_places=2, default=ZERO, editable=False
    )
    taxable_value = _money_field()
    cgst_amount = _money_field("CGST")
    sgst_amount = _money_field("SGST")
    igst_amount = _money_field("IGST")
    tax_amount = _money_field("tax")
    line_total = _money_field()

    class Meta:
        abstract = True


def _tax_constraints(prefix: str) -> list[models.CheckConstraint]:
    # (line_total = taxable_value + tax_amount is kept by the service: SQLite compares the sum of
    # two decimals as floats, so an equality constraint would refuse exact figures there.)
    return [
        models.CheckConstraint(
            condition=Q(taxable_value__gte=0)
            & Q(cgst_amount__gte=0)
            & Q(sgst_amount__gte=0)
            & Q(igst_amount__gte=0)
            & Q(tax_amount__gte=0),
            name=f"{prefix}_tax_not_negative",
        ),
    ]


class Settlement(models.TextChoices):
    REFUND = "refund", "Refund paid out"
    CREDIT = "credit", "Credit on the customer's account"


class ReturnReason(models.TextChoices):
    BURST = "burst", "Burst"
    LEAKING = "leaking", "Leaking"
    WRONG_ITEM = "wrong_item", "Wrong item"
    DAMAGED = "damaged", "Damaged in transit"
    OTHER = "other", "Other"


class Disposition(models.TextChoices):
    RESTOCK = "restock", "Back into stock"
    SCRAP = "scrap", "Written off as scrap"


# Refunds go out in money the plant pays with; cheques and cards are for money coming in.
REFUND_METHODS = [PaymentMethod.CASH, PaymentMethod.BANK, PaymentMethod.UPI]


class SalesReturn(Document):
    """Goods a customer sends back against a posted bill; its number is the credit note's."""

    NUMBER_PREFIX = "CN"

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    settlement = models.CharField(max_length=10, choices=Settlement.choices, default=Settlement.CREDIT)
    refund_method = models.CharField(
        max_length=10,
        choices=[(m.value, m.label) for m in REFUND_METHODS],
        blank=True,
        help_text="how the refund was paid; empty for a credit on account",
    )
    # Set at posting: the money paid back (the credit note's total when refunded, else 0) and the
    # cost the returned goods left stock at (Σ line cost: the COGS taken back).
    refund = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, editable=False)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    # Set with the lines: ``total`` = taxable total + tax total (the credit note's value); revenue
    # is taken back by the taxable total, output tax by the tax total.
    taxable_total = _money_field()
    tax_total = _money_field()
    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = "sales return"
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["customer", "date"], name="salesreturn_customer_date"),
            models.Index(fields=["sale", "status"], name="salesreturn_sale_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(refund__gte=0), name="salesreturn_refund_not_negative"),
            models.CheckConstraint(
                condition=Q(settlement="refund", refund_method__in=[m.value for m in REFUND_METHODS])
                | Q(settlement="credit", refund_method="", refund=0),
                name="salesreturn_refund_has_method",
            ),
        ]


class SalesReturnLine(ReturnedTax):
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", help_text="the item sold")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    disposition = models.CharField(max_length=10, choices=Disposition.choices, default=Disposition.RESTOCK)
    reason = models.CharField(max_length=20, choices=ReturnReason.choices, default=ReturnReason.OTHER)
    scrap_item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="scrapped goods received as this item (e.g. regrind); empty: written off to nothing",
    )
    scrap_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    # Set at posting, as this line's share of the bill line: its amount as the bill line has it
    # (quantity × price − discount), the discount, and the cost the goods left stock at; the tax
    # fields (``ReturnedTax``) are its share of the bill line's taxable value and tax.
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, editable=False)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, editable=False)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            *_tax_constraints("salesreturn_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="salesreturn_line_quantity_positive"),
            models.CheckConstraint(condition=Q(scrap_value__gte=0), name="salesreturn_line_scrap_value"),
            models.CheckConstraint(
                condition=Q(disposition="scrap") | Q(scrap_item__isnull=True, scrap_value=0),
                name="salesreturn_line_scrap_only_when_scrapped",
            ),
            models.CheckConstraint(
                condition=Q(scrap_item__isnull=False) | Q(scrap_value=0),
                name="salesreturn_line_scrap_value_needs_item",
            ),
        ]
        indexes = [models.Index(fields=["sale_line", "sales_return"], name="salesreturn_line_sale_line")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} ({self.get_disposition_display()})"


class PurchaseReturn(Document):
    """Goods sent back to the supplier against a posted purchase; its number is the debit note's."""

    NUMBER_PREFIX = "DN"

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="+")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="+")
    # As on a credit note: ``total`` = taxable total (the stock value sent back) + input tax reversed.
    taxable_total = _money_field()
    tax_total = _money_field()
    history = HistoricalRecords()

    class Meta(Document.Meta):
        verbose_name = "purchase return"
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["supplier", "date"], name="purchasereturn_supplier_date"),
            models.Index(fields=["purchase", "status"], name="purchasereturn_purch_status"),
        ]


class PurchaseReturnLine(ReturnedTax):
    purchase_return = models.ForeignKey(PurchaseReturn, on_delete=models.CASCADE, related_name="lines")
    purchase_line = models.ForeignKey(PurchaseLine, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    reason = models.CharField(max_length=20, choices=ReturnReason.choices, default=ReturnReason.OTHER)
    # Set at posting: this line's share of the purchase line's amount, and (``ReturnedTax``) of its
    # taxable value (the value leaving stock) and input tax.
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=ZERO, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            *_tax_constraints("purchasereturn_line"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasereturn_line_quantity_pos"),
        ]
        indexes = [
            models.Index(fields=["purchase_line", "purchase_return"], name="purchasereturn_line_pline"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id}"
