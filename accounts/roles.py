"""Who may do what. The single answer to "is this user a manager?" and "may they approve this?".

Roles are Django groups, read from the database on every request (never from a token or a cached
session), so demoting or deactivating a user takes effect at once. Services enforce these
predicates; views and templates only use them to show or hide.
"""

from __future__ import annotations

from fnmatch import fnmatch
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"


GROUP_NAMES = {Role.OWNER: "Owner", Role.MANAGER: "Manager", Role.STAFF: "Staff"}
ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

# Model permissions per role, as "app_label.codename" patterns. They drive Django admin; the
# business rules themselves are the predicates below, enforced in the services.
_BUSINESS_APPS = ("inventory", "purchasing", "production", "sales", "returns", "tax", "company")
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.MANAGER: tuple(f"{app}.*" for app in _BUSINESS_APPS) + ("accounts.view_user", "reporting.*"),
    Role.STAFF: (
        "inventory.view_item",
        "inventory.view_stockbalance",
        "purchasing.view_supplier",
        "purchasing.*_purchase",
        "purchasing.*_purchaseline",
        "production.*_productionrun",
        "production.*_runinput",
        "production.*_runreject",
        "sales.*_customer",
        "sales.*_sale",
        "sales.*_saleline",
        "sales.*_payment",
        "returns.*_salesreturn",
        "returns.*_salesreturnline",
        "returns.*_purchasereturn",
        "returns.*_purchasereturnline",
    ),
    Role.OWNER: tuple(f"{app}.view_*" for app in (*_BUSINESS_APPS, "accounts", "reporting")),
}


def permissions_for(role: Role, all_codenames: list[str]) -> list[str]:
    patterns = ROLE_PERMISSIONS[role]
    return [name for name in all_codenames if any(fnmatch(name, p) for p in patterns)]


def sync_role_groups(apps: Any = None) -> None:
    """Create the three role groups and give each exactly the permissions ROLE_PERMISSIONS names."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role, group_name in GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = permissions_for(role, sorted(permissions))
        group.permissions.set([permissions[name] for name in wanted])


def sync_role_groups_after_migrate(*, app_config: Any, **kwargs: Any) -> None:
    """post_migrate is sent once per app, in INSTALLED_APPS order, and each app's permissions are
    made on its own signal: sync on the last app's, so a model added by this migrate (of an app
    listed after accounts) is in the groups at once, not only after the next migrate."""
    from django.apps import apps

    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if app_config.label == last.label:
        sync_role_groups()


# When a user is in several role groups, the first of these is their role.
ROLE_PRECEDENCE = (Role.MANAGER, Role.OWNER, Role.STAFF)


def _role_from_groups(user: User, group_names: set[str]) -> Role | None:
    for candidate in ROLE_PRECEDENCE:
        if GROUP_NAMES[candidate] in group_names:
            return candidate
    return Role.MANAGER if user.is_superuser else None


def role_of(user: User | None) -> Role | None:
    """The user's role, looked up in the database once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    cached = getattr(user, "loaded_role", "unset")
    if cached != "unset":
        return cached
    role = _role_from_groups(user, set(user.groups.values_list("name", flat=True)))
    user.loaded_role = role
    return role


def _flag(role: Role) -> str:
    return f"in_{role.value}_group"


