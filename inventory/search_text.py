"""A stored, normalised copy of the words a picker finds a row by (name, SKU, town, phone…).

Pickers find "sangli", "500" or "Nasik" anywhere in a customer's or item's text, whatever the case
and accents. Lower-casing and stripping accents in every query would defeat an index, so each row
keeps its text already normalised in ``search_text``; a search normalises its words the same way
and matches them with ``contains``. On PostgreSQL a trigram GIN index (migrations) serves those
``LIKE '%word%'`` matches; SQLite scans, which is fast enough for a single plant.

The column is filled by the field's ``pre_save``, which ``save()``, ``bulk_create`` and the COPY
path (``config.bulk_copy``) all call, so no writer can forget it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import models
from django.db.models import Q, QuerySet

from core import search

MAX_WORDS = search.MAX_TERMS


def normalise(text: str) -> str:
    """Lower case, accents and marks removed, runs of space as one: "Nâsik  Road" -> "nasik road"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def words(query: str) -> list[str]:
    """The normalised words of a search, at most ``MAX_WORDS`` of them (commas separate too)."""
    return normalise(query.replace(",", " ")).split()[:MAX_WORDS]


def matching(queryset: QuerySet, query: str, column: str = "search_text") -> QuerySet:
    """Rows whose search text holds every word of ``query`` (anywhere in it)."""
    condition = Q()
    for word in words(query):
        condition &= Q(**{f"{column}__contains": word})
    return queryset.filter(condition)


class SearchTextField(models.TextField):
    """The normalised text of ``sources`` (attribute names), recomputed whenever the row is saved."""

    def __init__(self, *args, sources: Iterable[str] = (), **kwargs):
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def text_for(self, instance: models.Model) -> str:
        return normalise(" ".join(str(getattr(instance, name, "") or "") for name in self.sources))

    def pre_save(self, model_instance, add):
        value = self.text_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value


def trigram_index(table: str, name: str, column: str = "search_text"):
    """A migration operation: a trigram GIN index on ``column``, on PostgreSQL only (needs pg_trgm,
    added by ``TrigramExtension``); SQLite has no such index and scans."""
    from django.db import migrations

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(create, drop)
