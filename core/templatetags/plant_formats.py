"""Template filters for the plant's formats (``core.formats``), loaded in every template.

``{{ sale.date|day }}`` → 01/12/2026, ``{{ sale.total|money }}`` → 1,23,456.50,
``{{ quantity|number }}`` → 12,000, ``{{ sale.posted_at|moment }}`` → 01/12/2026 14:05.
"""

from django import template

from core import formats

register = template.Library()


@register.filter
def day(value):
    return formats.day(value)


@register.filter
def moment(value):
    return formats.moment(value)


@register.filter
def money(value):
    return formats.money(value)


@register.filter
def number(value, places=0):
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 0
    return formats.number(value, places)
