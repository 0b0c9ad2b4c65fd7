"""The period form of every report page as HTML, written here rather than through Django's
per-field and per-option widget templates: those cost more than the rest of a small report's page
(about 20 templates for five fields). It writes what ``field.as_field_group`` writes for these
fields — label, error list, date inputs and selects with the same ids, names and ARIA — and
``reporting/tests/test_form_html.py`` holds the two equal."""

from __future__ import annotations

from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe


def _attrs(pairs: list[tuple[str, str | None]]) -> str:
    return "".join(f' {name}="{escape(value)}"' if value is not None else f" {name}" for name, value in pairs)


def _field(field: forms.BoundField) -> str:
    widget = field.field.widget
    ident = field.id_for_label
    errors = field.errors
    aria: list[tuple[str, str | None]] = []
    error_html = ""
    if errors:
        aria = [("aria-invalid", "true"), ("aria-describedby", f"{ident}_error")]
        items = "".join(f"<li>{escape(str(error))}</li>" for error in errors)
        error_html = f'<ul class="errorlist" id="{ident}_error">{items}</ul>'
    label = f'<label for="{ident}">{escape(str(field.label))}{escape(field.form.label_suffix)}</label>'
    name = field.html_name
    if isinstance(widget, forms.Select):
        chosen = "" if field.value() is None else str(field.value())
        options = "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(str(text))}</option>"
            for value, text in field.field.choices
        )
        control = f"<select{_attrs([('name', name), *aria, ('id', ident)])}>{options}</select>"
    else:
        value = widget.format_value(field.value())
        pairs = [("type", widget.input_type), ("name", name)]
        if value is not None:
            pairs.append(("value", str(value)))
        pairs += [*((key, str(v)) for key, v in widget.attrs.items() if key != "type"), *aria, ("id", ident)]
        control = f"<input{_attrs(pairs)}>"
    return label + error_html + control


def fields_html(form: forms.Form) -> SafeString:
    """Each visible field in its ``<div class="field">``, as the report pages lay them out."""
    parts = []
    for field in form.visible_fields():
        css = "field has-error" if field.errors else "field"
        parts.append(f'<div class="{css}">{_field(field)}</div>')
    return mark_safe("".join(parts))  # noqa: S308 - every value, label and error is escaped
