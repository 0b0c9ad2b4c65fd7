"""Writing side of accounts: creating users with a role."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.db import transaction

from accounts.models import User
from accounts.roles import Role, set_role


class AccountError(Exception):
    """A user-facing refusal: the message says what to fix."""


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise AccountError(f"Unknown role '{value}'. Choose one of: {choices}.") from None


@transaction.atomic
def create_user(*, username: str, role: Role, password: str, first_name: str = "", email: str = "") -> User:
    """Create an active user holding exactly one role. Managers also get Django admin access."""
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"A user named '{username}' already exists.")
    user = User(username=username, first_name=first_name, email=email)
    password_validation.validate_password(password, user)
    user.is_staff = role == Role.MANAGER
    user.set_password(password)
    user.save()
    set_role(user, role)
    return user
