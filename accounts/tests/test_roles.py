"""The role groups get their intended permissions at migrate time; predicates read the database."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from accounts.models import User
from accounts.roles import Role, set_role

pytestmark = pytest.mark.django_db


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_migrations_create_the_three_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Owner", "Manager", "Staff"}


def test_the_owner_group_may_only_view():
    owner = group_permissions("Owner")
    assert {"sales.view_sale", "inventory.view_stockmovement", "purchasing.view_purchase"} <= owner
    assert all(p.split(".")[1].startswith("view_") for p in owner)


def test_staff_may_add_bills_but_not_change_items_or_suppliers():
    staff = group_permissions("Staff")
    assert {"sales.add_sale", "sales.change_sale", "sales.add_payment", "purchasing.add_purchase"} <= staff
    assert {"inventory.view_item", "purchasing.view_supplier"} <= staff
    refused = {
        "inventory.change_item",
        "inventory.add_item",
        "inventory.delete_item",
        "purchasing.change_supplier",
        "inventory.add_stockcount",
        "inventory.change_stockmovement",
        "inventory.add_closedperiod",
    }
    assert not staff & refused


def test_managers_keep_master_data_and_counts_but_not_users():
    manager = group_permissions("Manager")
    assert {
        "inventory.change_item",
        "inventory.add_item",
        "purchasing.change_supplier",
        "inventory.add_stockcount",
        "sales.change_customer",
    } <= manager
    assert "accounts.view_user" in manager
    assert "accounts.change_user" not in manager


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("staff_user", {"enter": True, "costs": False, "approve": False, "cancel": False, "count": False}),
        ("manager_user", {"enter": True, "costs": True, "approve": True, "cancel": True, "count": True}),
        ("owner_user", {"enter": False, "costs": True, "approve": True, "cancel": False, "count": False}),
    ],
)
def test_each_role_answers_the_predicates_as_designed(request, fixture, expected):
    user = request.getfixturevalue(fixture)
    assert {
        "enter": roles.can_enter_data(user),
        "costs": roles.can_see_costs(user),
        "approve": roles.can_approve(user),
        "cancel": roles.can_cancel(user),
        "count": roles.can_count_stock(user),
    } == expected
    assert roles.can_manage_master_data(user) is (fixture == "manager_user")
    assert roles.can_close_periods(user) is (fixture == "manager_user")
    assert roles.can_reopen_periods(user) is (fixture == "owner_user")
    assert roles.can_see_periods(user) is (fixture != "staff_user")


def test_demoting_a_user_takes_effect_on_a_fresh_user_object(manager_user):
    assert roles.is_manager(User.objects.get(pk=manager_user.pk))
    # Demoted elsewhere (another request, the admin): only the group membership changes.
    manager_user.groups.set([Group.objects.get(name="Staff")])
    fresh = User.objects.get(pk=manager_user.pk)
    assert not roles.is_manager(fresh)
    assert not roles.can_cancel(fresh)
    assert roles.is_staff_member(fresh)


def test_a_deactivated_manager_loses_every_right(manager_user):
    User.objects.filter(pk=manager_user.pk).update(is_active=False)
    fresh = User.objects.get(pk=manager_user.pk)
    assert roles.role_of(fresh) is None
    assert not roles.can_enter_data(fresh)


def test_nobody_approves_or_edits_what_another_may_not(staff_user, manager_user, owner_user, make_user):
    class Doc:
        created_by_id = staff_user.pk

        @staticmethod
        def author_ids():
            return {staff_user.pk}

    colleague = make_user("tom_staff", Role.STAFF)
    assert roles.can_approve(manager_user, Doc) and roles.can_approve(owner_user, Doc)
    sue = make_user("sue_manager", Role.MANAGER)
    changed_by_sue = type(
        "Changed", (), {"created_by_id": staff_user.pk, "author_ids": lambda self: {staff_user.pk, sue.pk}}
    )
    assert not roles.can_approve(sue, changed_by_sue())
    assert roles.can_edit_draft(staff_user, Doc) and roles.can_edit_draft(manager_user, Doc)
    assert not roles.can_edit_draft(colleague, Doc)
    assert not roles.can_edit_draft(owner_user, Doc)
    set_role(colleague, Role.MANAGER)
    assert roles.can_edit_draft(colleague, Doc)


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_role_groups_hold_the_permissions_of_every_app():
    """post_migrate makes each app's permissions in turn; the groups are synced after the last."""
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)
    manager = Group.objects.get(name="Manager")
    held = set(manager.permissions.values_list("content_type__app_label", "codename"))
    for wanted in (("sales", "view_customer"), ("sales", "change_pricelist"), ("inventory", "view_packsize")):
        assert wanted in held
