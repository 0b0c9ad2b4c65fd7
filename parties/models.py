"""The supplier/customer base: the contact details both kinds of party share."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from inventory.search_text import SearchTextField
from tax.gstin import validate_gstin
from tax.states import STATE_CHOICES


class Party(models.Model):
    """Contact details shared by suppliers and customers."""

    name = models.CharField(max_length=150)
    contact_person = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    tax_number = models.CharField(max_length=40, blank=True)
    gstin = models.CharField("GSTIN", max_length=15, blank=True, validators=[validate_gstin])
    state_code = models.CharField(
        "state", max_length=2, choices=STATE_CHOICES, blank=True, help_text="GST state code"
    )
    is_registered = models.BooleanField(
        "registered for GST", default=False, help_text="a business buyer with a GSTIN (B2B)"
    )
    notes = models.TextField(blank=True)
    is_active = models.BooleanField("active", default=True)
    # What a picker finds the party by: any word of its name, contact, town (address) or phone.
    search_text = SearchTextField(sources=("name", "contact_person", "address", "phone", "tax_number"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningDue(models.Model):
    """What was owed between the plant and one party on the day the plant went live (once per
    party); that party's receivables or payables count it like a posted bill of that date.

    Each kind adds its one-to-one party field (named in ``party_field``) and its check; the history
    of each is its own table, as before.
    """

    party_field: str = ""

    amount = models.DecimalField(max_digits=14, decimal_places=2)
    date = models.DateField("go-live date")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"Opening due of {getattr(self, f'{self.party_field}_id')}: {self.amount}"
