"""Which alerts a user may get, which they chose, and who gets a given alert.

A user may only choose alerts their role can use: approvals for those who may approve (Managers,
the Owner), low stock for Managers (they buy), the digest for Managers and the Owner. Staff get
none, so nothing sent by mail can show them a cost.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from accounts import roles
from accounts.roles import GROUP_NAMES, Role
from notifications.models import AlertPreferences

ALERTS = ("approvals", "low_stock", "digest")
ELIGIBLE: dict[str, tuple[Role, ...]] = {
    "approvals": (Role.MANAGER, Role.OWNER),
    "low_stock": (Role.MANAGER,),
    "digest": (Role.MANAGER, Role.OWNER),
}
# Without a saved choice: the Owner gets the digest, Managers opt in to it.
DEFAULTS: dict[Role, dict[str, bool]] = {
    Role.OWNER: {"approvals": True, "low_stock": False, "digest": True},
    Role.MANAGER: {"approvals": True, "low_stock": True, "digest": False},
    Role.STAFF: {"approvals": False, "low_stock": False, "digest": False},
}


def offered(user) -> list[str]:
    """The alerts this user's role can use, in the order the preferences page shows them."""
    role = roles.role_of(user)
    return [alert for alert in ALERTS if role in ELIGIBLE[alert]]


def _saved(user) -> AlertPreferences | None:
    try:
        return user.alert_preferences
    except AlertPreferences.DoesNotExist:
        return None


def chosen(user) -> dict[str, bool]:
    """What the user gets: their saved choice, or their role's default, for the alerts offered."""
    role = roles.role_of(user)
    saved = _saved(user)
    return {
        alert: (getattr(saved, alert) if saved else DEFAULTS.get(role, {}).get(alert, False))
        for alert in offered(user)
    }


def wants(user, alert: str) -> bool:
    return bool(user.is_active and user.email and chosen(user).get(alert, False))


def recipients(alert: str, exclude_ids: Iterable[int] = ()) -> list:
    """Active users with an address whose role can use ``alert`` and who chose it, by username."""
    names = [GROUP_NAMES[role] for role in ELIGIBLE[alert]]
    candidates = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=names)
        .exclude(email="")
        .exclude(pk__in=list(exclude_ids))
        .select_related("alert_preferences")
        .distinct()
        .order_by("username")
    )
    return [user for user in candidates if wants(user, alert)]


def save(*, user, choices: dict[str, bool]) -> AlertPreferences:
    """Store the user's choice of the alerts offered to them (others keep their defaults)."""
    current = {alert: False for alert in ALERTS}  # what the role cannot use is stored as off
    current.update(chosen(user))
    current.update({alert: bool(choices.get(alert)) for alert in offered(user)})
    row, _ = AlertPreferences.objects.update_or_create(user=user, defaults=current)
    user.alert_preferences = row
    return row
