"""Staff never see a cost, wherever it could show: derived from ``accounts.costs``, so a new cost
field is checked here the day it is registered, and a new money-like field must be classified.

Every API endpoint is found from the URL configuration, not listed: its answers' keys, every
ordering and filter by a registered cost, the history of what it holds, and the exports.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import serializers

from accounts import costs
from production.services import create_run
from reporting.catalogue import REPORTS
from sales.services import record_payment
from testing.api_clients import bearer_client

pytestmark = pytest.mark.django_db

LOOKUPS = ("", "__gte", "__lte", "__gt", "__lt", "__isnull")


def _own_models():
    """The project's models (not a library's), without the history tables that mirror them."""
    root = str(settings.BASE_DIR)
    for model in apps.get_models():
        path = model._meta.app_config.path
        if path.startswith(root) and "site-packages" not in path and not hasattr(model, "instance_type"):
            yield model


def test_every_money_like_field_is_a_registered_cost_or_declared_not_one():
    unclassified = []
    for model in _own_models():
        label = costs.label_of(model)
        for field in model._meta.get_fields():
            name = field.name
            if not any(word in name for word in costs.MONEY_WORDS):
                continue
            if name not in costs.of(model) and name not in costs.NOT_COSTS.get(label, {}):
                unclassified.append(f"{label}.{name}")
    assert unclassified == []


def test_the_registry_names_only_real_figures_and_none_twice():
    for label, names in costs.COST_FIELDS.items():
        model = apps.get_model(label)
        for name in names:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                assert hasattr(model, name), f"{label}.{name}"
        assert not names & set(costs.NOT_COSTS.get(label, {})), label
    for label, names in costs.NOT_COSTS.items():
        model = apps.get_model(label)
        for name in names:
            model._meta.get_field(name)


# The API --------------------------------------------------------------------------------------


def _viewset_routes(patterns=None):
    """(url name, viewset class) of every router route under /api/v1/."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _viewset_routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name and hasattr(pattern.callback, "cls"):
            actions = getattr(pattern.callback, "actions", None) or {}
            if actions.get("get") in ("list", "retrieve"):
                yield pattern.name, pattern.callback.cls, actions["get"]


LISTS = sorted({(name, cls) for name, cls, action in _viewset_routes() if action == "list"}, key=str)


@pytest.fixture
def books(plant, staff_user, manager_user):
    """Every kind of document posted, with figures that differ, so an ordering by one shows."""
    plant.buy(staff_user, (plant.preform, 1000, "2.00"), (plant.cap, 1000, "0.50"))
    plant.buy(manager_user, (plant.preform, 400, "2.30"), (plant.cap, 400, "0.60"))
    for good, conversion in ((100, "13.70"), (200, "0.00")):
        create_run(
            by=staff_user,
            product=plant.bottle,
            good_quantity=good,
            machine="BM-1",
            shift="day",
            conversion_cost=Decimal(conversion),
            submit=True,
        )
    plant.sell(staff_user, (plant.bottle, 30, "5.00"))
    plant.sell(staff_user, (plant.bottle, 20, "5.50"))
    record_payment(by=staff_user, customer=plant.customer, amount=Decimal("17"), method="cash")
    return plant


def _rows(answer: dict | list) -> list[dict]:
    return answer["results"] if isinstance(answer, dict) and "results" in answer else answer


def _model_of(serializer: serializers.Serializer):
    return getattr(getattr(serializer, "Meta", None), "model", None)


def _leaks(serializer: serializers.Serializer, row: dict, where: str) -> list[str]:
    """The keys of ``row`` that show a registered cost: by name, or by the figure they read."""
    model = _model_of(serializer)
    found = []
    full = serializer.__class__(context={"view": type("Schema", (), {"swagger_fake_view": True})()})
    for name, field in full.fields.items():
        if name not in row:
            continue
        child = getattr(field, "child", field)
        if isinstance(child, serializers.BaseSerializer):
            for nested in row[name] if isinstance(row[name], list) else [row[name]]:
                if isinstance(nested, dict):
                    found += _leaks(child, nested, f"{where}.{name}")
        elif model is not None and (costs.is_cost(model, name) or costs.is_cost_path(model, field.source)):
            found.append(f"{where}.{name}")
    return found


