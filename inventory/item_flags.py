"""What an item is for: sold on bills, bought on purchases, made by production runs.

A bill offers sold items, a purchase bought ones, a run's product made ones. Each flag defaults by
the item's kind (a bottle is made and sold, a preform bought) when it is not given: the field's
``pre_save`` fills it in, so items made by a service, the admin, ``bulk_create`` or a test all get
the same defaults. A Manager may change any flag (a plant that trades bought-in bottles).
"""

from __future__ import annotations

from django.db import models

SOLD, BOUGHT, MADE = "is_sold", "is_bought", "is_made"
FLAGS = (SOLD, BOUGHT, MADE)

# kind -> the flags that are on by default; kinds are ``inventory.models.ItemKind`` values.
KIND_DEFAULTS: dict[str, frozenset[str]] = {
    "preform": frozenset({BOUGHT}),
    "cap": frozenset({BOUGHT}),
    "label": frozenset({BOUGHT}),
    "packaging": frozenset({BOUGHT}),
    "bottle": frozenset({MADE, SOLD}),
    "scrap": frozenset({MADE, SOLD}),
    "other": frozenset({BOUGHT, SOLD}),
}


def default_for(kind: str, flag: str) -> bool:
    return flag in KIND_DEFAULTS.get(kind, KIND_DEFAULTS["other"])


class KindDefaultFlag(models.BooleanField):
    """A yes/no flag that, left unset (None), takes its default from the item's kind when saved."""

    def __init__(self, *args, **kwargs):
        kwargs["default"] = None
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        return name, path, args, kwargs

    def to_python(self, value):
        return None if value is None else super().to_python(value)

    def validate(self, value, model_instance):
        if value is not None:  # unset is valid: ``pre_save`` gives it the kind's default
            super().validate(value, model_instance)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is None:
            value = default_for(model_instance.kind, self.attname)
            setattr(model_instance, self.attname, value)
        return value
