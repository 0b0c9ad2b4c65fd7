"""Request id and access-refusal logging for every request, health probes, and no caching of answers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from core import request_context

audit = logging.getLogger("bottleworks.audit")


class RequestContextMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when sane), echoes it back, and logs 403s.

    It sits first, so the id is on every log line of the request and on every response, redirects
    and errors included.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_context.new_request_id(request.headers.get("X-Request-ID"))
        # The client's address behind the proxies (PROXY_COUNT), for every log line of the request.
        request.client_address = request_context.client_address(request)
        token = request_context.bind(request)
        try:
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django's handler logs this answer after we return: let its line name the user.
                _resolve_user(request)
            if response.status_code == 403:
                # Web views and the API both end here, so one place logs every refusal (Django's
                # own line for it is dropped: request_context.DropAuditedRefusals).
                user = getattr(request, "user", None)
                name = user.get_username() if user is not None and user.is_authenticated else "anonymous"
                reason = getattr(request, "refusal_reason", None)
                if reason:
                    audit.warning(
                        "permission refused %s %s user=%s reason=%r",
                        request.method,
                        request.path,
                        name,
                        reason,
                    )
                else:
                    audit.warning("permission refused %s %s user=%s", request.method, request.path, name)
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            request_context.unbind(token)


def _resolve_user(request: HttpRequest) -> None:
    """Loads the session's user if no view did, so that log lines can name it.

    The logging filter never queries; here, after the view, no transaction of the request is open.
    A database that cannot answer leaves the user unknown (``-``) rather than failing the answer.
    """
    user = getattr(request, "user", None)
    if user is None:
        return
    with suppress(DatabaseError):
        user.is_authenticated  # noqa: B018 - evaluated to load the lazy user


class ProbeMiddleware:
    """Answers /healthz and /readyz before host validation, HTTPS redirect, sessions and auth.

    Load balancers and container health checks call them by IP address over plain HTTP, which
    ALLOWED_HOSTS and the SSL redirect would otherwise refuse; the probes reveal nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        from config import health

        self.get_response = get_response
        self.probes = {"/healthz": health.healthz, "/readyz": health.readyz}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is not None and request.method in {"GET", "HEAD"}:
            return probe(request)
        return self.get_response(request)


class NoStoreMiddleware:
    """Marks every answer the application makes ``Cache-Control: no-store, private``.

    Pages, exports and API answers (tokens included) hold one person's data: no browser cache,
    shared proxy or back button may keep a copy. It sits after WhiteNoise, so static files, which
    WhiteNoise answers itself, keep their long cache lifetimes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
