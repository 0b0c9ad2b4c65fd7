"""What a log line knows about the request it was written in: request id, user and client address.

The middleware (config/middleware.py) stores the request in a context variable; the logging filter
reads it, so any logger anywhere (services included) gets the request id, user and address on its
line without passing the request around.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

_current: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

# A request id from the proxy is kept only if it is short and plain, so it cannot forge log lines.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id(incoming: str | None) -> str:
    """The proxy's X-Request-ID if there is a proxy (PROXY_COUNT) and the id is sane, else a new one.

    Without a proxy the header comes from the client itself, which could then choose the id that
    ties its own log lines together or pass itself off as another request.
    """
    if settings.PROXY_COUNT > 0 and incoming and _SAFE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def bind(request: HttpRequest):
    return _current.set(request)


def unbind(token) -> None:
    _current.reset(token)


def current_request() -> HttpRequest | None:
    return _current.get()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the one django-axes locks on, read behind PROXY_COUNT proxies.

    Axes resolves it with django-ipware from the AXES_IPWARE_* settings (config/settings.py); the
    logs, the request context and the per-address login limit use this same answer.
    """
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def client_address(request: HttpRequest) -> str:
    """``client_ip`` for a log line: ``-`` when no address could be read."""
    return client_ip(request) or "-"


def username_of(request: HttpRequest) -> str:
    """The user of the request if already known; never queries the database from inside logging."""
    user = request.__dict__.get("user")
    if user is None:
        return "-"
    if isinstance(user, SimpleLazyObject):  # the session's user: named only once it was read
        user = request.__dict__.get("loaded_user")
        if user is None:
            return "-"
    if not user.is_authenticated:
        return "anonymous"
    return user.get_username()


class RequestContextFilter(logging.Filter):
    """Adds request_id, user and address to every record (``-`` outside a request).

    Django's handler writes its "Not Found", "Unauthorized" and error lines after the middleware
    has returned, outside the binding; those records carry the request themselves (Django passes
    it as ``extra``), so they are read from it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = _current.get()
        if request is None:
            # django.server records carry the socket under this name, not an HttpRequest.
            carried = getattr(record, "request", None)
            request = carried if isinstance(carried, HttpRequest) else None
        if request is None:
            record.request_id, record.user, record.address = "-", "-", "-"
        else:
            record.request_id = getattr(request, "request_id", "-")
            record.user = username_of(request)
            record.address = getattr(request, "client_address", "-")
        return True


class DropAuditedRefusals(logging.Filter):
    """Drops Django's own line for a 403: the audit line of the refusal is its one line.

    Django logs every 403 on ``django.request`` (a refused permission with its traceback) or
    ``django.security.csrf``; RequestContextMiddleware already wrote the refusal, with the user
    and the reason, to ``bottleworks.audit``. Django marks these records with ``status_code``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 403


class UTCFormatter(logging.Formatter):
    """ISO 8601 UTC timestamps, whatever the server's or the plant's time zone."""

    converter = time.gmtime

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        # One event, one line: tracebacks and multi-line messages are folded onto it.
        return super().format(record).replace("\n", "\\n")
