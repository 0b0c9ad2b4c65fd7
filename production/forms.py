from __future__ import annotations

from decimal import Decimal

from django import forms

from core.bounds import MAX_LINE_QUANTITY
from documents.forms import DATE_INPUT, MONEY, LineForm, RequestKeyForm, line_formset
from inventory.forms import ItemChoiceField, made_items
from inventory.models import Item, ItemKind
from production.models import RejectReason, Shift


class RunForm(RequestKeyForm):
    product = ItemChoiceField(
        label="Bottle made",
        queryset=made_items().filter(kind=ItemKind.BOTTLE),
    )
    good_quantity = forms.IntegerField(label="Good bottles", min_value=1, max_value=MAX_LINE_QUANTITY)
    machine = forms.CharField(max_length=40)
    shift = forms.ChoiceField(choices=Shift.choices)
    date = forms.DateField(widget=DATE_INPUT)
    conversion_cost = forms.DecimalField(
        label="Conversion cost (power, labour)", required=False, initial=Decimal("0"), **MONEY
    )
    scrap_item = ItemChoiceField(
        label="Rejects received as",
        required=False,
        empty_label="— not received as scrap —",
        queryset=Item.objects.filter(is_active=True, kind=ItemKind.SCRAP).order_by("sku"),
    )
    scrap_quantity = forms.IntegerField(label="Scrap quantity", required=False, min_value=0, initial=0)
    scrap_value = forms.DecimalField(label="Scrap value", required=False, initial=Decimal("0"), **MONEY)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class InputLineForm(LineForm):
    item = ItemChoiceField(label="Input")
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class RejectLineForm(LineForm):
    reason = forms.ChoiceField(choices=[("", "— reason —"), *RejectReason.choices])
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


InputFormSet = line_formset(InputLineForm)
RejectFormSet = line_formset(RejectLineForm)
