"""What a locked-out client sees: the login page (or a JSON error) saying when to try again."""

import math
from datetime import timedelta

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _minutes(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def lockout_message() -> str:
    cool_off = get_cool_off()
    if not cool_off:
        return "Too many failed login attempts. Ask a manager to unlock your account."
    return f"Too many failed login attempts. Try again in {_minutes(cool_off)}."


def address_limit_message(window: timedelta) -> str:
    return f"Too many failed login attempts from your address. Try again in {_minutes(window)}."


def refusal_response(request: HttpRequest, message: str) -> HttpResponse:
    """429 with ``message``: the API's error shape under /api/, else the login page showing it."""
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "locked_out", "message": message, "fields": {}}}, status=429)
    from accounts.forms import LoginForm

    form = LoginForm(request, data=request.POST or None)
    form.is_bound = False
    return render(
        request,
        "accounts/login.html",
        {"form": form, "lockout_message": message},
        status=429,
    )


def lockout_response(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return refusal_response(request, lockout_message())
