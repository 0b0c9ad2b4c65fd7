"""schemathesis over the whole OpenAPI schema, as each role: no 500s, no answer outside the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.api.tokens import RefreshToken

# Fuzzed once per suite run, against PostgreSQL: it is the production database, and the one that
# refuses what SQLite lets through (NUL characters, out-of-range numbers).
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.postgres]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


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
        yield schemathesis.openapi.from_wsgi(
            "/api/v1/schema/?format=json", get_wsgi_application(), headers=role_headers
        )
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema_and_never_with_a_server_error(case, role_headers):
    case.call_and_validate(headers=role_headers, checks=CHECKS)
