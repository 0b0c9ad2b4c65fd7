"""The number of new exceptions for the digest, from the exceptions report once it exists.

One function, so the digest does not care where the count comes from: until
``reporting.reports.exceptions.count_findings`` is there it answers None (shown as "—").
"""

from __future__ import annotations

import importlib
import logging
from datetime import date

from django.urls import NoReverseMatch, reverse

log = logging.getLogger(__name__)


def new_exceptions(day: date) -> int | None:
    """How many exceptions the report finds for ``day``; None while there is no such report."""
    try:
        report = importlib.import_module("reporting.reports.exceptions")
    except ImportError:
        return None
    count = getattr(report, "count_findings", None)
    if count is None:
        return None
    try:
        return int(count(day=day))
    except TypeError:  # a count that takes no date
        return int(count())


def exceptions_url() -> str | None:
    try:
        return reverse("reporting:exceptions")
    except NoReverseMatch:
        return None
