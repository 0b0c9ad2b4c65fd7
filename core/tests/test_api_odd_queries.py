"""Odd query strings, bodies, paths and forms get an answer, never a server error."""

import pytest

pytestmark = pytest.mark.django_db

ODD = [
    "created_by=1e30",
    "created_by=99999999999999999999999999",
    "item=-99999999999999999999",
    "customer=NaN",
    "page=0",
    "page=99999999999999999999",
    "page_size=-1",
    "date_after=0001-01-01&date_before=9999-12-31",
    "date_after=99999-01-01",
    "search=%00",
    "search=a%00b",
    "ordering=-nonexistent,total",
    "status=bogus",
]


@pytest.mark.parametrize("query", ODD)
def test_an_odd_query_string_is_answered_without_a_server_error(query, plant, manager_user, manager_api):
    plant.buy(manager_user, (plant.bottle, 10, "1.00"))
    for path in ("/api/v1/sales/", "/api/v1/purchases/", "/api/v1/stock/movements/", "/api/v1/items/"):
        response = manager_api.get(f"{path}?{query}")
        assert response.status_code in (200, 400, 404), (path, response.status_code, response.content[:300])
        assert "error" in response.json() or "results" in response.json()


# Odd requests: each of these was a server error or an HTML answer from the API --------------

MANY_WORDS = " ".join(f"w{i}" for i in range(1000))


def _api_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize(
    "path", ["/api/v1/sales/", "/api/v1/customers/", "/api/v1/items/", "/api/v1/production-runs/"]
)
def test_a_search_of_a_thousand_words_is_refused_not_run(path, manager_api):
    manager_api.raise_request_exception = False
    error = _api_error(manager_api.get(path, {"search": MANY_WORDS}), 400)
    assert "at most 10 words" in error["fields"]["search"][0]
    assert _api_error(manager_api.get(path, {"search": "x" * 5000}), 400)["fields"]["search"]
    assert manager_api.get(path, {"search": "big blue bottle"}).status_code == 200


def test_a_search_within_the_limits_still_finds(plant, manager_api):
    found = manager_api.get("/api/v1/customers/", {"search": plant.customer.name.split()[0]}).json()
    assert [c["id"] for c in found["results"]] == [plant.customer.pk]


def test_web_and_admin_searches_of_a_thousand_words_answer_without_a_server_error(plant, manager_client):
    manager_client.raise_request_exception = False
    for page in ("/sales/customers/", "/inventory/items/", "/inventory/stock/", "/sales/bills/"):
        response = manager_client.get(page, {"q": MANY_WORDS, "party": MANY_WORDS})
        assert response.status_code == 200, page
    for page in ("/admin/sales/customer/", "/admin/sales/sale/", "/admin/inventory/item/"):
        response = manager_client.get(page, {"q": MANY_WORDS})
        assert response.status_code == 200, page
        assert b"Search for at most 10 words" in response.content, page
        assert manager_client.get(page, {"q": "blue"}).status_code == 200


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [20, 930, 100_000])
def test_deeply_nested_json_is_a_400_even_without_a_token(depth, anon_api, manager_api):
    anon_api.raise_request_exception = manager_api.raise_request_exception = False
    body = _nested(depth)
    for client, path in ((anon_api, "/api/v1/auth/token/"), (anon_api, "/api/v1/auth/token/refresh/")):
        error = _api_error(client.post(path, body, content_type="application/json"), 400)
        assert "nested deeper" in error["message"]
    error = _api_error(manager_api.post("/api/v1/sales/", body, content_type="application/json"), 400)
    assert "nested deeper" in error["message"]
    nested_object = '{"a":' * depth + "1" + "}" * depth
    _api_error(anon_api.post("/api/v1/auth/token/", nested_object, content_type="application/json"), 400)


def test_json_as_deep_as_a_document_is_accepted(manager_api):
    response = manager_api.post("/api/v1/auth/logout/", {"refresh": "not-a-token"}, format="json")
    assert response.status_code == 401  # parsed and judged: a bad token, not a parse error


def test_a_body_over_the_size_limit_is_the_apis_json_error(settings, anon_api, manager_api):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = '{"username": "' + "x" * 2000 + '", "password": "y"}'
    error = _api_error(anon_api.post("/api/v1/auth/token/", big, content_type="application/json"), 400)
    assert error["code"] == "too_large"
    _api_error(manager_api.post("/api/v1/sales/", big, content_type="application/json"), 400)


@pytest.mark.parametrize(
    "path", ["/api/v1/sales/%0a", "/api/v1/sales/%0a/", "/api/v1/sales/1%0a/", "/api/v1/%0a", "/api/nowhere"]
)
def test_a_newline_or_an_unknown_path_under_the_api_is_its_json_404(path, manager_api):
    manager_api.raise_request_exception = False
    _api_error(manager_api.get(path), 404)


def test_a_bill_form_claiming_a_hundred_million_rows_is_refused_without_building_them(plant, staff_client):
    data = {
        "customer": plant.customer.pk,
        "date": "2026-11-20",
        "lines-TOTAL_FORMS": "100000000",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": plant.bottle.pk,
        "lines-0-quantity": "1",
        "lines-0-unit_price": "5.00",
        "save": "1",
    }
    response = staff_client.post("/sales/bills/new/", data)
    assert response.status_code == 400
    formset = response.context["formsets"]["lines"]
    assert formset.non_form_errors() == ["A document takes at most 200 lines."]
    assert len(formset.forms) == 0
    assert len(response.content) < 200_000


def test_a_bill_with_more_lines_than_a_document_takes_keeps_them_and_says_why(plant, staff_client):
    rows = 201
    data = {
        "customer": plant.customer.pk,
        "date": "2026-11-20",
        "lines-TOTAL_FORMS": str(rows + 1),
        "lines-INITIAL_FORMS": "0",
        "save": "1",
    }
    for i in range(rows):
        data |= {f"lines-{i}-item": plant.bottle.pk, f"lines-{i}-quantity": "1", f"lines-{i}-unit_price": "1"}
    response = staff_client.post("/sales/bills/new/", data)
    assert response.status_code == 400
    formset = response.context["formsets"]["lines"]
    assert formset.non_form_errors() == ["A document takes at most 200 lines."]
    assert len(formset.forms) == rows + 1  # what was typed is shown again


def test_a_bill_of_exactly_the_most_lines_with_a_blank_row_is_accepted(plant, staff_client):
    from sales.models import Sale

    rows = 200
    data = {
        "customer": plant.customer.pk,
        "date": "2026-11-20",
        "lines-TOTAL_FORMS": str(rows + 1),
        "lines-INITIAL_FORMS": "0",
        "save": "1",
    }
    for i in range(rows):
        data |= {f"lines-{i}-item": plant.bottle.pk, f"lines-{i}-quantity": "1", f"lines-{i}-unit_price": "1"}
    response = staff_client.post("/sales/bills/new/", data)
    assert response.status_code == 302, response.context["formsets"]["lines"].non_form_errors()
    assert Sale.objects.get().lines.count() == rows
