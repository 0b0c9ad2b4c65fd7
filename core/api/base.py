"""API plumbing shared by every app: pagination, search, and the one JSON shape for errors.

Every error leaves the API as ``{"error": {"code", "message", "fields"}}``: DRF's own errors
(401, 403, 404, 405, validation), unknown URLs under /api/, and the domain errors the services
raise, each translated here once (DESIGN §6).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.filters import SearchFilter
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import search
from core.errors import DomainError, InsufficientStock, InvalidDocument, NotAllowed

# No request of this API nests deeper than a document's lines (3 levels); a little room above that.
MAX_JSON_DEPTH = 16


class StrictPageSize:
    """A page size read as strictly as the schema states it: a whole number from 1.

    DRF drops a page size it cannot read (``page_size=null``, ``0``) for the default; here it is
    refused with a 400. A page size above ``max_page_size`` gets that many, as the schema says.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]+", raw) or int(raw) < 1:
            raise exceptions.ValidationError({self.page_size_query_param: ["Enter a whole number from 1."]})
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Number of results to return per page ({self.page_size} unless given; "
                    f"a larger number than {self.max_page_size} gets {self.max_page_size})."
                )
        return parameters


class Pagination(StrictPageSize, PageNumberPagination):
    """Page numbers, read as strictly as the schema states them.

    DRF's own class takes ``page=`` and ``page=last`` as pages; here they are refused with a 400,
    so what the schema documents (whole numbers from 1) is what the server takes. A page past the
    last is a 404, as in DRF.
    """

    last_page_strings = ()

    def get_page_number(self, request: Request, paginator: Any) -> int:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if not re.fullmatch(r"[0-9]+", raw):
            raise exceptions.ValidationError({self.page_query_param: ["Enter a whole page number."]})
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class LedgerPagination(StrictPageSize, CursorPagination):
    """Pages of the stock ledger by cursor: the table grows by every posting for years, and a page
    number costs a COUNT(*) of it and an OFFSET that reads every row before the page."""

    ordering = "-id"


class SearchWithoutNulFilter(SearchFilter):
    """SearchFilter within the search limits (core/search.py), without NUL characters.

    PostgreSQL refuses a NUL in a text literal; a search past the limits is a 400, not a query.
    """

    def get_search_terms(self, request: Request) -> list[str]:
        if not search.within_limits(request.query_params.get(self.search_param, "")):
            raise exceptions.ValidationError({self.search_param: [search.MESSAGE]})
        return [term.replace("\x00", "") for term in super().get_search_terms(request) if term != "\x00"]

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        # DRF's own reading of the parameter refuses a NUL character (400); the schema says so.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["pattern"] = r"^[^\u0000]*$"
        return parameters


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in parsed JSON, walked without recursion."""
    deepest, stack = 0, [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) JSON nested deeper than any request of this API needs.

    Python's parser gives up with RecursionError at about a thousand levels, which DRF lets through
    as a 500; shallower but still absurd nesting would fail later, wherever the data is walked.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        message = f"JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted."
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise exceptions.ParseError(message) from error
        if _depth(data) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(message)
        return data


# Errors ---------------------------------------------------------------------------------------


def _line_errors(value: Any) -> Any:
    """DRF reports nested line errors as a list with one entry per line; key them by line index."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return {str(i): errors for i, errors in enumerate(value) if errors}
    return value


def _error(code: str, message: str, fields: dict | None = None, **extra: Any) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def _domain_response(exc: DomainError, context: dict) -> Response:
    if isinstance(exc, InvalidDocument):
        fields: dict[str, Any] = {name: list(msgs) for name, msgs in exc.fields.items()}
        if exc.lines:
            line_field = getattr(context.get("view"), "line_field", "lines")
            fields[line_field] = {str(i): errors for i, errors in sorted(exc.lines.items())}
        return Response(_error(exc.code, exc.message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotAllowed):
        return Response(_error(exc.code, exc.message), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, InsufficientStock):
        shortages = [
            {"item_id": s.item_id, "item": s.sku, "available": s.available, "requested": s.requested}
            for s in exc.shortages
        ]
        return Response(_error(exc.code, exc.message, shortages=shortages), status=status.HTTP_409_CONFLICT)
    # WrongState, PeriodClosed, LedgerConflict and every other refusal: the request conflicts with
    # the current state of the data.
    return Response(_error(exc.code, exc.message), status=status.HTTP_409_CONFLICT)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return _domain_response(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields: dict[str, Any] = {}
    if isinstance(detail, dict) and "detail" in detail:
        # simplejwt adds "code" and "messages" beside "detail"; the message says it all.
        message = str(detail["detail"])
    elif isinstance(detail, dict):
        fields = {name: _line_errors(value) for name, value in detail.items()}
        non_field = fields.pop("non_field_errors", None)
        message = " ".join(str(m) for m in non_field) if non_field else "Please correct the errors below."
        if non_field:
            fields["non_field_errors"] = non_field
    elif isinstance(detail, list):
        message = " ".join(str(d) for d in detail)
    else:
        message = str(detail)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    response.data = _error(code, message, fields)
    return response


class ShortageSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    item = serializers.CharField(help_text="SKU")
    available = serializers.IntegerField()
    requested = serializers.IntegerField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field errors by field name; line errors under the list's name, keyed by line index.",
    )
    shortages = ShortageSerializer(
        many=True,
        required=False,
        help_text="Only for insufficient_stock: what each short item has and what was asked.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
