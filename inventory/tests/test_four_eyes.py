"""Four eyes: nobody who created or changed a document's content may approve or reject it, on the
web, the API or in admin; a third person may."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import InvalidDocument, NotAllowed
from documents import lifecycle
from inventory.services import CountLineInput, create_stock_count, update_stock_count
from production.services import InputLine, create_run, update_run
from purchasing.services import PurchaseLineInput, update_purchase
from sales.models import Sale
from sales.services import SaleLineInput, update_sale

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def stocked(plant, manager_user, settings):
    plant.buy(
        manager_user, (plant.preform, 100, "2.00"), (plant.cap, 100, "0.50"), (plant.bottle, 50, "3.00")
    )
    settings.APPROVAL_THRESHOLD = D("100")
    return plant


def _edit_bill(plant, sale, by, quantity=30, price="5.00"):
    """``by`` changes the bill's lines (a new price and quantity)."""
    return update_sale(
        sale=sale,
        by=by,
        customer=plant.customer,
        lines=[SaleLineInput(item=plant.bottle, quantity=quantity, unit_price=D(price))],
        date=sale.date,
    )


def _pending_bill_changed_by(plant, creator, editor):
    """A bill ``creator`` entered and ``editor`` then changed, submitted and waiting for approval."""
    draft = plant.sell(creator, (plant.bottle, 1, "5.00"), submit=False)
    _edit_bill(plant, draft, editor)
    sale = lifecycle.submit(document=Sale.objects.get(pk=draft.pk), by=editor)
    assert sale.status == "pending"
    return sale


def test_a_manager_who_changed_a_draft_may_not_approve_or_reject_it_on_the_web(
    stocked, staff_user, manager_user, manager_client, other_manager
):
    draft = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    form = {
        "request_key": str(uuid.uuid4()),
        "customer": stocked.customer.pk,
        "date": draft.date.isoformat(),
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": stocked.bottle.pk,
        "lines-0-quantity": "30",
        "lines-0-unit_price": "4.00",
        "lines-0-discount": "",
        "submit": "1",
    }
    edited = manager_client.post(reverse("sales:bill-edit", args=[draft.pk]), form)
    assert edited.status_code == 302
    sale = Sale.objects.get(pk=draft.pk)
    assert (sale.status, sale.total) == ("pending", D("120.00"))

    page = manager_client.get(reverse("sales:bill-detail", args=[sale.pk])).content.decode()
    assert "/approve/" not in page and "/reject/" not in page
    assert "<dt>Changed by</dt><dd>Mia_Manager</dd>" in page
    queue = manager_client.get(reverse("documents:approvals")).content.decode()
    assert sale.display_number in queue and "You entered or changed it" in queue
    assert "/approve/" not in queue

    for action, data in (("approve", {}), ("reject", {"reason": "my own change"})):
        response = manager_client.post(reverse("sales:bill-action", args=[sale.pk, action]), data)
        assert response.status_code == 403
        sale.refresh_from_db()
        assert sale.status == "pending"

    third = Client()
    third.force_login(other_manager)
    assert "/approve/" in third.get(reverse("documents:approvals")).content.decode()
    third.post(reverse("sales:bill-action", args=[sale.pk, "approve"]))
    sale.refresh_from_db()
    assert (sale.status, sale.decided_by) == ("posted", other_manager)
    assert list(sale.edited_by.all()) == [manager_user]


def test_the_admin_approve_action_refuses_a_manager_who_changed_the_draft(
    stocked, staff_user, manager_user, manager_client, other_manager
):
    sale = _pending_bill_changed_by(stocked, staff_user, manager_user)
    changelist = reverse("admin:sales_sale_changelist")
    data = {"action": "approve_documents", "_selected_action": [sale.pk]}

    refused = manager_client.post(changelist, data, follow=True).content.decode()
    assert "Nobody may approve a document they created or changed." in refused
    sale.refresh_from_db()
    assert sale.status == "pending"

    third = Client()
    third.force_login(other_manager)
    assert "1 approved and posted." in third.post(changelist, data, follow=True).content.decode()
    sale.refresh_from_db()
    assert (sale.status, sale.decided_by) == ("posted", other_manager)


def test_every_editor_stays_barred_not_only_the_last_one(
    stocked, staff_user, manager_user, other_manager, owner_user
):
    draft = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    _edit_bill(stocked, draft, manager_user, quantity=30)
    _edit_bill(stocked, draft, other_manager, quantity=31)
    sale = lifecycle.submit(document=Sale.objects.get(pk=draft.pk), by=staff_user)
    assert sale.status == "pending"

    for editor in (manager_user, other_manager):
        with pytest.raises(NotAllowed, match="Nobody may approve a document they created or changed."):
            lifecycle.approve(document=sale, by=editor)
        with pytest.raises(NotAllowed, match="Nobody may reject a document they created or changed."):
            lifecycle.reject(document=sale, by=editor, reason="mine")
    assert lifecycle.approve(document=sale, by=owner_user).status == "posted"
    assert set(sale.edited_by.all()) == {manager_user, other_manager}
    # The record is queryable: the bills each person changed.
    assert list(Sale.objects.filter(edited_by=other_manager)) == [sale]


def test_every_draft_update_service_records_who_changed_the_content(
    stocked, staff_user, manager_user, other_manager
):
    purchase = stocked.buy(staff_user, (stocked.preform, 1, "2.00"), submit=False)
    update_purchase(
        purchase=purchase,
        by=manager_user,
        supplier=stocked.supplier,
        lines=[PurchaseLineInput(item=stocked.preform, quantity=2, unit_price=D("9.00"))],
        date=purchase.date,
    )
    run = create_run(by=staff_user, product=stocked.bottle, good_quantity=5, machine="BM-1", shift="day")
    update_run(
        run=run,
        by=manager_user,
        product=stocked.bottle,
        good_quantity=5,
        machine="BM-1",
        shift="day",
        date=run.date,
        rejects=[],
        inputs=[InputLine(stocked.preform, 5), InputLine(stocked.cap, 5)],
        conversion_cost=D("50.00"),
    )
    count = create_stock_count(by=manager_user, lines=[CountLineInput(stocked.cap, 99)])
    update_stock_count(
        count=count, by=other_manager, lines=[CountLineInput(stocked.cap, 98)], date=count.date
    )
    sale = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    _edit_bill(stocked, sale, staff_user)  # the creator's own change adds nobody

    assert list(purchase.edited_by.all()) == [manager_user]
    assert list(run.edited_by.all()) == [manager_user]
    assert list(count.edited_by.all()) == [other_manager]
    assert list(sale.edited_by.all()) == []
    for document, editor in ((purchase, manager_user), (run, manager_user), (count, other_manager)):
        assert editor.pk in document.author_ids()


def test_a_refused_change_records_nobody_as_an_editor(stocked, staff_user, manager_user):
    sale = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)
    with pytest.raises(InvalidDocument):
        _edit_bill(stocked, sale, manager_user, quantity=0)
    assert list(sale.edited_by.all()) == []


def test_submitting_someone_elses_draft_unchanged_leaves_the_submitter_free_to_approve(
    stocked, staff_user, manager_user
):
    """Submitting is not changing: the content is still only the creator's."""
    draft = stocked.sell(staff_user, (stocked.bottle, 30, "5.00"), submit=False)
    sale = lifecycle.submit(document=draft, by=manager_user)
    assert lifecycle.approve(document=sale, by=manager_user).status == "posted"
