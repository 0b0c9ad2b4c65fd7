"""The seller profile and tax rate forms: shape only; company.services and tax.services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from company.models import SellerProfile
from company.services import PROFILE_FIELDS

MAX_LOGO_BYTES = 512 * 1024
# A logo is printed on every invoice: PNG or JPEG only (no SVG, which can carry script).
LOGO_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}


class SellerProfileForm(forms.ModelForm):
    class Meta:
        model = SellerProfile
        fields = PROFILE_FIELDS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "invoice_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        upload = self.files.get(self.add_prefix("logo"))
        if not upload:
            return logo
        if upload.size > MAX_LOGO_BYTES:
            raise forms.ValidationError(f"The logo may be at most {MAX_LOGO_BYTES // 1024} KB.")
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(signature) for signature in LOGO_SIGNATURES):
            raise forms.ValidationError("Choose a PNG or JPEG image for the logo.")
        return logo


class TaxRateForm(forms.Form):
    name = forms.CharField(max_length=40, help_text="e.g. GST 18%")
    rate = forms.DecimalField(
        label="Rate (%)", max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("100")
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