@cache
def _user_with_role_sql() -> str:
    """The user's columns (in ``concrete_fields`` order), one flag a role group, then whether the
    token chain named by the second-to-last parameter was revoked."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from accounts.models import RevokedTokenChain

    q = connection.ops.quote_name
    user_model = get_user_model()
    membership = user_model.groups.through._meta
    user_column = membership.get_field("user").column
    group_column = membership.get_field("group").column
    columns = ", ".join(f"u.{q(field.column)}" for field in user_model._meta.concrete_fields)
    flags = ", ".join(
        f"EXISTS (SELECT 1 FROM {q(membership.db_table)} m JOIN {q(Group._meta.db_table)} g "
        f"ON g.{q('id')} = m.{q(group_column)} WHERE m.{q(user_column)} = u.{q('id')} "
        f"AND g.{q('name')} = %s) AS {_flag(role)}"
        for role in ROLE_PRECEDENCE
    )
    revoked = RevokedTokenChain._meta
    chain_column = q(revoked.get_field("chain").column)
    chain_revoked = (
        f"EXISTS (SELECT 1 FROM {q(revoked.db_table)} r WHERE r.{chain_column} = %s) AS chain_revoked"
    )
    return (
        f"SELECT {columns}, {flags}, {chain_revoked} FROM {q(user_model._meta.db_table)} u "
        f"WHERE u.{q('id')} = %s"
    )


def user_for_token(pk: int, chain: str) -> tuple[User | None, bool]:
    """The user with this primary key and their role, and whether the token chain ``chain`` was
    revoked, read together in one query.

    Plain SQL built once, and the user made from its row as the ORM makes it (``rows.from_row``):
    composing the ORM query with three ``Exists`` (or a raw queryset) each time costs more than
    running it. The role still comes from the database on every call.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection

    from core import rows

    with connection.cursor() as cursor:
        cursor.execute(_user_with_role_sql(), [*(GROUP_NAMES[role] for role in ROLE_PRECEDENCE), chain, pk])
        row = cursor.fetchone()
    if row is None:
        return None, False
    user_model = get_user_model()
    columns = len(user_model._meta.concrete_fields)
    user = rows.from_row(user_model, row[:columns])
    *flags, chain_revoked = row[columns:]
    names = {GROUP_NAMES[role] for role, flag in zip(ROLE_PRECEDENCE, flags, strict=True) if flag}
    user.loaded_role = _role_from_groups(user, names)
    return user, bool(chain_revoked)


def user_with_role(pk: int) -> User | None:
    """The user with this primary key and their role, read together in one query."""
    return user_for_token(pk, "")[0]


def is_owner(user: User | None) -> bool:
    return role_of(user) == Role.OWNER


def is_manager(user: User | None) -> bool:
    return role_of(user) == Role.MANAGER


def is_staff_member(user: User | None) -> bool:
    return role_of(user) == Role.STAFF


def has_any_role(user: User | None) -> bool:
    return role_of(user) is not None


def can_enter_data(user: User | None) -> bool:
    """Staff and Managers enter documents; the Owner only reads and approves."""
    return role_of(user) in (Role.STAFF, Role.MANAGER)


def can_see_costs(user: User | None) -> bool:
    """Cost prices, stock values, margins and profit are for Managers and the Owner only."""
    return role_of(user) in (Role.MANAGER, Role.OWNER)


def can_manage_master_data(user: User | None) -> bool:
    return is_manager(user)


def can_approve(user: User | None, document: Any = None) -> bool:
    """Managers and the Owner approve, but nobody approves a document they created or changed
    (four eyes: the creator and everyone in its ``edited_by``)."""
    if role_of(user) not in (Role.MANAGER, Role.OWNER):
        return False
    return document is None or user.pk not in document.author_ids()


def can_cancel(user: User | None) -> bool:
    return is_manager(user)


def can_count_stock(user: User | None) -> bool:
    return is_manager(user)


def can_close_periods(user: User | None) -> bool:
    return is_manager(user)


def can_reopen_periods(user: User | None) -> bool:
    """Only the Owner reopens a closed period: it unfreezes figures a Manager signed off."""
    return is_owner(user)


def can_see_periods(user: User | None) -> bool:
    return role_of(user) in (Role.MANAGER, Role.OWNER)


def can_edit_draft(user: User | None, document: Any) -> bool:
    """Only the creator or a Manager may change or delete a draft."""
    if not can_enter_data(user):
        return False
    return document.created_by_id == user.pk or is_manager(user)


def set_role(user: User, role: Role) -> None:
    """Make ``role`` the user's only role. A change from another role ends the user's API tokens."""
    from django.contrib.auth.models import Group

    before = set(user.groups.values_list("name", flat=True))
    user.groups.set([Group.objects.get(name=GROUP_NAMES[role])])
    user.__dict__.pop("loaded_role", None)
    if before and before != {GROUP_NAMES[role]}:
        from accounts.services import end_all_tokens

        end_all_tokens(user=user, reason=f"role changed to {role.value}")
