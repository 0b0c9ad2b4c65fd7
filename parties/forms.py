"""Forms for the contact details of a supplier or customer, and for searching them."""

from __future__ import annotations

from django import forms

from core import search
from tax.states import STATE_CHOICES


class PartyForm(forms.Form):
    """Contact details of a supplier or customer."""

    name = forms.CharField(max_length=150)
    contact_person = forms.CharField(max_length=120, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tax_number = forms.CharField(label="Tax number", max_length=40, required=False)
    gstin = forms.CharField(label="GSTIN", max_length=20, required=False)
    state_code = forms.ChoiceField(
        label="State", choices=[("", "—"), *STATE_CHOICES], required=False, help_text="GST state code"
    )
    is_registered = forms.BooleanField(label="Registered for GST", required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class PartySearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=search.MAX_LENGTH)
    show = forms.ChoiceField(
        required=False, choices=[("active", "Active"), ("inactive", "Inactive"), ("all", "All")]
    )
