"""The supplier/customer base: the contact details both kinds of party share."""

from django.db import models

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
