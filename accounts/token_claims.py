"""The claims our API tokens carry besides simplejwt's own, and how long a login lasts.

They are copied from a refresh token to each access token made from it, and kept through every
rotation:

- ``token_version``: the user's token version when they logged in. Changing the password,
  deactivating the user or changing their role raises the user's version, ending all their tokens.
- ``sid``: the id of the login, i.e. of the chain of tokens it starts. Logging out, or presenting a
  refresh token that was already rotated, ends the chain (``RevokedTokenChain``).
- ``auth_time``: when the user logged in (epoch seconds). A chain ends ``REFRESH_CHAIN_LIFETIME``
  after it, however often it is refreshed; no token of it is issued to expire later.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings

VERSION_CLAIM = "token_version"
CHAIN_CLAIM = "sid"
AUTH_TIME_CLAIM = "auth_time"


def chain_lifetime() -> timedelta:
    return settings.REFRESH_CHAIN_LIFETIME


def chain_end(claims: Mapping[str, Any]) -> int:
    """The epoch second at which the login these claims belong to ends."""
    return int(claims[AUTH_TIME_CLAIM]) + int(chain_lifetime().total_seconds())
