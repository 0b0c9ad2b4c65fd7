from __future__ import annotations

from decimal import Decimal

from django import forms

from config import search
from inventory.forms import DATE_INPUT, ItemChoiceField, LineForm, RequestKeyForm, line_formset
from purchasing.models import Supplier
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


class PurchaseForm(RequestKeyForm):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True), empty_label="— choose —"
    )
    date = forms.DateField(widget=DATE_INPUT)
    supplier_bill_number = forms.CharField(label="Supplier's bill number", max_length=60, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class PurchaseLineForm(LineForm):
    item = ItemChoiceField()
    quantity = forms.IntegerField(min_value=1, max_value=10**9)
    unit_price = forms.DecimalField(
        label="Unit price",
        max_digits=12,
        decimal_places=4,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.0001"}),
    )
    tax_rate = forms.DecimalField(
        label="Tax %",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        help_text="as on the supplier's bill; empty: the item's rate",
    )


PurchaseLineFormSet = line_formset(PurchaseLineForm)
