"""The pieces every document form shares: the one-time request key, line forms and formsets, the
list filters, the reason for a decision, and how a refused action's message reaches its field.

Forms only shape input; the services decide. ``show_domain_error`` puts a refused action's message
next to the field or line it concerns.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.forms.formsets import TOTAL_FORM_COUNT

from core import search
from core.errors import DomainError, InsufficientStock, InvalidDocument, PeriodClosed
from documents.models import MAX_LINES, DocumentStatus
from inventory.models import Item

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class RequestKeyForm(forms.Form):
    """The one-time key every entry form carries: a second POST of one form makes no second document."""

    request_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def fresh() -> str:
        return str(uuid.uuid4())


class LineForm(forms.Form):
    """A document line. A row left completely empty is ignored, as are rows marked for removal."""

    def is_blank(self) -> bool:
        if not hasattr(self, "cleaned_data"):
            return not self.has_changed()
        return not any(v not in (None, "", False) for k, v in self.cleaned_data.items() if k != "DELETE")


class BaseLineFormSet(forms.BaseFormSet):
    """Every row is an "extra" row, so a blank one is simply skipped and rows can be added freely.

    A document takes at most ``max_num`` lines. Rows past ``absolute_max`` (room for blank and
    removed rows) are never built: a posted TOTAL_FORMS of a hundred million is refused with the
    formset's error before a single row form exists, instead of building and re-showing thousands.
    """

    default_error_messages = {"too_many_forms": "A document takes at most %(num)d lines."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.initial:
            self.extra = len(self.initial) + 1

    def initial_form_count(self) -> int:
        return 0

    def total_form_count(self) -> int:
        if self.is_bound and self.management_form.cleaned_data[TOTAL_FORM_COUNT] > self.absolute_max:
            return 0
        return super().total_form_count()

    def clean(self) -> None:
        super().clean()
        # Lines, not rows: the blank row every page carries and rows marked for removal don't count.
        if len(self.kept_forms()) > self.max_num:
            raise forms.ValidationError(
                self.error_messages["too_many_forms"] % {"num": self.max_num}, code="too_many_forms"
            )

    def kept_forms(self) -> list[forms.Form]:
        """The forms that become lines, in order: their position is the service's line index."""
        return [
            f
            for f in self.forms
            if f.has_changed() and not (self.can_delete and self._should_delete_form(f)) and not f.is_blank()
        ]


def line_formset(form: type[forms.Form], extra: int = 1):
    return formset_factory(
        form,
        formset=BaseLineFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES + 50,
    )


def silence(form: forms.Form | forms.BaseFormSet) -> None:
    """Show a bound form again without validating it (after "add a line" or "fill from recipe")."""
    # Through the public error containers: validation runs once, then its findings are dropped.
    if isinstance(form, forms.BaseFormSet):
        form.non_form_errors().clear()
        for inner in form.forms:
            silence(inner)
    else:
        form.errors.clear()
        form.cleaned_data = {}


def with_extra_row(data, prefix: str):
    """A copy of the posted data with one more (empty) row in formset ``prefix``.

    None is added past the most lines a document takes; a count past the formset's absolute
    maximum is left as it is, so the formset builds no rows for it at all.
    """
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        count = int(data.get(key, 0))
    except ValueError:
        count = 0
    data[key] = str(max(count + 1, 1) if count < MAX_LINES else count)
    return data


def replace_rows(data, prefix: str, rows: Sequence[dict]):
    """A copy of the posted data whose formset ``prefix`` holds exactly ``rows``."""
    data = data.copy()
    for key in [k for k in data if k.startswith(f"{prefix}-")]:
        del data[key]
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows) or 1)
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)
    return data


def initial_rows(prefix: str, rows: Sequence[dict]) -> dict:
    """Formset data for editing a draft: its lines as if they had been typed."""
    from django.http import QueryDict

    return replace_rows(QueryDict(mutable=True), prefix, rows)


def show_domain_error(
    error: DomainError,
    form: forms.Form,
    formsets: dict[str, BaseLineFormSet],
    *,
    item_field: str = "item",
) -> list[str]:
    """Put a refused action's messages on the fields and lines they concern.

    Returns messages that belong to a whole formset (``{name: [...]}`` keys of the error); anything
    that fits nowhere becomes the form's non-field error.
    """
    general: list[str] = []
    if isinstance(error, InvalidDocument):
        for name, messages in error.fields.items():
            if name in formsets:
                general.extend(messages)
            elif name in form.fields:
                for message in messages:
                    form.add_error(name, message)
            else:
                form.add_error(None, " ".join(messages))
        lines_formset = next(iter(formsets.values()), None)
        for index, fields in error.lines.items():
            kept = lines_formset.kept_forms() if lines_formset is not None else []
            if index >= len(kept):
                form.add_error(
                    None, f"Line {index + 1}: " + " ".join(m for ms in fields.values() for m in ms)
                )
                continue
            for name, messages in fields.items():
                target = name if name in kept[index].fields else None
                for message in messages:
                    kept[index].add_error(target, message)
        if not error.fields and not error.lines:
            form.add_error(None, error.message)
    elif isinstance(error, InsufficientStock):
        marked: list[str] = []  # "Bottle 500 ml (line 2)", for the banner above the lines
        for shortage in error.shortages:
            message = f"Only {shortage.available} in stock ({shortage.requested} needed)."
            for formset in formsets.values():
                for number, line in enumerate(formset.kept_forms(), start=1):
                    item = line.cleaned_data.get(item_field)
                    if item is not None and item.pk == shortage.item_id:
                        quantity = "quantity" if "quantity" in line.fields else None
                        line.add_error(quantity, message)
                        marked.append(f"{item.name} (line {number})")
        if not marked:
            form.add_error(None, error.message)
        else:
            form.add_error(
                None, f"Not enough stock for {', '.join(marked)}, marked below. Nothing was saved."
            )
    elif isinstance(error, PeriodClosed) and "date" in form.fields:
        form.add_error("date", error.message)
    else:
        form.add_error(None, error.message)
    return general


class DocumentFilterForm(forms.Form):
    """The list filters every document type shares: dates, status, party, item and number."""

    q = forms.CharField(required=False, label="Number", max_length=40)
    date_from = forms.DateField(required=False, label="From", widget=DATE_INPUT)
    date_to = forms.DateField(required=False, label="To", widget=DATE_INPUT)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *DocumentStatus.choices])

    def __init__(self, *args, party_label: str = "", with_items: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if party_label:
            # A name search, not a dropdown: a plant has hundreds of customers.
            self.fields["party"] = forms.CharField(
                required=False, label=party_label, max_length=search.MAX_LENGTH
            )
        if with_items:
            self.fields["item"] = forms.ModelChoiceField(
                queryset=Item.objects.order_by("sku"), required=False, empty_label="Any item"
            )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
