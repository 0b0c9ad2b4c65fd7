"""Answers that hold someone's data are never kept by a browser cache or a proxy."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from testing.api_clients import bearer_client

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_exports_api_answers_and_tokens_are_no_store(manager_user, manager_client):
    assert _no_store(manager_client.get("/"))
    assert _no_store(manager_client.get(reverse("sales:bill-list")))
    export = manager_client.get(reverse("reporting:profit-loss"), {"preset": "this_year", "export": "csv"})
    assert export.status_code == 200 and _no_store(export)
    xlsx = manager_client.get(reverse("reporting:profit-loss"), {"preset": "this_year", "export": "xlsx"})
    assert xlsx.status_code == 200 and _no_store(xlsx)
    assert _no_store(manager_client.get(reverse("reporting:bill-lines"), {"preset": "this_year"}))

    api = bearer_client(manager_user)
    assert _no_store(api.get("/api/v1/sales/"))
    assert _no_store(api.get("/api/v1/me/"))

    tokens = APIClient().post(
        "/api/v1/auth/token/",
        {"username": manager_user.username, "password": "correct-horse-battery"},
        format="json",
    )
    assert tokens.status_code == 200 and "access" in tokens.json()
    assert _no_store(tokens)
    refreshed = APIClient().post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens.json()["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200 and _no_store(refreshed)


def test_error_answers_are_no_store_too(manager_client):
    assert _no_store(APIClient().get("/api/v1/sales/"))  # 401
    assert _no_store(manager_client.get("/api/v1/no-such-thing/"))  # 404
