"""The purchase's supplier picker: suppliers by any word of name, town or phone (see
``inventory.api.pickers``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from inventory import pickers
from inventory.api.pickers import QUERY_PARAMETERS, PickerView
from purchasing.models import Supplier


class SupplierSearchView(PickerView):
    """Active suppliers by any word of their name, contact, town (address) or phone."""

    @extend_schema(parameters=QUERY_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request, query: str, limit: int) -> list[dict[str, Any]]:
        suppliers = Supplier.objects.only("name", "address", "phone").order_by("name")
        found = pickers.search_rows(suppliers, query, limit=limit)
        return [pickers.party_row(supplier) for supplier in found]
