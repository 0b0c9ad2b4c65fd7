"""API clients authenticated with a JWT access token, one per role."""

import pytest
from rest_framework.test import APIClient

from accounts.api.tokens import RefreshToken


def bearer_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def staff_api(staff_user):
    return bearer_client(staff_user)


@pytest.fixture
def manager_api(manager_user):
    return bearer_client(manager_user)


@pytest.fixture
def other_manager_api(other_manager):
    return bearer_client(other_manager)


@pytest.fixture
def owner_api(owner_user):
    return bearer_client(owner_user)
