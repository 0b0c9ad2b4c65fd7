"""The one rule for the business date a document may carry (DESIGN §4, Time).

Every document type (purchases, production runs, bills, payments, stock counts) is checked here
when it is entered or changed, so a date that no report could show, or one inside a period the
plant has closed, never reaches the ledger. A date must lie:

- on or after ``FLOOR`` (1 Jan 2000) and ``settings.GO_LIVE_DATE`` when one is set: the years
  before the plant used the system hold no documents, and four-digit years keep document numbers
  and reports sane;
- after the latest closed period that was not reopened (``ClosedPeriod``);
- at most ``settings.MAX_DAYS_AHEAD`` days after today (default 0: nothing dated ahead), or the
  number ``settings.MAX_DAYS_AHEAD_BY_TYPE`` gives the document's type.

Posting checks the closed period again under the period lock (``ledger.check_period_open``),
for a period closed between entry and posting.
"""

from __future__ import annotations

import datetime
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from core.errors import InvalidDocument
from inventory.models import ClosedPeriod

FLOOR = date(2000, 1, 1)


def _day(value: date) -> str:
    return f"{value:%d %b %Y}"


def earliest() -> date:
    """The earliest date any document may carry, before closed periods are counted."""
    go_live = settings.GO_LIVE_DATE
    return max(FLOOR, go_live) if go_live else FLOOR


def days_ahead(model: type) -> int:
    return settings.MAX_DAYS_AHEAD_BY_TYPE.get(model._meta.model_name, settings.MAX_DAYS_AHEAD)


def latest_ahead() -> date:
    """The latest date any document type may carry today (for reports' bounds)."""
    most = max([settings.MAX_DAYS_AHEAD, *settings.MAX_DAYS_AHEAD_BY_TYPE.values()])
    return timezone.localdate() + timedelta(days=most)


def closed_through() -> date | None:
    """The end of the latest closed period that was not reopened, or None."""
    return ClosedPeriod.objects.filter(reopened_at__isnull=True).aggregate(last=Max("closed_through"))["last"]


def date_problem(value: date, *, model: type) -> str | None:
    """Why ``value`` cannot be a ``model`` document's date, or None."""
    floor = earliest()
    if value < floor:
        went_live = ", when Bottleworks went live" if floor == settings.GO_LIVE_DATE else ""
        return f"Enter a date on or after {_day(floor)}{went_live}."
    today = timezone.localdate()
    ahead = days_ahead(model)
    if value > today + timedelta(days=ahead):
        if ahead == 0:
            return f"Enter today's date or earlier: a {model._meta.verbose_name} cannot be dated ahead."
        return f"Enter a date no later than {_day(today + timedelta(days=ahead))} ({ahead} days ahead)."
    if value < today:  # a period can only be closed once it has ended, so today is always open
        through = closed_through()
        if through is not None and value <= through:
            return (
                f"{_day(value)} is in a closed period (closed through {_day(through)}); enter a later date."
            )
    return None


def check_date(value: Any, *, model: type, optional: bool = False) -> None:
    """Refuse a document date outside the rule above (``None`` means today where allowed)."""
    if value is None and optional:
        value = timezone.localdate()
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise InvalidDocument(fields={"date": ["Enter a date."]})
    problem = date_problem(value, model=model)
    if problem:
        raise InvalidDocument(fields={"date": [problem]})
