"""The digest's line on new exceptions: the exceptions report's count for the day, and its link."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

from reporting.reports.exceptions import count_findings


def new_exceptions(day: date) -> int:
    """How many findings the exceptions report has for ``day``."""
    return count_findings(day, day)


def exceptions_url(day: date) -> str:
    """The exceptions report for ``day``: what the digest's count links to."""
    query = urlencode({"start": day.isoformat(), "end": day.isoformat()})
    return f"{reverse('reporting:exceptions')}?{query}"
