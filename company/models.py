"""The seller: the plant's own legal details, printed on every tax invoice. One row."""

from django.db import models
from simple_history.models import HistoricalRecords

from tax.gstin import validate_gstin
from tax.states import STATE_CHOICES


class SellerProfile(models.Model):
    legal_name = models.CharField(max_length=150, blank=True)
    trade_name = models.CharField(max_length=150, blank=True)
    address = models.TextField(blank=True)
    state_code = models.CharField(
        "state", max_length=2, choices=STATE_CHOICES, blank=True, help_text="GST state code"
    )
    gstin = models.CharField("GSTIN", max_length=15, blank=True, validators=[validate_gstin])
    pan = models.CharField("PAN", max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    bank_name = models.CharField(max_length=100, blank=True)
    bank_account_number = models.CharField(max_length=34, blank=True)
    bank_ifsc = models.CharField("bank IFSC", max_length=11, blank=True)
    upi_id = models.CharField("UPI id", max_length=60, blank=True, help_text="e.g. plant@okbank")
    logo = models.FileField(upload_to="seller/", blank=True)
    invoice_terms = models.TextField("invoice footer / terms", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "seller profile"

    def __str__(self) -> str:
        return self.trade_name or self.legal_name or "Seller profile"

    @classmethod
    def current(cls) -> "SellerProfile":
        """The one profile; an empty, unsaved one until a Manager fills it in."""
        return cls.objects.order_by("pk").first() or cls()
