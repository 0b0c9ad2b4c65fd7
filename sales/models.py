from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import NullIf
from simple_history.models import HistoricalRecords

from cashbook.models import Account
from documents.models import Document, entry_indexes
from inventory.models import Item, PackSize
from parties.models import OpeningDue, Party

MAX_CREDIT_DAYS = 365  # a year: longer terms are a loan, not a bill


def default_credit_days() -> int:
    """A new customer's credit days: the DEFAULT_CREDIT_DAYS setting, read when the row is made."""
    return settings.DEFAULT_CREDIT_DAYS


class PriceList(models.Model):
    """A set of selling prices: the default list, or one for a group (distributors, retail) or a
    named customer. A customer assigned to a list is billed at its prices; items it lacks come from
    the default list, then from the item's default selling price."""

    name = models.CharField(max_length=80, unique=True)
    is_default = models.BooleanField(
        "default list", default=False, help_text="used for customers without a list of their own"
    )
    is_active = models.BooleanField("active", default=True)
    notes = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="price_list_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListEntry(models.Model):
    """An item's price on a list from ``valid_from`` on, until the next entry for that item starts."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    valid_from = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["price_list", "item", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "item", "valid_from"], name="price_entry_once_per_day"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_entry_not_negative"),
        ]
        indexes = [models.Index(fields=["item", "price_list", "valid_from"], name="price_entry_lookup")]

    def __str__(self) -> str:
        return f"{self.price_list}: {self.item_id} {self.price} from {self.valid_from}"


class Customer(Party):
    price_list = models.ForeignKey(
        PriceList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        help_text="the prices this customer is billed at; empty: the default list",
    )
    credit_limit = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="empty: no limit",
    )
    credit_days = models.PositiveSmallIntegerField(
        default=default_credit_days,
        validators=[MaxValueValidator(MAX_CREDIT_DAYS)],
        help_text="days a bill may stay unpaid before it is overdue; 0: cash, due at once",
    )
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta(Party.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_days__lte=MAX_CREDIT_DAYS), name="customer_credit_days_at_most_a_year"
            ),
        ]


class Sale(Document):
    """A customer bill. Posting issues the stock and fixes each line's cost (COGS)."""

    NUMBER_PREFIX = "S"
    NOUN = "bill"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sales")
    # Set at posting: Σ line cost, so profit is revenue − COGS as it was, never re-costed.
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    # Lines priced more than PRICE_LIST_TOLERANCE_PERCENT from the customer's list, counted when the
    # lines are written: a reason to wait for approval, read without reading the lines.
    off_list_lines = models.PositiveSmallIntegerField(default=0, editable=False)
    # Tax, fixed with the lines (tax.compute): ``total`` is the grand total, what the customer owes;
    # revenue is the taxable total.
    place_of_supply = models.CharField(max_length=2, blank=True, editable=False, help_text="GST state code")
    party_gstin = models.CharField(
        "customer's GSTIN", max_length=15, blank=True, editable=False, help_text="as it was on the bill"
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
            models.Index(fields=["customer", "date"], name="sale_customer_date"),
            # The list's keyset order (newest first): a page stops after its rows, not a whole day.
            models.Index(fields=["date", "id"], name="sale_date_id"),
            *entry_indexes("sale"),
        ]


def discount_share() -> models.Expression:
    """A line's discount as a share of its gross (quantity × price): the expression the index
    ``sale_line_discount_share`` holds, so a query that compares it with a limit reads only the lines
    above the limit (the exceptions report's big discounts, whatever the limit is set to)."""
    # NULLIF: a free line (price 0, so no discount either) has no share, rather than a division by
    # zero wherever the database evaluates the expression before the ``discount > 0`` test.
    return models.ExpressionWrapper(
        F("discount") / NullIf(F("quantity") * F("unit_price"), 0),
        output_field=models.DecimalField(max_digits=30, decimal_places=20),
    )


