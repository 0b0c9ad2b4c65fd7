from __future__ import annotations

from decimal import Decimal

from django import forms

from cashbook.models import Account, Method
from documents.forms import DATE_INPUT, RequestKeyForm
from expenses.models import ExpenseCategory
from purchasing.models import Supplier


class ExpenseForm(RequestKeyForm):
    category = forms.ModelChoiceField(
        queryset=ExpenseCategory.objects.filter(is_active=True), empty_label="— choose —"
    )
    amount = forms.DecimalField(
        label="Amount before tax", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    input_tax = forms.DecimalField(
        label="Input tax", max_digits=14, decimal_places=2, min_value=Decimal("0"), initial=Decimal("0")
    )
    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True), required=False, empty_label="— none —"
    )
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
