"""The date range every report is asked for: presets, a form that never lets a bad date through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone

from cashbook.models import Account
from documents.dates import FLOOR

MAX_DAYS = 366 * 10  # ten years: anything longer is a typo, not a report
# Every date a document can carry (documents.dates: from FLOOR to at most a year ahead) and no
# earlier one, where a report could only show nothing or the sign of a date typed wrong; far
# enough from date.min and date.max that "the period before" and ageing never overflow.
EARLIEST, LATEST = FLOOR, date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        """The same number of days just before this period, for comparison."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def _month_start(day: date) -> date:
    return day.replace(day=1)


def preset_period(name: str, today: date | None = None) -> Period:
    today = today or timezone.localdate()
    if name == "today":
        return Period(today, today)
    if name == "this_month":
        return Period(_month_start(today), today)
    if name == "last_month":
        last_end = _month_start(today) - timedelta(days=1)
        return Period(_month_start(last_end), last_end)
    if name == "this_year":
        return Period(today.replace(month=1, day=1), today)
    if name == "last_year":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    raise ValueError(f"unknown preset {name}")


PRESETS = [
    ("today", "Today"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
]
GROUPS = [("day", "Day"), ("week", "Week"), ("month", "Month"), ("year", "Year")]
PRODUCTION_BY = [("item", "Bottle item"), ("machine", "Machine"), ("shift", "Shift"), ("period", "Period")]


class ReportForm(forms.Form):
    """A preset, or a start and end date; ``group`` and ``by`` only where a report uses them."""

    preset = forms.ChoiceField(choices=[("", "Custom dates"), *PRESETS], required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(choices=GROUPS, required=False, label="Group by")
    by = forms.ChoiceField(choices=PRODUCTION_BY, required=False, label="Per")
    # The cash book's entries of one account, a page at a time (``after``: the signed key of the
    # previous page's last entry).
    account = forms.ModelChoiceField(
        queryset=Account.objects.all(), required=False, empty_label="Every account"
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    # One of a report's own parts (the exceptions' checks), its choices given by the report.
    check = forms.ChoiceField(choices=[("", "Every check")], required=False, label="Check")

    def __init__(
        self,
        *args,
        uses: tuple[str, ...] = (),
        default_preset: str = "this_month",
        choices: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.default_preset = default_preset
        for name in ("group", "by", "account", "check"):
            if name not in uses:
                del self.fields[name]
        for name, more in (choices or {}).items():
            if name in self.fields:
                self.fields[name].choices = [*self.fields[name].choices, *more]
        if "account" not in uses:
            del self.fields["after"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        preset, start, end = data.get("preset"), data.get("start"), data.get("end")
        if preset:
            period = preset_period(preset)
        elif start is None and end is None:
            period = preset_period(self.default_preset)
        else:
            if start is None:
                self.add_error("start", "Enter a start date, or choose a preset.")
            if end is None:
                self.add_error("end", "Enter an end date, or choose a preset.")
            if start is None or end is None:
                return data
            if start > end:
                self.add_error("end", "The end date is before the start date.")
                return data
            period = Period(start, end)
        if period.start < EARLIEST or period.end > LATEST:
            self.add_error(
                "start" if period.start < EARLIEST else "end",
                f"Choose dates between {EARLIEST:%d %b %Y} and {LATEST:%d %b %Y}.",
            )
            return data
        if period.days > MAX_DAYS:
            self.add_error("end", "Choose a range of ten years or less.")
            return data
        data["period"] = period
        data["group"] = data.get("group") or "month"
        data["by"] = data.get("by") or "item"
        data["check"] = data.get("check") or ""
        return data


def parse(
    params,
    *,
    uses: tuple[str, ...] = (),
    default_preset: str = "this_month",
    choices: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> ReportForm:
    """A bound form for the query string (an empty one means the default preset)."""
    data = params.copy() if hasattr(params, "copy") else dict(params)
    # Show the defaults the report uses in the form, not the first choice of each list.
    for name, default in (("group", "month"), ("by", "item")):
        if name in uses and not data.get(name):
            data[name] = default
    # The dates a preset (or the default, e.g. this month) stands for are shown in the form, so
    # the reader sees the period and can change one end of it.
    preset = data.get("preset") or ("" if data.get("start") or data.get("end") else default_preset)
    if preset in dict(PRESETS):
        period = preset_period(preset)
        data["start"], data["end"] = period.start.isoformat(), period.end.isoformat()
    return ReportForm(data, uses=uses, default_preset=default_preset, choices=choices)
