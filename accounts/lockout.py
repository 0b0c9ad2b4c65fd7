"""What a locked-out client sees: the login page (or a JSON error) saying when to try again."""

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_message() -> str:
    cool_off = get_cool_off()
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else None
    if minutes is None:
        return "Too many failed login attempts. Ask a manager to unlock your account."
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed login attempts. Try again in {minutes} {unit}."


def lockout_response(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    message = lockout_message()
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
