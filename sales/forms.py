from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings

from core.bounds import MAX_LINE_QUANTITY
from documents.forms import DATE_INPUT, MONEY, LineForm, RequestKeyForm, line_formset
from inventory.forms import ItemChoiceField, picker, sold_items
from inventory.models import PackSize
from inventory.packs import total_units
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
    customer = forms.ModelChoiceField(
        queryset=_customers(),
        empty_label="— choose —",
        # Chosen, the picker goes on to the first line's item.
        widget=forms.Select(
            attrs={**picker("api-search-customers", next="#id_lines-0-item_search"), "autofocus": True}
        ),
    )
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class PackSelect(forms.Select):
    """Each pack's option carries its size and item, so the page's script counts a line in packs
    (its amount) and offers only the chosen item's packs."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pack = getattr(value, "instance", None)
        if pack is not None:
            option["attrs"].update({"data-quantity": pack.quantity, "data-item": pack.item_id})
        return option


class PackChoiceField(forms.ModelChoiceField):
    widget = PackSelect

    def label_from_instance(self, obj: PackSize) -> str:
        return f"{obj.item.sku}: {obj.name} of {obj.quantity}"


class SaleLineForm(LineForm):
    item = ItemChoiceField(
        queryset=sold_items(),
        widget=forms.Select(
            attrs=picker("api-search-bill-items", params="customer=#id_customer date=#id_date")
        ),
    )
    # Loose units; with packs below, the line's quantity is packs × pack size + these.
    quantity = forms.IntegerField(label="Quantity", min_value=0, max_value=MAX_LINE_QUANTITY, required=False)
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
    packs = forms.IntegerField(label="Packs", min_value=0, max_value=10**6, required=False)
    pack = PackChoiceField(
        label="Pack",
        required=False,
        empty_label="—",
        queryset=PackSize.objects.select_related("item").order_by("item__sku", "quantity"),
    )

    def clean(self):
        data = super().clean()
        packs, pack, units = data.get("packs"), data.get("pack"), data.get("quantity")
        if packs and pack is None and "pack" not in self.errors:
            self.add_error("pack", "Choose the pack the number of packs counts.")
        total = total_units(pack=pack, packs=packs, units=units)
        if total == 0 or (total is None and data.get("item") is not None):
            self.add_error("quantity", "Enter a quantity (units, packs or both).")
        data["quantity"] = total
        if not packs:
            data["pack"] = None
        return data


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
