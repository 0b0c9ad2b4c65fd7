"""Entry forms for returns: the bill (or purchase) by number, and one row per line sent back.

A row names the bill's line it returns; a row left without a quantity is not returned. The
services decide everything else.
"""

from __future__ import annotations

from django import forms

from core.bounds import MAX_LINE_QUANTITY
from documents.forms import DATE_INPUT, MONEY, LineForm, RequestKeyForm, line_formset
from inventory.models import Item, ItemKind
from purchasing.models import Purchase, PurchaseLine
from returns.models import REFUND_METHODS, Disposition, ReturnReason, Settlement
from sales.models import Sale, SaleLine


def _document_by_number(model, number: str, noun: str):
    number = (number or "").strip().upper()
    if not number:
        raise forms.ValidationError(f"Enter the {noun} number.")
    found = model.objects.filter(number=number).first()
    if found is None:
        raise forms.ValidationError(f"There is no {noun} {number}.")
    return found


class SalesReturnForm(RequestKeyForm):
    # A bill number typed (or filled in from the bill's page): a list of every bill would not scale.
    sale = forms.CharField(label="Bill number", max_length=30)
    settlement = forms.ChoiceField(choices=Settlement.choices, initial=Settlement.CREDIT)
    refund_method = forms.ChoiceField(
        label="Refund paid by",
        choices=[("", "— not refunded —"), *[(m.value, m.label) for m in REFUND_METHODS]],
        required=False,
    )
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_sale(self):
        return _document_by_number(Sale, self.cleaned_data["sale"], "bill")


class SaleLineChoice(forms.ModelChoiceField):
    def label_from_instance(self, line: SaleLine) -> str:
        return f"{line.item.sku} — {line.quantity} sold at {line.unit_price}"


class ReturnLineForm(LineForm):
    """A row counts only with a quantity: the page lists every line of the bill to choose from."""

    def is_blank(self) -> bool:
        if not hasattr(self, "cleaned_data"):
            return not self.data.get(self.add_prefix("quantity"))
        return self.cleaned_data.get("quantity") in (None, "")


def _scrap_items():
    return Item.objects.filter(is_active=True, kind=ItemKind.SCRAP).order_by("sku")


class SalesReturnLineForm(ReturnLineForm):
    sale_line = SaleLineChoice(label="Bill line", queryset=SaleLine.objects.none(), empty_label="— choose —")
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, required=False)
    disposition = forms.ChoiceField(label="Goes", choices=Disposition.choices, initial=Disposition.RESTOCK)
    reason = forms.ChoiceField(choices=ReturnReason.choices, initial=ReturnReason.OTHER)
    scrap_item = forms.ModelChoiceField(
        label="Scrap received as", queryset=_scrap_items(), required=False, empty_label="— nothing —"
    )
    scrap_value = forms.DecimalField(
        label="Scrap value", required=False, **MONEY, widget=forms.NumberInput(attrs={"step": "0.01"})
    )

    def __init__(self, *args, sale: Sale | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if sale is not None:
            self.fields["sale_line"].queryset = SaleLine.objects.filter(sale=sale).select_related("item")

    def clean(self):
        data = super().clean()
        if data.get("quantity") and not data.get("sale_line") and "sale_line" not in self.errors:
            self.add_error("sale_line", "Choose the bill line returned.")
        return data


SalesReturnLineFormSet = line_formset(SalesReturnLineForm)


class PurchaseReturnForm(RequestKeyForm):
    purchase = forms.CharField(label="Purchase number", max_length=30)
    date = forms.DateField(widget=DATE_INPUT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_purchase(self):
        return _document_by_number(Purchase, self.cleaned_data["purchase"], "purchase")


class PurchaseLineChoice(forms.ModelChoiceField):
    def label_from_instance(self, line: PurchaseLine) -> str:
        return f"{line.item.sku} — {line.quantity} bought at {line.unit_price}"


class PurchaseReturnLineForm(ReturnLineForm):
    purchase_line = PurchaseLineChoice(
        label="Purchase line", queryset=PurchaseLine.objects.none(), empty_label="— choose —"
    )
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, required=False)
    reason = forms.ChoiceField(choices=ReturnReason.choices, initial=ReturnReason.OTHER)

    def __init__(self, *args, purchase: Purchase | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if purchase is not None:
            self.fields["purchase_line"].queryset = PurchaseLine.objects.filter(
                purchase=purchase
            ).select_related("item")

    def clean(self):
        data = super().clean()
        if data.get("quantity") and not data.get("purchase_line") and "purchase_line" not in self.errors:
            self.add_error("purchase_line", "Choose the purchase line sent back.")
        return data


PurchaseReturnLineFormSet = line_formset(PurchaseReturnLineForm)
