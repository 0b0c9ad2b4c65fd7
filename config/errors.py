"""The server-error answer: a plain page (or the API's JSON error) with a reference, never a traceback."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.template import loader

MESSAGE = "The server could not finish this request; nothing was half-saved. Please try again."


def server_error(request: HttpRequest) -> HttpResponse:
    # The request id ties what the person saw to the log line with the traceback.
    reference = getattr(request, "request_id", "")
    if request.path.startswith("/api/"):
        body = {"error": {"code": "server_error", "message": MESSAGE, "fields": {}, "reference": reference}}
        return JsonResponse(body, status=500)
    # Rendered with nothing but the reference: no request context that could fail a second time.
    return HttpResponseServerError(loader.get_template("500.html").render({"reference": reference}))