def _cost_terms(cls) -> set[str]:
    """Every cost of the endpoint's model, and every ordering/filter term of it that reads one."""
    model = _model_of(cls.serializer_class)
    terms = set(costs.of(model))
    terms |= {t for t in getattr(cls, "ordering_fields", None) or () if costs.is_cost_path(model, t)}
    filterset = getattr(cls, "filterset_class", None)
    for name, f in filterset.base_filters.items() if filterset else ():
        if costs.is_cost_path(model, f.field_name or name):
            terms.add(name)
    return terms


@pytest.mark.parametrize(("name", "cls"), LISTS, ids=[name for name, _ in LISTS])
def test_staff_get_no_cost_from_any_list_detail_ordering_filter_or_history(
    name, cls, books, staff_user, manager_user
):
    staff, manager = bearer_client(staff_user), bearer_client(manager_user)
    url = reverse(name)
    answer = staff.get(url)
    if answer.status_code == 403:
        return  # the whole endpoint is for roles that see costs
    assert answer.status_code == 200, answer.content
    rows = _rows(answer.json())
    assert rows, f"{url}: the test data gives this endpoint nothing to show"
    serializer = cls.serializer_class
    model = _model_of(serializer)
    for row in rows:
        assert _leaks(serializer(), row, url) == []

    searched = [f for f in getattr(cls, "search_fields", ()) if costs.is_cost_path(model, f.lstrip("^=@$"))]
    assert searched == [], "a search would answer whether a cost holds the digits typed"
    for term in _cost_terms(cls):
        for ordering in (term, f"-{term}"):
            assert staff.get(url, {"ordering": ordering}).json() == answer.json(), ordering
        if term in (getattr(cls, "ordering_fields", None) or ()):
            # The data can tell: a Manager's answer is ranked by the figure one way or the other.
            ranked = [manager.get(url, {"ordering": o}).json() for o in (term, f"-{term}")]
            assert any(r != manager.get(url).json() for r in ranked), term
        for lookup in LOOKUPS:
            for value in ("0", "-1", "1000000000", "true"):
                filtered = staff.get(url, {f"{term}{lookup}": value})
                assert filtered.status_code == 200 and filtered.json() == answer.json(), (term, lookup)

    detail = name.replace("-list", "-detail")
    key = next(k for k in ("id", "item") if k in rows[0])
    for row in rows:
        one = staff.get(reverse(detail, kwargs={"pk": row[key]}))
        assert one.status_code == 200
        assert _leaks(serializer(), one.json(), detail) == []
        if hasattr(cls, "history"):
            history = staff.get(reverse(name.replace("-list", "-history"), kwargs={"pk": row[key]}))
            assert history.status_code == 200
            shown = {c["field"] for entry in history.json() for c in entry["changes"]}
            assert shown.isdisjoint(costs.of(model)), (detail, shown & costs.of(model))


def test_a_run_history_shows_its_costs_to_a_manager_only(books, staff_user, manager_user):
    run = books.bottle.production_runs.order_by("id").first()
    url = reverse("api-run-history", kwargs={"pk": run.pk})

    def fields(user):
        return {c["field"] for e in bearer_client(user).get(url).json() for c in e["changes"]}

    assert {"total", "unit_cost", "input_value"} <= fields(manager_user)
    assert fields(staff_user).isdisjoint(costs.of(run))


def test_staff_may_not_rank_stock_by_its_value(books, staff_user, manager_user):
    by_value = [
        r["sku"]
        for r in _rows(bearer_client(manager_user).get("/api/v1/stock/balances/?ordering=-value").json())
    ]
    by_sku = [r["sku"] for r in _rows(bearer_client(staff_user).get("/api/v1/stock/balances/").json())]
    assert by_value != by_sku
    staff = [
        r["sku"]
        for r in _rows(bearer_client(staff_user).get("/api/v1/stock/balances/?ordering=-value").json())
    ]
    assert staff == by_sku


def test_staff_see_the_prices_and_totals_of_purchases(books, staff_user):
    purchase = _rows(bearer_client(staff_user).get("/api/v1/purchases/").json())[0]
    assert purchase["total"] and purchase["lines"][0]["unit_price"]


# Exports, reports and the dashboard -----------------------------------------------------------


def test_staff_get_no_report_or_export(books, staff_user, staff_client):
    api = bearer_client(staff_user)
    for name in REPORTS:
        for export in ("", "csv", "xlsx"):
            assert staff_client.get(reverse(f"reporting:{name}"), {"export": export}).status_code == 403
        assert api.get(f"/api/v1/reports/{name}/").status_code == 403
    assert staff_client.get(reverse("reporting:bill-lines")).status_code == 403


