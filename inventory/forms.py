"""Forms for items, recipes, stock counts and closing a period.

Forms only shape input; the services decide. The pieces every document form shares are in
``documents.forms``.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from core import search
from documents.forms import DATE_INPUT, MONEY, LineForm, RequestKeyForm, line_formset
from inventory.models import Item, ItemKind
from tax.models import TaxRate


def active_items():
    return Item.objects.filter(is_active=True).order_by("sku")


def sold_items():
    """What a bill offers (``inventory.item_flags``)."""
    return active_items().filter(is_sold=True)


def bought_items():
    """What a purchase offers."""
    return active_items().filter(is_bought=True)


def made_items():
    """What a production run may make."""
    return active_items().filter(is_made=True)


def picker(url_name: str, query: str = "", **data: str) -> dict[str, object]:
    """Widget attributes that let ``static/js/picker.js`` put a search box over a select."""
    from django.urls import reverse_lazy
    from django.utils.functional import lazy

    url = reverse_lazy(url_name)
    full = lazy(lambda: f"{url}{query}", str)() if query else url
    return {"data-picker": full, **{f"data-picker-{key}": value for key, value in data.items()}}


def flag_field(label: str) -> forms.TypedChoiceField:
    """Sold / bought / made on the item form: yes, no, or (left alone) the default of its kind."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[("", "By kind"), ("True", "Yes"), ("False", "No")],
        coerce=lambda value: value == "True",
        empty_value=None,
    )


class ItemChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("empty_label", "— choose an item —")
        super().__init__(queryset if queryset is not None else active_items(), **kwargs)


class ClosePeriodForm(forms.Form):
    through = forms.DateField(
        label="Close everything dated on or before",
        widget=DATE_INPUT,
        help_text="e.g. the last day of a month",
    )
    note = forms.CharField(max_length=200, required=False)


# Items and recipes --------------------------------------------------------------------------


class ItemForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=40)
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=ItemKind.choices)
    unit = forms.CharField(max_length=20, initial="pcs")
    reorder_level = forms.IntegerField(min_value=0, initial=0)
    default_price = forms.DecimalField(label="Default selling price", required=False, **MONEY)
    volume_ml = forms.IntegerField(label="Bottle volume (ml)", required=False, min_value=0)
    weight_g = forms.DecimalField(
        label="Preform weight (g)", required=False, max_digits=8, decimal_places=2, min_value=0
    )
    hsn_code = forms.CharField(label="HSN code", max_length=12, required=False, help_text="4, 6 or 8 digits")
    tax_rate = forms.ModelChoiceField(
        queryset=TaxRate.objects.filter(is_active=True), required=False, empty_label="— no tax —"
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)
    is_sold = flag_field("Sold (offered on bills)")
    is_bought = flag_field("Bought (offered on purchases)")
    is_made = flag_field("Made (a production run's product)")


class RecipeLineForm(LineForm):
    item = ItemChoiceField(label="Component")
    quantity = forms.DecimalField(
        label="Quantity per bottle", max_digits=10, decimal_places=4, min_value=Decimal("0.0001")
    )


RecipeFormSet = line_formset(RecipeLineForm)


class ItemSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=search.MAX_LENGTH)
    show = forms.ChoiceField(
        required=False, choices=[("active", "Active"), ("inactive", "Inactive"), ("all", "All")]
    )


# Stock counts -------------------------------------------------------------------------------


class StockCountForm(RequestKeyForm):
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CountLineForm(LineForm):
    item = ItemChoiceField()
    quantity = forms.IntegerField(label="Counted quantity", min_value=0)


CountLineFormSet = line_formset(CountLineForm)
