from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings

from inventory.forms import DATE_INPUT, MONEY, ItemChoiceField, LineForm, RequestKeyForm, line_formset
from parties.forms import PartyForm
from sales.models import MAX_CREDIT_DAYS, Customer, PaymentMethod, Sale


class CustomerForm(PartyForm):
    credit_limit = forms.DecimalField(
        required=False, help_text="Leave empty for no limit.", max_digits=14, decimal_places=2, min_value=0
    )
    credit_days = forms.IntegerField(
        min_value=0,
        max_value=MAX_CREDIT_DAYS,
        initial=lambda: settings.DEFAULT_CREDIT_DAYS,
        help_text="Days a bill may stay unpaid; after them the digest lists it as overdue. 0: cash.",
    )

    def __init__(self, *args, may_set_credit_terms: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a Manager sets credit terms; Staff do not see the fields (the service checks too).
        if not may_set_credit_terms:
            del self.fields["credit_limit"]
            del self.fields["credit_days"]


def _customers():
    return Customer.objects.filter(is_active=True).order_by("name")


class SaleForm(RequestKeyForm):
    customer = forms.ModelChoiceField(queryset=_customers(), empty_label="— choose —")
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class SaleLineForm(LineForm):
    item = ItemChoiceField()
    quantity = forms.IntegerField(min_value=1, max_value=10**9)
    # Left empty, the line takes the item's default selling price (the service fills it in).
    unit_price = forms.DecimalField(
        label="Unit price", required=False, **MONEY, widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    discount = forms.DecimalField(
        label="Discount",
        required=False,
        **MONEY,
        widget=forms.NumberInput(attrs={"step": "0.01", "placeholder": "0.00"}),
    )


SaleLineFormSet = line_formset(SaleLineForm)


class PaymentForm(RequestKeyForm):
    customer = forms.ModelChoiceField(queryset=_customers(), empty_label="— choose —")
    # A bill number typed (or filled in from the bill's page): a list of every bill would not scale.
    sale = forms.CharField(
        label="Bill number",
        required=False,
        max_length=30,
        help_text="Leave empty to keep the money on account.",
    )
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    reference = forms.CharField(max_length=80, required=False)
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_sale(self):
        number = self.cleaned_data["sale"].strip().upper()
        if not number:
            return None
        sale = Sale.objects.filter(number=number).first()
        if sale is None:
            raise forms.ValidationError(f"There is no bill {number}.")
        return sale
