"""Where money is kept (cash, each bank account, UPI) and the day-end closing of an account.

Every document that moves money (a customer payment, a supplier payment, an expense, a refund)
names its method and, optionally, the account; without one, the account kept for that method
(``Account.default_for``) takes it. The cash book sums those documents per account
(``cashbook.flows``); no balance is stored, so an account's balance is always the sum of its entries.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from documents.models import Document


class Method(models.TextChoices):
    """How money moves; the same values as ``sales.PaymentMethod`` (a test keeps them equal)."""

    CASH = "cash", "Cash"
    BANK = "bank", "Bank transfer"
    UPI = "upi", "UPI"
    CHEQUE = "cheque", "Cheque"
    CARD = "card", "Card"


class AccountKind(models.TextChoices):
    CASH = "cash", "Cash"
    BANK = "bank", "Bank"
    UPI = "upi", "UPI"


class Account(models.Model):
    """A place money is kept, with its balance on the day the book starts."""

    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=AccountKind.choices, default=AccountKind.CASH)
    opening_balance = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    opening_date = models.DateField(help_text="the balance above is the money held at the start of this day")
    default_for = models.CharField(
        max_length=10,
        choices=Method.choices,
        null=True,
        blank=True,
        unique=True,
        help_text="money moved by this method without a named account is booked here",
    )
    is_active = models.BooleanField("active", default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CashClosing(Document):
    """The day-end count of an account: what the book says, what was counted, the difference.

    Posting fixes ``expected`` (the book's balance at the end of the day) and ``difference``
    (counted − expected); the difference is itself an entry of the account (over or short), so the
    book's balance after the closing equals the cash counted.
    """

    NUMBER_PREFIX = "CC"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="closings")
    counted = models.DecimalField(max_digits=14, decimal_places=2)
    expected = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    difference = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta(Document.Meta):
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["account", "date"], name="cash_closing_account_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(counted__gte=0), name="cash_closing_counted_not_negative"),
        ]


class FlowDay(models.Model):
    """Σ one money flow's posted documents on one date, per account named and method.

    Kept by ``cashbook.days`` inside the transaction that posts or cancels each document, so the
    cash book's balances over a year read a few thousand rows instead of every payment. The
    account a document names is kept as it is (``named_account``, 0 for none) with its method, so
    a document without an account is still booked, when read, to the account that takes its
    method then — the same rule the entries follow.
    """

    date = models.DateField()
    flow = models.CharField(max_length=30)  # ``cashbook.flows.MoneyFlow.name``
    named_account = models.BigIntegerField(default=0)
    method = models.CharField(max_length=10, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0"))  # + in, − out
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "flow", "named_account", "method"], name="flowday_once")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.flow} {self.named_account or self.method}: {self.amount}"
