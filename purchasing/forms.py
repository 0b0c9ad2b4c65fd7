from __future__ import annotations

from decimal import Decimal

from django import forms

from inventory.forms import DATE_INPUT, ItemChoiceField, LineForm, RequestKeyForm, line_formset
from parties.forms import PartyForm as PartyForm  # a supplier is entered on the party form
from purchasing.models import Supplier


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
