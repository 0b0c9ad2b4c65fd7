"""The per-address login limit: password spraying from one address is refused with 429.

django-axes locks one username at one address after a few failures, so trying one password on
many usernames never trips it. Axes records every failure with the client's address
(``AccessAttempt``), in the database that every worker and web node shares; this module counts
them per address. Once an address has failed ``LOGIN_ADDRESS_FAILURE_LIMIT`` logins within
``LOGIN_ADDRESS_WINDOW`` (any usernames), every login from it, on the web, the API and the admin,
is refused before a password is checked, until those failures age out. Refused attempts are not
failures, so they do not prolong the wait; a successful login does not end it either (one valid
account would otherwise let an attacker clear the count between guesses).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts.lockout import address_limit_message, refusal_response
from core import request_context

audit = logging.getLogger("bottleworks.audit")

# The views that check a password: the web login, the API's token endpoint and the admin login.
LOGIN_VIEWS = frozenset({"accounts:login", "api-token", "admin:login"})


def recent_failures(address: str | None) -> int:
    """Failed logins from ``address`` whose latest try lies within the window (None: no address)."""
    since = timezone.now() - settings.LOGIN_ADDRESS_WINDOW
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


def is_limited(address: str | None) -> bool:
    return recent_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class LoginAddressLimitMiddleware:
    """Answers a login POST from a limited address with 429, in the lockout's shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if request.method != "POST" or request.resolver_match.view_name not in LOGIN_VIEWS:
            return None
        if not is_limited(request_context.client_ip(request)):
            return None
        audit.warning("login refused: too many failed logins from this address")
        return refusal_response(request, address_limit_message(settings.LOGIN_ADDRESS_WINDOW))
