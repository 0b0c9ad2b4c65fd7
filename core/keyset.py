"""Keyset pages of a list, newest first: "newer" and "older" links that carry the sort key of the
row at the page's edge, so a deep page costs what the first one does.

``Paginator`` asks for ``LIMIT n OFFSET k``: PostgreSQL reads and drops the k rows before the page,
so page 5,000 of a year of bills reads half a million rows, and the page count is a ``COUNT(*)``
over the whole list. Here a page is ``WHERE (date, id) < (edge) ORDER BY date DESC, id DESC
LIMIT n + 1``: an index range of n + 1 rows at any depth. The links are signed
(``django.core.signing``), so a cursor cannot be forged to carry other values (the stock page
puts a running balance in it); a cursor that does not verify simply gives the first page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core import signing
from django.db.models import Model, Q, QuerySet

OLDER, NEWER = "older", "newer"
# The list says "more than this many" instead of counting every row it holds.
COUNT_LIMIT = 1000


@dataclass
class KeysetPage:
    """One page of rows, newest first, with the query strings of its neighbours (None at an end)."""

    rows: list[Any]
    older: str | None = None
    newer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.older is not None or self.newer is not None


def _encode(value: Any) -> Any:
    return {"d": value.isoformat()} if isinstance(value, date) else value


def _decode(value: Any) -> Any:
    return date.fromisoformat(value["d"]) if isinstance(value, dict) else value


def sign(salt: str, values: Sequence[Any]) -> str:
    return signing.dumps([_encode(v) for v in values], salt=f"keyset:{salt}", compress=True)


def unsign(salt: str, token: str | None) -> list[Any] | None:
    """The values a link carried, or None if there is no link or it does not verify."""
    if not token:
        return None
    try:
        values = signing.loads(token, salt=f"keyset:{salt}")
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(values, list):
        return None
    try:
        return [_decode(v) for v in values]
    except (KeyError, TypeError, ValueError):
        return None


def read_cursor(request, salt: str) -> tuple[str | None, list[Any] | None]:
    """Which way the request pages (``older``/``newer``) and the edge values it carries."""
    for direction in (OLDER, NEWER):
        values = unsign(salt, request.GET.get(direction))
        if values is not None:
            return direction, values
    return None, None


def beyond(keys: Sequence[str], values: Sequence[Any], direction: str) -> Q:
    """Rows past ``values`` in the order ``keys`` descending (older) or ascending (newer).

    ``(a, b) < (x, y)`` spelt as ``a <= x AND (a < x OR (a = x AND b < y))``: the leading bound
    lets PostgreSQL start its index range at the edge instead of filtering from the newest row.
    """
    op = "lt" if direction == OLDER else "gt"
    bound = "lte" if direction == OLDER else "gte"
    condition = Q()
    equal = Q()
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        condition |= equal & Q(**{f"{key}__{op}": value})
        equal &= Q(**{key: value})
        if index == 0:
            leading = Q(**{f"{key}__{bound}": value})
    return leading & condition


def edge_values(row: Model, keys: Sequence[str]) -> list[Any]:
    return [getattr(row, key) for key in keys]


def keyset_page(
    queryset: QuerySet,
    *,
    request,
    keys: Sequence[str] = ("date", "id"),
    size: int,
    salt: str,
) -> KeysetPage:
    """The page the request asks for of ``queryset``, ordered by ``keys`` descending."""
    direction, values = read_cursor(request, salt)
    if values is not None and len(values) != len(keys):
        direction, values = None, None
    descending = [f"-{key}" for key in keys]
    if direction == NEWER:
        rows = list(queryset.filter(beyond(keys, values, NEWER)).order_by(*keys)[: size + 1])
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        # Newer rows ran out: this is the first page, and its older link starts from its last row.
        more_older = bool(rows)
    else:
        ordered = queryset.order_by(*descending)
        if direction == OLDER:
            ordered = ordered.filter(beyond(keys, values, OLDER))
        rows = list(ordered[: size + 1])
        more_older = len(rows) > size
        rows = rows[:size]
        more_newer = direction == OLDER
    if direction == NEWER and not more_newer:
        # Back at the top: show a full first page rather than a short one.
        return keyset_page(queryset, request=without_cursor(request), keys=keys, size=size, salt=salt)
    query = without_cursor(request).GET
    page = KeysetPage(rows)
    if more_older and rows:
        page.older = link(query, OLDER, sign(salt, edge_values(rows[-1], keys)))
    if more_newer and rows:
        page.newer = link(query, NEWER, sign(salt, edge_values(rows[0], keys)))
    return page


def link(query, direction: str, token: str) -> str:
    """The query string of a neighbour page: the list's other parameters and its cursor."""
    query = query.copy()
    query[direction] = token
    return query.urlencode()


class without_cursor:  # noqa: N801 - used like a function: the request, less its cursor
    """The request's query parameters without a cursor or an old page number."""

    def __init__(self, request) -> None:
        self.GET = request.GET.copy()
        for name in (OLDER, NEWER, "page"):
            self.GET.pop(name, None)


def bounded_count(queryset: QuerySet, limit: int | None = None) -> tuple[int, bool]:
    """How many rows the list holds, counting at most ``limit`` + 1 of them; True if there are more."""
    limit = COUNT_LIMIT if limit is None else limit
    found = queryset.order_by().values("pk")[: limit + 1].count()
    return min(found, limit), found > limit
