"""What the plant spends on running itself: power, wages, rent, diesel, transport, repairs, other.

An expense is a document (``inventory.documents.Document``): posted at once or, above
EXPENSE_APPROVAL_THRESHOLD, after a second person's approval; cancelled by a Manager. Its
``amount`` is tax-exclusive (what enters the net profit); ``input_tax`` is the tax on its bill
where one applies, paid with it but never a cost (DESIGN §4, "Tax").
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from cashbook.models import Account, Method
from documents.models import Document
from purchasing.models import Supplier


class ExpenseCategory(models.Model):
    """A head of expense, kept by Managers. ``code`` names the ones reports look for (``power``)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    is_active = models.BooleanField("active", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "expense categories"

    def __str__(self) -> str:
        return self.name


POWER = "power"  # the category the production report divides by the bottles made


class Expense(Document):
    NUMBER_PREFIX = "E"

    category = models.ForeignKey(ExpenseCategory, on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="before tax",
    )
    input_tax = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="tax on the expense's bill, where one applies",
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="expenses"
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
            models.Index(fields=["category", "date"], name="expense_category_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=Q(input_tax__gte=0), name="expense_input_tax_not_negative"),
        ]
