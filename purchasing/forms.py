from __future__ import annotations

from decimal import Decimal

from django import forms

from cashbook.models import Account, Method
from core.bounds import MAX_LINE_QUANTITY
from documents.forms import DATE_INPUT, LineForm, RequestKeyForm, line_formset
from inventory.forms import ItemChoiceField, bought_items, picker
from parties.forms import PartyForm as PartyForm  # a supplier is entered on the party form
from purchasing.models import Purchase, Supplier


class PurchaseForm(RequestKeyForm):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True),
        empty_label="— choose —",
        widget=forms.Select(attrs=picker("api-search-suppliers")),
    )
    date = forms.DateField(widget=DATE_INPUT)
    supplier_bill_number = forms.CharField(label="Supplier's bill number", max_length=60, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class PurchaseLineForm(LineForm):
    item = ItemChoiceField(
        queryset=bought_items(), widget=forms.Select(attrs=picker("api-search-items", "?use=bought"))
    )
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
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


class SupplierPaymentForm(RequestKeyForm):
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True), empty_label="— choose —"
    )
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(choices=Method.choices)
    account = forms.ModelChoiceField(
        queryset=Account.objects.filter(is_active=True),
        required=False,
        empty_label="— the account kept for the method —",
    )
    reference = forms.CharField(max_length=80, required=False)
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class AllocationForm(LineForm):
    """A bill the payment settles: typed by number (a list of every bill would not scale)."""

    purchase = forms.CharField(label="Bill number", max_length=30)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))

    def clean_purchase(self):
        number = self.cleaned_data["purchase"].strip().upper()
        purchase = Purchase.objects.filter(number=number).first()
        if purchase is None:
            raise forms.ValidationError(f"There is no bill {number}.")
        return purchase


AllocationFormSet = line_formset(AllocationForm)
