"""The bill's pickers: customers by any word of name, town or phone; sold items with the price
the chosen customer is billed at (``sales.pricing``). See ``inventory.api.pickers``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from inventory import pickers
from inventory.api.pickers import QUERY_PARAMETERS, PickerView
from inventory.models import Item
from sales import pricing
from sales.models import Customer


def customer_rows(query: str, limit: int) -> list[dict[str, Any]]:
    customers = Customer.objects.only("name", "address", "phone").order_by("name")
    found = pickers.search_rows(customers, query, limit=limit)
    return [pickers.party_row(customer) for customer in found]


def bill_item_rows(query: str, limit: int, *, customer: Customer | None, on: date) -> list[dict[str, Any]]:
    rows = pickers.search_items(query, use="sold", limit=limit)
    listed = pricing.list_prices(customer=customer, item_ids=[row["id"] for row in rows], on=on)
    for row in rows:
        if row["id"] in listed:
            row["price"] = str(listed[row["id"]])
            row["list_price"] = True
    return rows


class CustomerSearchView(PickerView):
    """Active customers by any word of their name, contact, town (address) or phone."""

    @extend_schema(parameters=QUERY_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request, query: str, limit: int) -> list[dict[str, Any]]:
        return customer_rows(query, limit)


def _customer_of(request: Request) -> Customer | None:
    raw = request.query_params.get("customer")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 2**63 - 1:
        raise ValidationError({"customer": ["Give a customer id."]})
    customer = Customer.objects.filter(pk=int(raw)).first()
    if customer is None:
        raise NotFound(f"There is no customer {raw}.")
    return customer


def _date_of(request: Request) -> date:
    raw = request.query_params.get("date")
    if raw is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"date": ["Give a date as YYYY-MM-DD."]}) from None


class BillItemSearchView(PickerView):
    """Sold items for a bill line, each with its stock quantity and the price for ``customer`` on
    ``date`` (the customer's list, else the default list, else the item's default price)."""

    @extend_schema(
        parameters=[
            *QUERY_PARAMETERS,
            OpenApiParameter(
                "customer",
                {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
                description="the bill's customer: prices from their list (an unknown one: 404)",
            ),
            OpenApiParameter("date", OpenApiTypes.DATE, description="the bill's date (default today)"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, request: Request, query: str, limit: int) -> list[dict[str, Any]]:
        return bill_item_rows(query, limit, customer=_customer_of(request), on=_date_of(request))


def bill_prices_for_form(customer_id: Any, on: date) -> dict[str, str]:
    """The bill form's price suggestions: every sold item's price for this customer (item id -> price)."""
    customer = None
    if str(customer_id).isdigit():
        customer = Customer.objects.filter(pk=int(customer_id)).first()
    items = Item.objects.filter(is_active=True, is_sold=True).only("pk", "default_price")
    return {
        str(pk): str(price)
        for pk, price in pricing.bill_prices(customer=customer, items=items, on=on).items()
    }
