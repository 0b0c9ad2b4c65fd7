"""Writing side of accounts: creating users with a role, changing passwords, ending API tokens."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from accounts.models import RevokedTokenChain, User
from accounts.roles import Role, set_role
from accounts.token_claims import AUTH_TIME_CLAIM, CHAIN_CLAIM, chain_lifetime

log = logging.getLogger("bottleworks.audit")


class AccountError(Exception):
    """A user-facing refusal: the message says what to fix."""


class PasswordRefused(AccountError):
    """A password change refused, naming the field at fault (``old_password`` or ``new_password``)."""

    def __init__(self, field: str, messages: list[str]):
        super().__init__(" ".join(messages))
        self.field = field
        self.messages = messages


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(f"Unknown role '{value}'. Choose one of: {choices}.") from None


def _checked_username(username: str) -> str:
    """The username as the model normalises it, refused as Django's own forms refuse it."""
    username = User.normalize_username(username)
    try:
        User._meta.get_field(User.USERNAME_FIELD).clean(username, None)
    except ValidationError as error:
        raise AccountError(f"Username {username!r} refused: " + " ".join(error.messages)) from None
    return username


@transaction.atomic
def create_user(*, username: str, role: Role, password: str, first_name: str = "", email: str = "") -> User:
    """Create an active user holding exactly one role. Managers also get Django admin access."""
    username = _checked_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"A user named '{username}' already exists.")
    user = User(username=username, first_name=first_name, email=email)
    password_validation.validate_password(password, user)
    user.is_staff = role == Role.MANAGER
    user.set_password(password)
    user.save()
    set_role(user, role)
    log.info("user created username=%r role=%s", user.username, role.value)
    return user


@transaction.atomic
def change_password(*, user: User, old_password: str, new_password: str) -> User:
    """Change the user's own password, which ends every API token they hold.

    Every web session signed with the old password ends on its next request (Django checks the
    password's hash in the session); the caller keeps its own with ``update_session_auth_hash``.
    Returns the saved user.
    """
    # Locked, so a token-ending change made meanwhile is not overwritten by this save.
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.check_password(old_password):
        raise PasswordRefused("old_password", ["Your old password was entered incorrectly."])
    try:
        password_validation.validate_password(new_password, locked)
    except ValidationError as error:
        raise PasswordRefused("new_password", list(error.messages)) from None
    locked.set_password(new_password)
    locked.save(update_fields=["password", "token_version"])
    log.info("password changed username=%r, every API token of the user ended", locked.username)
    return locked


def end_all_tokens(*, user: User, reason: str) -> None:
    """End every API token (access and refresh) the user holds, by raising their token version."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])
    log.info("api tokens ended username=%r reason=%s", user.username, reason)


def _epoch(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@transaction.atomic
def end_token_chain(*, claims: Mapping[str, Any], reason: str) -> None:
    """End the login chain of API tokens that the token with these (verified) claims belongs to.

    Every access and refresh token issued from that login, before or after rotations, carries its
    chain id and is refused from now on. The row is kept until the chain's absolute end, after
    which each of its tokens has expired anyway; rows past that are dropped here.
    """
    chain = claims.get(CHAIN_CLAIM)
    user = User.objects.filter(pk=claims.get(jwt_settings.USER_ID_CLAIM)).first()
    if not chain or user is None:
        return  # a deleted user's tokens name nobody; a token without a chain is refused anyway
    now = timezone.now()
    logged_in = _epoch(claims.get(AUTH_TIME_CLAIM)) or now
    RevokedTokenChain.objects.filter(expires_at__lte=now).delete()
    RevokedTokenChain.objects.get_or_create(
        chain=str(chain)[:64],
        defaults={"user": user, "reason": reason[:40], "expires_at": logged_in + chain_lifetime()},
    )
    log.info("api login ended username=%r reason=%s", user.username, reason)
