"""The user's alert preferences and the digest as a page."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts import roles
from notifications import digest, findings, preferences
from notifications.forms import PreferencesForm
from reporting.periods import EARLIEST, LATEST
from reporting.routers import reading_replica


@login_required
def preferences_page(request):
    offered = preferences.offered(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, offered=offered)
        if form.is_valid():
            preferences.save(user=request.user, choices=form.cleaned_data)
            messages.success(request, "Your alert choices are saved.")
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial=preferences.chosen(request.user), offered=offered)
    context = {"form": form, "offered": offered, "has_email": bool(request.user.email)}
    return render(request, "notifications/preferences.html", context)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def digest_page(request):
    if not roles.can_see_costs(request.user):
        raise PermissionDenied("The digest is for Managers and the Owner.")
    asked = request.GET.get("date", "").strip()
    day = _day(asked) if asked else digest.yesterday()
    if day is None:
        context = {"error": "Give the date as YYYY-MM-DD.", "asked": asked}
        return render(request, "notifications/digest_page.html", context, status=400)
    if not EARLIEST <= day <= LATEST:
        # The reports' range: a day near date.min or date.max overflowed their date arithmetic.
        error = f"Choose a date between {EARLIEST:%d %b %Y} and {LATEST:%d %b %Y}."
        return render(request, "notifications/digest_page.html", {"error": error, "asked": asked}, status=400)
    with reading_replica():
        data = digest.figures(day, request.user)
    links = {"approvals": reverse("documents:approvals"), "exceptions": findings.exceptions_url(day)}
    context = {"data": data, "asked": day.isoformat(), "links": links}
    return render(request, "notifications/digest_page.html", context)
