"""schemathesis over the whole OpenAPI schema, as each role, with every check schemathesis has.

Not only "no 500s": answers match their documented schemas, status codes and content types,
requests that break the schema are refused, requests that keep it are accepted, and so on. So the
schema states every rule a request can break, except the few below that no schema can state.

``BOTTLEWORKS_FUZZ_EXAMPLES`` sets the examples per operation (a small budget by default, for
CI); bench/schema_fuzz.py runs it with a larger one and counts what happened.
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

from accounts.api.tokens import RefreshToken

# Fuzzed once per suite run, against PostgreSQL: it is the production database, and the one that
# refuses what SQLite lets through (NUL characters, out-of-range numbers).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.postgres]

EXAMPLES = int(os.environ.get("BOTTLEWORKS_FUZZ_EXAMPLES", "4"))

# Writes whose refusals depend on other rows and on today, which no schema can state: the
# referenced customer, supplier, items, price list, bill or purchase (and its lines) exist and are of
# the right kind, a returned line has that much left to return, the product has a
# recipe, the date is after the last closed period and not too far ahead, the document's amount
# (quantity × price over all lines) stays below the cap, a draft is still a draft, a period to
# close has ended and holds no open drafts, the old password is the user's and the new one is not
# common or like the username (the password validators). The server answers those with a 400
# naming the field; a schema-valid request may meet one of them.
ROW_DEPENDENT_WRITES = {
    ("POST", "/api/v1/sales/"),
    ("PUT", "/api/v1/sales/{id}/"),
    ("POST", "/api/v1/purchases/"),
    ("PUT", "/api/v1/purchases/{id}/"),
    ("POST", "/api/v1/production-runs/"),
    ("PUT", "/api/v1/production-runs/{id}/"),
    ("POST", "/api/v1/stock-counts/"),
    ("PUT", "/api/v1/stock-counts/{id}/"),
    ("POST", "/api/v1/payments/"),
    ("POST", "/api/v1/supplier-payments/"),  # and the bills it settles are the supplier's, posted, owing
    ("POST", "/api/v1/expenses/"),  # and the category and account are active
    ("POST", "/api/v1/sales-returns/"),
    ("PUT", "/api/v1/sales-returns/{id}/"),
    ("POST", "/api/v1/purchase-returns/"),
    ("PUT", "/api/v1/purchase-returns/{id}/"),
    ("PUT", "/api/v1/items/{id}/recipe/"),
    ("POST", "/api/v1/periods/"),
    ("POST", "/api/v1/auth/password/"),
    ("POST", "/api/v1/price-list-entries/"),
}


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _only_uniqueness(response) -> bool:
    """A 400 whose every complaint is that the value is already taken (a SKU, a name)."""
    try:
        fields = json.loads(response.content)["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        return False
    messages = _messages(fields)
    return bool(messages) and all(m.endswith("already exists.") for m in messages)


# Tax identities whose rules no schema states: a GSTIN's mod-36 check digit and its agreement with the
# state given; an HSN code's 4, 6 or 8 digits (the schema's pattern sits in a oneOf with the empty
# string, which the generator does not keep to); and an item's tax rate, a row that must exist.
TAX_IDENTITY_FIELDS = {"gstin", "state_code", "hsn_code", "tax_rate"}


def _only_tax_identity(response) -> bool:
    try:
        fields = json.loads(response.content)["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        return False
    # Each complaint is on a tax identity, or that a value is taken (a SKU with a bad HSN code).
    return bool(fields) and all(
        name in TAX_IDENTITY_FIELDS or all(m.endswith("already exists.") for m in _messages(messages))
        for name, messages in fields.items()
    )


def keep_failure(context, failure, case, response) -> bool:
    """Drop only a "schema-valid request rejected" (ST202) whose 400 comes from a rule about other
    rows (one of the row-dependent writes above, or a value another row already holds) or from a
    tax identity's check digit."""
    if failure.code != "ST202" or response.status_code != 400:
        return True
    operation = (case.operation.method.upper(), case.operation.path)
    return not (
        operation in ROW_DEPENDENT_WRITES or _only_uniqueness(response) or _only_tax_identity(response)
    )


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture(params=["staff", "manager", "owner"])
def role_headers(request, plant, staff_user, manager_user, owner_user):
    # Some real documents, so generated ids sometimes find one.
    plant.buy(manager_user, (plant.preform, 500, "2.00"), (plant.cap, 500, "0.50"), (plant.bottle, 200, "3"))
    plant.sell(staff_user, (plant.bottle, 10, "5.00"))
    plant.sell(staff_user, (plant.bottle, 5, "5.00"), submit=False)
    user = {"staff": staff_user, "manager": manager_user, "owner": owner_user}[request.param]
    return _bearer(user)


@pytest.fixture
def api_schema(role_headers):
    # Like Django's test client: keep the test's database connection (and transaction) open
    # across the requests the WSGI app handles.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi(
            "/api/v1/schema/?format=json", get_wsgi_application(), headers=role_headers
        )
        loaded.hook("filter_failure")(keep_failure)
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # explicit: the schema's examples and schemathesis' boundary cases (empty strings, the least
    # and largest values, missing fields); generate: random cases, positive and negative.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_schema_under_every_check(case, role_headers):
    # No ``checks=``: schemathesis runs all of its checks.
    case.call_and_validate(headers=role_headers)
