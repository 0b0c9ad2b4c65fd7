"""Returns through the web pages: entry from the bill or purchase, refusals that keep the input."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import StockBalance
from returns.models import PurchaseReturn, SalesReturn
from testing.plant import ledger_state

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def bill(plant, manager_user):
    plant.buy(manager_user, (plant.preform, 100, "2.00"), (plant.bottle, 40, "3.00"))
    return plant.sell(manager_user, (plant.preform, 40, "2.50"), (plant.bottle, 10, "5.00"))


def return_data(bill, *lines, key=None, settlement="credit", refund_method="", submit=True):
    data = {
        "request_key": str(key or uuid.uuid4()),
        "sale": bill.number,
        "settlement": settlement,
        "refund_method": refund_method,
        "date": str(bill.date),
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for index, (line, quantity, disposition) in enumerate(lines):
        data |= {
            f"lines-{index}-sale_line": line.pk,
            f"lines-{index}-quantity": str(quantity),
            f"lines-{index}-disposition": disposition,
            f"lines-{index}-reason": "burst",
            f"lines-{index}-scrap_item": "",
            f"lines-{index}-scrap_value": "",
        }
    data["submit" if submit else "save"] = "1"
    return data


def test_the_new_return_page_from_a_bill_lists_its_lines(bill, staff_client):
    response = staff_client.get(reverse("returns:sales-return-new") + f"?sale={bill.pk}")
    assert response.status_code == 200
    page = response.content.decode()
    assert bill.number in page
    assert "PF-500 — 40 sold at 2.50" in page and "BTL-500 — 10 sold at 5.00" in page


def test_a_return_posted_twice_with_one_key_makes_one_credit_note(bill, staff_client):
    preforms = bill.lines.get(item__sku="PF-500")
    blank = bill.lines.get(item__sku="BTL-500")
    data = return_data(bill, (preforms, 10, "restock"), (blank, "", "restock"))
    first = staff_client.post(reverse("returns:sales-return-new"), data)
    second = staff_client.post(reverse("returns:sales-return-new"), data)
    made = SalesReturn.objects.get()
    assert first["Location"] == second["Location"] == reverse("returns:sales-return-detail", args=[made.pk])
    assert (made.status, made.total, made.lines.count()) == ("posted", D("25.00"), 1)
    detail = staff_client.get(first["Location"]).content.decode()
    assert made.number in detail and "Cost taken back" not in detail  # Staff see no costs
    printed = staff_client.get(reverse("returns:sales-return-print", args=[made.pk])).content.decode()
    assert "Credit note" in printed and made.number in printed and "25.00" in printed


def test_an_over_return_keeps_what_was_typed_names_the_line_and_writes_nothing(bill, staff_client):
    preforms = bill.lines.get(item__sku="PF-500")
    staff_client.post(reverse("returns:sales-return-new"), return_data(bill, (preforms, 30, "restock")))
    before = ledger_state()
    response = staff_client.post(
        reverse("returns:sales-return-new"), return_data(bill, (preforms, 15, "scrap"))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "PF-500: 40 sold, 30 already returned, 15 requested." in page
    assert 'value="15"' in page and bill.number in page
    assert ledger_state() == before


@pytest.mark.parametrize(
    "change",
    [
        {"sale": "S-1999-99999"},
        {"lines-0-quantity": "-3"},
        {"lines-0-quantity": "lots"},
        {"lines-0-sale_line": "999999"},
        {"lines-0-scrap_value": "NaN"},
        {"settlement": "refund"},
        {"refund_method": "cheque", "settlement": "refund"},
        {"date": "1999-01-01"},
        {"lines-TOTAL_FORMS": "100000000"},
    ],
)
def test_bad_input_is_refused_with_a_400_and_writes_nothing(bill, staff_client, change):
    preforms = bill.lines.get(item__sku="PF-500")
    before = ledger_state()
    response = staff_client.post(
        reverse("returns:sales-return-new"), return_data(bill, (preforms, 3, "restock")) | change
    )
    assert response.status_code == 400
    assert ledger_state() == before


def test_a_purchase_return_through_its_page(bill, plant, staff_client):
    purchase = plant.buy(bill.created_by, (plant.cap, 50, "0.50"))
    page = staff_client.get(reverse("returns:purchase-return-new") + f"?purchase={purchase.pk}")
    assert "CAP-28 — 50 bought at 0.5000" in page.content.decode()
    data = {
        "request_key": str(uuid.uuid4()),
        "purchase": purchase.number,
        "date": str(purchase.date),
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-purchase_line": purchase.lines.get().pk,
        "lines-0-quantity": "20",
        "lines-0-reason": "leaking",
        "submit": "1",
    }
    response = staff_client.post(reverse("returns:purchase-return-new"), data)
    made = PurchaseReturn.objects.get()
    assert response["Location"] == reverse("returns:purchase-return-detail", args=[made.pk])
    assert (made.status, made.total) == ("posted", D("10.00"))
    assert StockBalance.objects.get(item=plant.cap).quantity == 30
    printed = staff_client.get(reverse("returns:purchase-return-print", args=[made.pk])).content.decode()
    assert "Debit note" in printed and made.number in printed


def test_a_pending_return_is_on_the_approvals_page(bill, staff_client, owner_client, settings):
    settings.APPROVAL_THRESHOLD = D("10")
    preforms = bill.lines.get(item__sku="PF-500")
    staff_client.post(reverse("returns:sales-return-new"), return_data(bill, (preforms, 10, "restock")))
    waiting = SalesReturn.objects.get()
    assert waiting.status == "pending"
    page = owner_client.get(reverse("documents:approvals")).content.decode()
    assert waiting.display_number in page


def test_lists_and_a_draft_edit(bill, staff_client):
    preforms = bill.lines.get(item__sku="PF-500")
    staff_client.post(
        reverse("returns:sales-return-new"), return_data(bill, (preforms, 4, "restock"), submit=False)
    )
    draft = SalesReturn.objects.get()
    assert draft.status == "draft"
    assert staff_client.get(reverse("returns:sales-return-list")).status_code == 200
    assert staff_client.get(reverse("returns:purchase-return-list")).status_code == 200
    edit = staff_client.get(reverse("returns:sales-return-edit", args=[draft.pk]))
    assert edit.status_code == 200 and 'value="4"' in edit.content.decode()
    data = return_data(bill, (preforms, 6, "restock"))
    response = staff_client.post(reverse("returns:sales-return-edit", args=[draft.pk]), data)
    draft.refresh_from_db()
    assert response.status_code == 302 and (draft.status, draft.total) == ("posted", D("15.00"))


def test_admin_shows_returns_read_only(bill, staff_user, manager_client):
    from returns.services import SalesReturnLineInput, create_sales_return

    made = create_sales_return(
        by=staff_user, sale=bill, lines=[SalesReturnLineInput(bill.lines.first(), 1)], submit=True
    )
    assert manager_client.get(reverse("admin:returns_salesreturn_changelist")).status_code == 200
    assert manager_client.get(reverse("admin:returns_purchasereturn_changelist")).status_code == 200
    page = manager_client.get(reverse("admin:returns_salesreturn_change", args=[made.pk]))
    assert page.status_code == 200 and made.number in page.content.decode()
