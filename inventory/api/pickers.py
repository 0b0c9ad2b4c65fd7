"""The pickers' search endpoints: ``GET /api/v1/search/<what>/?q=words`` as the user types.

Each answers ``{"results": [...]}``, at most ``limit`` rows (default 10, at most 25) of active rows
holding every typed word anywhere in their name, SKU, town or phone (``inventory.search_text``).
Any role may search: the rows carry quantities and selling prices, never costs.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from core import search
from inventory import pickers

QUERY_PARAMETERS = [
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": search.MAX_LENGTH},
        description=f"words to find, in any order, anywhere in the row (the first {search.MAX_TERMS} count)",
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": pickers.MAX_LIMIT},
        description=f"at most this many rows (default {pickers.LIMIT})",
    ),
]


def query_of(request: Request) -> str:
    # NUL is no character a person types, and PostgreSQL refuses it in a string.
    query = request.query_params.get("q", "")
    if len(query) > search.MAX_LENGTH:
        raise ValidationError({"q": [f"Search for at most {search.MAX_LENGTH} characters."]})
    return query.replace("\x00", "")


def limit_of(request: Request) -> int:
    raw = request.query_params.get("limit", "")
    if raw == "":
        return pickers.LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= pickers.MAX_LIMIT:
        raise ValidationError({"limit": [f"Give a whole number from 1 to {pickers.MAX_LIMIT}."]})
    return int(raw)


class HasRole(BasePermission):
    message = "Your account has no role yet."

    def has_permission(self, request, view) -> bool:
        return roles.has_any_role(request.user)


class PickerView(APIView):
    """A picker's search. Subclasses say what they find (``rows``)."""

    permission_classes = [HasRole]
    filter_backends: list = []
    pagination_class = None

    def rows(self, request: Request, query: str, limit: int) -> list[dict[str, Any]]:  # pragma: no cover
        raise NotImplementedError

    def get(self, request: Request) -> Response:
        # A picker is typed into: past the limits it searches by what fits, it does not refuse.
        return Response({"results": self.rows(request, query_of(request), limit_of(request))})


class ItemSearchView(PickerView):
    """Items by any word of SKU or name; ``use`` keeps those a bill (sold), a purchase (bought) or a
    run (made) offers. Each row has its stock quantity, default price and pack sizes."""

    @extend_schema(
        parameters=[*QUERY_PARAMETERS, OpenApiParameter("use", str, enum=sorted(pickers.USES))],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request, query: str, limit: int) -> list[dict[str, Any]]:
        use = request.query_params.get("use", "")
        if use and use not in pickers.USES:
            raise ValidationError({"use": [f"One of: {', '.join(sorted(pickers.USES))}."]})
        return pickers.search_items(query, use=use, limit=limit)
