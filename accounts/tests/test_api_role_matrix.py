"""Every endpoint and method of the API, called as anonymous, Staff, Manager and Owner.

Anonymous gets 401 with ``WWW-Authenticate: Bearer``; a role the rules refuse gets 403; a role they
allow gets past the permission check (the answer then depends on the data, never a 5xx).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from inventory.services import CountLineInput, close_period, create_stock_count
from production.services import create_run
from sales.services import record_payment
from testing.api_clients import bearer_client

pytestmark = pytest.mark.django_db

S, M, OW = Role.STAFF, Role.MANAGER, Role.OWNER
EVERYONE = {S, M, OW}
ENTRY = {S, M}
COSTS = {M, OW}
APPROVERS = {M, OW}
MANAGER = {M}


def _document_rows(base: str, read: set, enter: set) -> list[tuple[str, str, set]]:
    return [
        ("GET", f"{base}/", read),
        ("POST", f"{base}/", enter),
        ("GET", f"{base}/{{id}}/", read),
        ("PUT", f"{base}/{{id}}/", enter),
        ("DELETE", f"{base}/{{id}}/", enter),
        ("GET", f"{base}/{{id}}/history/", read),
        ("POST", f"{base}/{{id}}/submit/", enter),
        ("POST", f"{base}/{{id}}/approve/", APPROVERS),
        ("POST", f"{base}/{{id}}/reject/", APPROVERS),
        ("POST", f"{base}/{{id}}/cancel/", MANAGER),
    ]


MATRIX: list[tuple[str, str, set]] = [
    ("GET", "/api/v1/me/", EVERYONE),
    ("POST", "/api/v1/auth/password/", EVERYONE),
    ("GET", "/api/v1/approvals/", APPROVERS),
    ("GET", "/api/v1/items/", EVERYONE),
    ("POST", "/api/v1/items/", MANAGER),
    ("GET", "/api/v1/items/{item}/", EVERYONE),
    ("PUT", "/api/v1/items/{item}/", MANAGER),
    ("PATCH", "/api/v1/items/{item}/", MANAGER),
    ("DELETE", "/api/v1/items/{item}/", MANAGER),
    ("GET", "/api/v1/items/{item}/history/", EVERYONE),
    ("GET", "/api/v1/items/{item}/recipe/", EVERYONE),
    ("PUT", "/api/v1/items/{item}/recipe/", MANAGER),
    ("GET", "/api/v1/stock/balances/", EVERYONE),
    ("GET", "/api/v1/stock/balances/{item}/", EVERYONE),
    ("GET", "/api/v1/stock/movements/", COSTS),
    ("GET", "/api/v1/stock/movements/{movement}/", COSTS),
    ("GET", "/api/v1/suppliers/", EVERYONE),
    ("POST", "/api/v1/suppliers/", MANAGER),
    ("GET", "/api/v1/suppliers/{supplier}/", EVERYONE),
    ("PUT", "/api/v1/suppliers/{supplier}/", MANAGER),
    ("PATCH", "/api/v1/suppliers/{supplier}/", MANAGER),
    ("GET", "/api/v1/suppliers/{supplier}/history/", EVERYONE),
    ("GET", "/api/v1/customers/", EVERYONE),
    ("POST", "/api/v1/customers/", ENTRY),
    ("GET", "/api/v1/customers/{customer}/", EVERYONE),
    ("PUT", "/api/v1/customers/{customer}/", ENTRY),
    ("PATCH", "/api/v1/customers/{customer}/", ENTRY),
    ("GET", "/api/v1/customers/{customer}/history/", EVERYONE),
    *[
        (m, p.replace("{id}", "{purchase}"), r)
        for m, p, r in _document_rows("/api/v1/purchases", EVERYONE, ENTRY)
    ],
    *[
        (m, p.replace("{id}", "{run}"), r)
        for m, p, r in _document_rows("/api/v1/production-runs", EVERYONE, ENTRY)
    ],
    *[(m, p.replace("{id}", "{sale}"), r) for m, p, r in _document_rows("/api/v1/sales", EVERYONE, ENTRY)],
    *[
        (m, p.replace("{id}", "{count}"), r)
        for m, p, r in _document_rows("/api/v1/stock-counts", COSTS, MANAGER)
    ],
    ("GET", "/api/v1/payments/", EVERYONE),
    ("POST", "/api/v1/payments/", ENTRY),
    ("GET", "/api/v1/payments/{payment}/", EVERYONE),
    ("GET", "/api/v1/payments/{payment}/history/", EVERYONE),
    ("POST", "/api/v1/payments/{payment}/approve/", APPROVERS),
    ("POST", "/api/v1/payments/{payment}/reject/", APPROVERS),
    ("POST", "/api/v1/payments/{payment}/cancel/", MANAGER),
    ("GET", "/api/v1/periods/", COSTS),
    ("POST", "/api/v1/periods/", MANAGER),
    ("GET", "/api/v1/periods/{period}/", COSTS),
    ("POST", "/api/v1/periods/{period}/reopen/", {OW}),
]
PUBLIC = [
    ("POST", "/api/v1/auth/token/"),
    ("POST", "/api/v1/auth/token/refresh/"),
    ("POST", "/api/v1/auth/logout/"),
    ("GET", "/api/v1/ping"),
]


@pytest.fixture
def objects(plant, staff_user, manager_user):
    purchase = plant.buy(staff_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"), submit=False)
    plant.buy(manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"))
    run = create_run(by=staff_user, product=plant.bottle, good_quantity=10, machine="BM-1", shift="day")
    sale = plant.sell(staff_user, (plant.bottle, 1, "5.00"), submit=False)
    count = create_stock_count(by=manager_user, lines=[CountLineInput(plant.preform, 90)])
    payment = record_payment(by=staff_user, customer=plant.customer, amount=Decimal("10"), method="cash")
    period = close_period(by=manager_user, through=timezone.localdate().replace(day=1) - timedelta(days=1))
    return {
        "item": plant.preform.pk,
        "movement": plant.preform.movements.first().pk,
        "supplier": plant.supplier.pk,
        "customer": plant.customer.pk,
        "purchase": purchase.pk,
        "run": run.pk,
        "sale": sale.pk,
        "count": count.pk,
        "payment": payment.pk,
        "period": period.pk,
    }


def _call(client: APIClient, method: str, url: str):
    return getattr(client, method.lower())(url, {}, format="json")


@pytest.mark.parametrize(("method", "path", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX])
def test_each_role_gets_exactly_the_access_the_rules_give(
    method, path, allowed, objects, staff_user, manager_user, owner_user
):
    url = path.format(**objects)
    anonymous = _call(APIClient(), method, url)
    assert anonymous.status_code == 401, anonymous.content
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    # Refused roles first: a refusal changes nothing, so the allowed calls after it see the same data.
    users = {S: staff_user, M: manager_user, OW: owner_user}
    for role in sorted(users, key=lambda r: r in allowed):
        response = _call(bearer_client(users[role]), method, url)
        if role in allowed:
            assert response.status_code not in (401, 403, 405), (role, response.content)
            assert response.status_code < 500
        else:
            assert response.status_code == 403, (role, response.content)
            assert set(response.json()["error"]) >= {"code", "message", "fields"}


def test_the_matrix_covers_every_operation_in_the_schema(manager_api):
    schema = manager_api.get("/api/v1/schema/?format=json").json()
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete") and not path.startswith("/api/v1/reports/")
    }
    covered = {(m, p.replace("{item}", "{id}")) for m, p, _ in MATRIX} | set(PUBLIC)
    covered = {(m, _template(p)) for m, p in covered}
    documented = {(m, _template(p)) for m, p in operations}
    assert documented == covered


def _template(path: str) -> str:
    import re

    return re.sub(r"\{[a-z_]+\}", "{}", path)


def test_public_endpoints_answer_without_a_token(anon_api):
    assert anon_api.get("/api/v1/ping").json() == {"status": "ok"}
    for method, path in PUBLIC[:3]:
        response = _call(anon_api, method, path)
        assert response.status_code == 400  # missing credentials, not "log in first"