def test_the_staff_dashboard_holds_no_cost(books, staff_user, manager_user):
    staff = bearer_client(staff_user).get("/api/v1/reports/dashboard/").json()
    manager = bearer_client(manager_user).get("/api/v1/reports/dashboard/").json()
    assert {"stock_value", "gross_profit_today", "margin_today"} <= set(manager)
    assert not {"stock_value", "gross_profit_today", "margin_today"} & set(staff)
    assert all("value" not in s for s in staff["stock"])
    totals = {(r["type"], r["number"]): r["total"] for r in staff["recent"]}
    runs = [total for (kind, _), total in totals.items() if kind == "production run"]
    assert runs and all(total is None for total in runs)
    assert all(total is not None for (kind, _), total in totals.items() if kind == "purchase")
    manager_runs = [r["total"] for r in manager["recent"] if r["type"] == "production run"]
    assert manager_runs and all(Decimal(t) > 0 for t in manager_runs)


def test_a_filter_on_a_cost_is_dropped_for_staff_and_kept_for_managers(books, staff_user, manager_user):
    from django_filters import rest_framework as filters
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from accounts.api.costs import CostFilterBackend
    from inventory.models import StockBalance

    class ByValue(filters.FilterSet):
        min_value = filters.NumberFilter(field_name="value", lookup_expr="gte")
        min_quantity = filters.NumberFilter(field_name="quantity", lookup_expr="gte")

        class Meta:
            model = StockBalance
            fields: list[str] = []

    view = type("View", (), {"filterset_class": ByValue})()
    everything = StockBalance.objects.order_by("item_id")

    def ids(user, **query):
        request = Request(APIRequestFactory().get("/", query))
        request.user = user
        return list(CostFilterBackend().filter_queryset(request, everything, view).values_list("item_id"))

    richest = everything.order_by("-value").first().value
    assert ids(manager_user, min_value=str(richest)) != ids(manager_user)
    assert ids(staff_user, min_value=str(richest)) == ids(staff_user)
    assert ids(staff_user, min_quantity="100000") == []  # other filters still apply


# Pages ----------------------------------------------------------------------------------------


def _page_routes(patterns=None, prefix=""):
    """(url name, whether it takes a pk) of every HTML page that answers GET, outside the API."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            if str(pattern.pattern).startswith(("api/", "admin/")):
                continue
            yield from _page_routes(pattern.url_patterns, prefix + namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            params = set(pattern.pattern.converters)
            if params <= {"pk"} and not pattern.name.endswith(("-action", "-active", "-deactivate")):
                yield prefix + pattern.name, bool(params)


def _printed_forms(registry: dict) -> dict[str, set[str]]:
    """Every non-zero figure the registry names, as a page would print it → where it comes from."""
    printed: dict[str, set[str]] = {}
    for label, names in registry.items():
        model = apps.get_model(label)
        for row in model.objects.all():
            for name in names:
                value = getattr(row, name, None)
                if isinstance(value, Decimal) and value:
                    for text in (str(value), f"{value:.2f}", f"{value:,.2f}"):
                        printed.setdefault(text, set()).add(f"{label}.{name}")
    return printed


def _shown_costs() -> dict[str, set[str]]:
    """The costs to look for; a figure that is also one Staff may see (a purchase's movement is
    valued at the price typed on it) proves nothing, so it is left out."""
    seen_by_staff = _printed_forms(costs.NOT_COSTS)
    return {
        text: where for text, where in _printed_forms(costs.COST_FIELDS).items() if text not in seen_by_staff
    }


def _printed(client, shown: dict[str, set[str]]) -> dict[str, set[str]]:
    """url → the registered costs it prints, for every page the client may open."""
    found = {}
    for name, takes_pk in _page_routes():
        for pk in range(1, 12) if takes_pk else [None]:
            url = reverse(name, kwargs={"pk": pk} if takes_pk else None)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            found[url] = set().union(
                *(where for text, where in shown.items() if f">{text}<" in html or f" {text}<" in html)
            )
    return found


def test_staff_pages_print_no_registered_cost(books, staff_client, manager_client):
    shown = _shown_costs()
    staff = _printed(staff_client, shown)
    assert len(staff) > 10
    assert {url: found for url, found in staff.items() if found} == {}
    # The same look finds them on a Manager's pages, so it would find them on Staff's.
    manager = set().union(*_printed(manager_client, shown).values())
    assert {
        "inventory.stockbalance.value",
        "production.productionrun.unit_cost",
        "sales.sale.cost",
    } <= manager