class SaleLine(models.Model):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    discount = models.DecimalField(
        "discount (amount)",
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="quantity × price − discount")
    unit_cost = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True, editable=False)
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    # The customer's price-list price when the line was written (None: no list price for the item);
    # a unit price far from it is marked for the approver (``sales.pricing``).
    list_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, editable=False)
    # As entered: ``packs`` of ``pack`` plus loose units; ``quantity`` is always the base units.
    pack = models.ForeignKey(PackSize, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    packs = models.PositiveIntegerField(null=True, blank=True)
    # Copied from the item and fixed with the line (a later rate change never rewrites it).
    hsn_code = models.CharField("HSN", max_length=10, blank=True, editable=False)
    tax_rate = models.DecimalField("tax rate (%)", max_digits=5, decimal_places=2, default=0, editable=False)
    taxable_value = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    cgst_amount = models.DecimalField("CGST", max_digits=14, decimal_places=2, default=0, editable=False)
    sgst_amount = models.DecimalField("SGST", max_digits=14, decimal_places=2, default=0, editable=False)
    igst_amount = models.DecimalField("IGST", max_digits=14, decimal_places=2, default=0, editable=False)
    tax_amount = models.DecimalField("tax", max_digits=14, decimal_places=2, default=0, editable=False)
    line_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="sale_line_price_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="sale_line_discount_not_negative"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sale_line_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(discount__lte=F("quantity") * F("unit_price")),
                name="sale_line_discount_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "sale"], name="sale_line_item"),
            # The exceptions report reads only the lines it marks, through these three: sold below
            # cost (a fact of the line), and ordered by discount share and by price within an item,
            # so a changed limit or default price still reads only the lines beyond it.
            models.Index(
                fields=["sale"],
                condition=Q(cost__isnull=False, amount__lt=F("cost")),
                name="sale_line_below_cost",
            ),
            models.Index(discount_share(), condition=Q(discount__gt=0), name="sale_line_discount_share"),
            models.Index(fields=["item", "unit_price"], name="sale_line_item_price"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.item_id} @ {self.unit_price}"

    @property
    def is_off_list(self) -> bool:
        """Priced far from the customer's list (marked on the bill for the approver)."""
        from sales.pricing import is_off_list

        return is_off_list(self.unit_price, self.list_price)


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    BANK = "bank", "Bank transfer"
    UPI = "upi", "UPI"
    CHEQUE = "cheque", "Cheque"
    CARD = "card", "Card"


class Payment(Document):
    """Money received from a customer, against one bill or on account (a credit)."""

    NUMBER_PREFIX = "M"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    sale = models.ForeignKey(
        Sale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text="the bill paid; empty: on account",
    )
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    method = models.CharField(max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH)
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="where the money was received; empty: the account kept for the method",
    )
    reference = models.CharField(max_length=80, blank=True)
    history = HistoricalRecords()

    class Meta(Document.Meta):
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["customer", "date"], name="payment_customer_date"),
            models.Index(fields=["sale", "status"], name="payment_sale_status"),
            # The list's keyset order (newest first): a page stops after its rows, not a whole day.
            models.Index(fields=["date", "id"], name="payment_date_id"),
            *entry_indexes("payment"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]


class CustomerOpeningDue(OpeningDue):
    """What the customer owed us on the day the plant went live (once per customer);
    receivables count it like a posted bill of that date."""

    party_field = "customer"

    customer = models.OneToOneField(Customer, on_delete=models.PROTECT, related_name="opening_due")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="customer_opening_due_positive"),
        ]


class DispatchKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    SHARE = "share", "Share link made"


class DispatchStatus(models.TextChoices):
    QUEUED = "queued", "Being sent"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class InvoiceDispatch(models.Model):
    """A tax invoice sent out of the plant: e-mailed to an address, or a share link made for it.
    A record of what left and to whom; an e-mail's row moves from queued to done or failed once."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="dispatches")
    kind = models.CharField(max_length=10, choices=DispatchKind.choices)
    recipient = models.CharField(max_length=254, blank=True, help_text="the e-mail address sent to")
    link_expires_at = models.DateTimeField(null=True, blank=True, help_text="when a share link stops working")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DispatchStatus.choices, default=DispatchStatus.DONE)
    error = models.CharField(max_length=300, blank=True, help_text="why the mail server refused it")
    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["sale", "sent_at"], name="invoice_dispatch_sale")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sale_id} {self.recipient}".strip()
