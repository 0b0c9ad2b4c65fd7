from __future__ import annotations

from decimal import Decimal

from django import forms

from cashbook.models import Account
from documents.forms import DATE_INPUT, RequestKeyForm


class CashClosingForm(RequestKeyForm):
    account = forms.ModelChoiceField(
        queryset=Account.objects.filter(is_active=True), empty_label="— choose —"
    )
    date = forms.DateField(widget=DATE_INPUT)
    counted = forms.DecimalField(
        label="Money counted", max_digits=14, decimal_places=2, min_value=Decimal("0")
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
