"""Filter types shared by the API's filtersets."""

from django import forms
from django_filters import rest_framework as filters

# The largest id a bigint column holds: anything above is refused as invalid input (400) instead
# of reaching the database, where SQLite would overflow and PostgreSQL would reject the literal.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A filter on a row id: a whole number from 1 to the largest bigint."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
