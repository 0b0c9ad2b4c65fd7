"""Filter types shared by the API's filtersets, each taking exactly what the schema says of it."""

import re

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

# The largest id a bigint column holds: anything above is refused as invalid input (400) instead
# of reaching the database, where SQLite would overflow and PostgreSQL would reject the literal.
from core.api.fields import MAX_ID


class WholeNumberField(forms.IntegerField):
    """Django's IntegerField without its leniency: ``1.0``, ``+1``, `` 1`` or other scripts' digits
    are not the plain integer the schema names."""

    def to_python(self, value):
        if value not in self.empty_values and not re.fullmatch(r"-?[0-9]+", str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A filter on a row id: a whole number from 1 to the largest bigint."""

    field_class = WholeNumberField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class TrueOrFalseField(forms.Field):
    """``true`` or ``false``, as the schema's boolean is written in a query; anything else is an error.

    django-filter's own boolean filter reads "1", "TRUE" and "no" alike and drops what it cannot
    read, so a mistyped filter silently answered with every row.
    """

    widget = forms.TextInput
    default_error_messages = {"invalid": 'Enter "true" or "false".'}

    def to_python(self, value):
        if value is None:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        pass  # an absent filter is None; every present value was checked by to_python


@extend_schema_field(OpenApiTypes.BOOL)
class TrueOrFalseFilter(filters.BooleanFilter):
    field_class = TrueOrFalseField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class FilterSet(filters.FilterSet):
    """A filterset that refuses a filter given with no value (``?kind=``, ``?date_after=``).

    django-filter reads an empty value as "no filter", while the schema's integer, boolean, date
    or choice has no empty value. Text filters take an empty string, as the schema's string does.
    """

    def get_form_class(self):
        form_class = super().get_form_class()
        strict = [name for name, f in self.filters.items() if not isinstance(f, filters.CharFilter)]

        class Form(form_class):
            def clean(form):
                cleaned = super().clean()
                for key in form.data:
                    filter_name = next((n for n in strict if key == n or key.startswith(f"{n}_")), None)
                    if filter_name and "" in form.data.getlist(key):
                        form.add_error(filter_name, f"Give {key} a value or leave it out.")
                return cleaned

        return form_class if not strict else Form


class ActiveFilter(FilterSet):
    """Master data (customers, suppliers) filtered by whether it is still in use."""

    is_active = TrueOrFalseFilter()
