"""The answers Django itself gives (400, CSRF 403, 404, 500): the API gets its JSON error; pages HTML.

The 500 answer carries a reference and never a traceback.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import csrf, defaults

MESSAGE = "The server could not finish this request; nothing was half-saved. Please try again."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    reference = getattr(request, "request_id", "")
    body = {"error": {"code": code, "message": message, "fields": {}, "reference": reference}}
    return JsonResponse(body, status=status)


def _refusal(exception: Exception | None) -> tuple[str, str]:
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return "too_large", f"The request body is larger than the {limit} bytes this server accepts."
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return "too_many_fields", "The request sends more fields or files than this server accepts."
    return "bad_request", "The request could not be understood."


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django refused before any view (a body over the size limit, a bad Host)."""
    if _is_api(request):
        return _api_error(request, 400, *_refusal(exception))
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(request, 404, "not_found", "No such API endpoint.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # The request id ties what the person saw to the log line with the traceback.
    reference = getattr(request, "request_id", "")
    if _is_api(request):
        return _api_error(request, 500, "server_error", MESSAGE)
    # Rendered with nothing but the reference: no request context that could fail a second time.
    return HttpResponseServerError(loader.get_template("500.html").render({"reference": reference}))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal page; the reason goes on the refusal's audit line (config/middleware.py)."""
    request.refusal_reason = reason
    return csrf.csrf_failure(request, reason=reason)
