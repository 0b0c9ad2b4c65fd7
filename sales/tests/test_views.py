"""Bill entry through the web form: one document per request key, refusals that write nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import StockBalance, StockMovement
from sales.models import Customer, Payment, Sale, SaleLine

pytestmark = pytest.mark.django_db


def bill_data(plant, *lines, key=None, submit=True, **extra):
    data = {
        "request_key": str(key or uuid.uuid4()),
        "customer": plant.customer.pk,
        "date": "2026-11-20",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for index, (item, quantity, price) in enumerate(lines):
        data |= {
            f"lines-{index}-item": item.pk,
            f"lines-{index}-quantity": str(quantity),
            f"lines-{index}-unit_price": price,
            f"lines-{index}-discount": "",
        }
    data["submit" if submit else "save"] = "1"
    return data | extra


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(manager_user, (plant.preform, 100, "2.00"), (plant.cap, 50, "0.50"), (plant.bottle, 40, "3.00"))
    return plant


def test_a_bill_posted_twice_with_one_request_key_creates_one_bill(stocked, staff_client):
    data = bill_data(stocked, (stocked.bottle, 10, "5.00"))
    first = staff_client.post(reverse("sales:bill-new"), data)
    second = staff_client.post(reverse("sales:bill-new"), data)
    assert Sale.objects.count() == 1
    sale = Sale.objects.get()
    assert first["Location"] == second["Location"] == reverse("sales:bill-detail", args=[sale.pk])
    assert sale.status == "posted"
    assert StockBalance.objects.get(item=stocked.bottle).quantity == 30


def test_a_bill_beyond_stock_writes_nothing_and_marks_the_short_line(stocked, staff_client):
    data = bill_data(
        stocked,
        (stocked.preform, 5, "3.00"),
        (stocked.bottle, 41, "5.25"),
        (stocked.cap, 2, "1.10"),
    )
    movements = StockMovement.objects.count()
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 400
    assert Sale.objects.count() == 0 and SaleLine.objects.count() == 0
    assert StockMovement.objects.count() == movements
    formset = response.context["formsets"]["lines"]
    assert formset.forms[1].errors["quantity"] == ["Only 40 in stock (41 needed)."]
    assert not formset.forms[0].errors and not formset.forms[2].errors
    body = response.content.decode()
    # Everything typed is still there.
    assert 'value="41"' in body and 'value="5.25"' in body and 'value="1.10"' in body
    assert f'value="{data["request_key"]}"' in body


def test_a_refused_submit_of_an_edited_draft_keeps_the_draft_as_it_was(stocked, staff_user, staff_client):
    draft = stocked.sell(staff_user, (stocked.bottle, 5, "5.00"), submit=False)
    data = bill_data(stocked, (stocked.bottle, 99, "5.00"))
    response = staff_client.post(reverse("sales:bill-edit", args=[draft.pk]), data)
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert list(draft.lines.values_list("quantity", flat=True)) == [5]


def test_add_a_line_without_javascript_keeps_the_rows_and_adds_an_empty_one(stocked, staff_client):
    data = bill_data(stocked, (stocked.bottle, 3, "5.00"), submit=False)
    del data["save"]
    data["add_lines"] = "1"
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 200
    formset = response.context["formsets"]["lines"]
    assert len(formset.forms) == 2
    assert 'value="3"' in response.content.decode()
    assert "errorlist" not in response.content.decode()
    assert Sale.objects.count() == 0


def test_removed_and_blank_rows_are_left_out(stocked, staff_client):
    data = bill_data(stocked, (stocked.bottle, 3, "5.00"), (stocked.cap, 2, "1.00"), submit=False)
    data |= {"lines-1-DELETE": "on", "lines-TOTAL_FORMS": "3"}
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert list(sale.lines.values_list("item__sku", "quantity")) == [("BTL-500", 3)]
    assert sale.status == "draft"


def test_a_bill_above_the_threshold_waits_and_its_creator_cannot_approve_it(
    stocked, staff_client, manager_client, owner_client
):
    staff_client.post(reverse("sales:bill-new"), bill_data(stocked, (stocked.bottle, 20, "300.00")))
    sale = Sale.objects.get()
    assert sale.status == "pending"
    assert staff_client.post(reverse("sales:bill-action", args=[sale.pk, "approve"])).status_code == 403
    owner_client.post(reverse("sales:bill-action", args=[sale.pk, "reject"]), {"reason": "price too high"})
    sale.refresh_from_db()
    assert (sale.status, sale.rejection_reason) == ("rejected", "price too high")


def test_draft_can_be_submitted_and_deleted_from_its_page(stocked, staff_user, staff_client):
    draft = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"), submit=False)
    page = staff_client.get(reverse("sales:bill-detail", args=[draft.pk])).content.decode()
    assert "Submit" in page and "Delete draft" in page
    staff_client.post(reverse("sales:bill-action", args=[draft.pk, "submit"]))
    draft.refresh_from_db()
    assert draft.status == "posted"
    other = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"), submit=False)
    response = staff_client.post(reverse("sales:bill-action", args=[other.pk, "delete"]))
    assert response["Location"] == reverse("sales:bill-list")
    assert not Sale.objects.filter(pk=other.pk).exists()


def test_staff_cannot_cancel_a_posted_bill(stocked, staff_user, staff_client):
    sale = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    response = staff_client.post(reverse("sales:bill-action", args=[sale.pk, "cancel"]), {"reason": "x"})
    assert response.status_code == 403
    sale.refresh_from_db()
    assert sale.status == "posted"


def test_action_pages_refuse_get_and_unknown_actions(stocked, staff_user, manager_client):
    sale = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    assert manager_client.get(reverse("sales:bill-action", args=[sale.pk, "cancel"])).status_code == 405
    assert manager_client.post(reverse("sales:bill-action", args=[sale.pk, "explode"])).status_code == 404


def test_bill_list_filters_by_status_customer_item_and_number(stocked, staff_user, staff_client):
    other = Customer.objects.create(name="Spring Co")
    posted = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"))
    draft = stocked.sell(staff_user, (stocked.cap, 1, "1.00"), submit=False, customer=other)

    def numbers(**query):
        page = staff_client.get(reverse("sales:bill-list"), query).context["page"]
        return {sale.pk for sale in page}

    assert numbers(status="draft") == {draft.pk}
    assert numbers(party="spring") == {draft.pk}
    assert numbers(item=stocked.bottle.pk) == {posted.pk}
    assert numbers(q=posted.number[-5:]) == {posted.pk}
    assert numbers(date_from="2999-01-01") == set()
    assert staff_client.get(reverse("sales:bill-list"), {"date_from": "not-a-date"}).status_code == 200


def test_nonsense_input_is_a_form_error_not_a_crash(stocked, staff_client):
    data = bill_data(stocked, (stocked.bottle, "-4", "abc"))
    data |= {"customer": "999999", "lines-TOTAL_FORMS": "x"}
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 400
    assert Sale.objects.count() == 0


def test_printable_bill_has_the_lines_and_a_receipt_layout(stocked, staff_user, staff_client):
    sale = stocked.sell(staff_user, (stocked.bottle, 4, "5.00", "1.00"))
    a4 = staff_client.get(reverse("sales:bill-print", args=[sale.pk])).content.decode()
    receipt = staff_client.get(
        reverse("sales:bill-print", args=[sale.pk]), {"format": "receipt"}
    ).content.decode()
    assert sale.number in a4 and "19.00" in a4 and "invoice.css" in a4 and "receipt.css" not in a4
    assert "receipt.css" in receipt
    assert "3.00" not in a4  # the bottles' cost price


def test_payment_against_a_bill_is_recorded_once(stocked, staff_user, staff_client):
    sale = stocked.sell(staff_user, (stocked.bottle, 4, "5.00"))
    form = staff_client.get(reverse("sales:payment-new"), {"sale": sale.pk})
    assert form.context["form"].initial["sale"] == sale.number
    data = {
        "request_key": str(uuid.uuid4()),
        "customer": stocked.customer.pk,
        "sale": sale.number,
        "amount": "20.00",
        "method": "cash",
        "reference": "",
        "date": "2026-11-20",
        "notes": "",
        "submit": "1",
    }
    staff_client.post(reverse("sales:payment-new"), data)
    staff_client.post(reverse("sales:payment-new"), data)
    assert Payment.objects.get().amount == Decimal("20.00")
    over = staff_client.post(reverse("sales:payment-new"), data | {"request_key": str(uuid.uuid4())})
    assert over.status_code == 400
    assert "would overpay" in over.context["form"].errors["amount"][0]


def test_staff_keep_customers_but_only_a_manager_sets_a_credit_limit(staff_client, manager_client, plant):
    fields = {"name": "New Co", "is_active": "on", "credit_limit": "100", "credit_days": "30"}
    staff_client.post(reverse("sales:customer-new"), fields)
    assert Customer.objects.get(name="New Co").credit_limit is None
    assert "credit_limit" not in staff_client.get(reverse("sales:customer-new")).content.decode()
    manager_client.post(reverse("sales:customer-new"), fields | {"name": "Big Co"})
    assert Customer.objects.get(name="Big Co").credit_limit == Decimal("100")
    search = staff_client.get(reverse("sales:customer-list"), {"q": "big"}).context["page"]
    assert [c.name for c in search] == ["Big Co"]


def test_the_bill_form_offers_default_selling_prices_for_the_script(plant, staff_client):
    response = staff_client.get(reverse("sales:bill-new"))
    assert response.context["item_prices"] == {str(plant.bottle.pk): "5.00"}
    assert 'id="item-prices" type="application/json"' in response.content.decode()


def test_a_malformed_filter_is_ignored_while_the_others_apply(stocked, staff_user, staff_client):
    draft = stocked.sell(staff_user, (stocked.cap, 1, "1.00"), submit=False)
    stocked.sell(staff_user, (stocked.bottle, 1, "5.00"))
    page = staff_client.get(reverse("sales:bill-list"), {"status": "draft", "date_to": "nonsense"}).context[
        "page"
    ]
    assert [sale.pk for sale in page] == [draft.pk]


def test_odd_input_gets_a_404_or_a_form_error_never_a_server_error(stocked, manager_client):
    huge = "9" * 30
    for url in (
        f"/sales/bills/{huge}/",
        f"/sales/bills/{huge}/print/",
        f"/inventory/stock/{huge}/",
        f"/sales/bills/?item={huge}&page={huge}&date_from=2026-02-31",
        f"/accounts/audit/?user={huge}&model=nope",
        f"/sales/payments/new/?sale={huge}",
    ):
        assert manager_client.get(url).status_code in (200, 404), url
    assert manager_client.post(f"/sales/bills/{huge}/cancel/", {"reason": "x"}).status_code == 404
    data = bill_data(stocked, (stocked.bottle, 99_000_000, "9999999.99"))
    response = manager_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 400
    assert any("The total must stay below" in e for e in response.context["general_errors"])
    assert "The total must stay below" in response.content.decode()
    odd = bill_data(stocked, (stocked.bottle, 1, "1e400")) | {"customer": huge, "lines-0-item": huge}
    assert manager_client.post(reverse("sales:bill-new"), odd).status_code == 400
    assert Sale.objects.count() == 0


def test_a_line_sent_without_a_price_is_billed_at_the_items_default_price(stocked, staff_client):
    # The form works without JavaScript: nobody filled the price in, the item's own price applies.
    response = staff_client.post(reverse("sales:bill-new"), bill_data(stocked, (stocked.bottle, 4, "")))
    sale = Sale.objects.get()
    assert response["Location"] == reverse("sales:bill-detail", args=[sale.pk])
    assert (sale.lines.get().unit_price, sale.total) == (Decimal("5.00"), Decimal("20.00"))


def test_a_line_without_a_price_for_an_item_without_one_is_an_error_on_that_line(stocked, staff_client):
    data = bill_data(stocked, (stocked.bottle, 1, ""), (stocked.cap, 2, ""))
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 400
    line = response.context["formsets"]["lines"].forms[1]
    assert line.errors["unit_price"] == ["Enter a price: CAP-28 has no default selling price."]
    assert line["quantity"].value() == "2"
    assert Sale.objects.count() == 0


def test_credit_days_are_on_the_customer_form_and_list_and_bad_days_keep_what_was_typed(
    manager_client, staff_client, plant, manager_user, settings
):
    settings.DEFAULT_CREDIT_DAYS = 21
    # Only a Manager sets credit terms: Staff's form has no such field.
    assert "credit_days" not in staff_client.get(reverse("sales:customer-new")).context["form"].fields
    new = manager_client.get(reverse("sales:customer-new"))
    assert new.context["form"]["credit_days"].value() == 21
    url = reverse("sales:customer-edit", args=[plant.customer.pk])
    assert manager_client.get(url).context["form"]["credit_days"].value() == 30
    fields = {"name": "Aqua Traders", "is_active": "on"}
    for bad in ("-1", "366", "ten", ""):
        refused = manager_client.post(url, fields | {"credit_days": bad})
        assert refused.status_code == 400 and refused.context["form"].errors["credit_days"]
        assert f'name="credit_days" value="{bad}"' in refused.content.decode() or not bad
    plant.customer.refresh_from_db()
    assert plant.customer.credit_days == 30
    assert manager_client.post(url, fields | {"credit_days": "0"}).status_code == 302
    plant.customer.refresh_from_db()
    assert plant.customer.credit_days == 0
    assert plant.customer.history.first().history_user == manager_user
    listed = manager_client.get(reverse("sales:customer-list")).content.decode()
    assert "Credit days" in listed and '<td class="num">0</td>' in listed


def test_a_manager_sets_credit_days_in_django_admin_through_the_service(manager_client, manager_user, plant):
    url = reverse("admin:sales_customer_change", args=[plant.customer.pk])
    assert 'name="credit_days"' in manager_client.get(url).content.decode()
    fields = {"name": "Aqua Traders", "is_active": "on", "credit_limit": "", "credit_days": "45"}
    fields |= {name: "" for name in ("contact_person", "phone", "email", "address", "tax_number", "notes")}
    assert manager_client.post(url, fields).status_code == 302
    plant.customer.refresh_from_db()
    assert plant.customer.credit_days == 45
    assert plant.customer.history.first().history_user == manager_user
    refused = manager_client.post(url, fields | {"credit_days": "366"})
    assert refused.status_code == 200 and "credit_days" in refused.context["adminform"].form.errors
    listed = manager_client.get(reverse("admin:sales_customer_changelist")).content.decode()
    assert "column-credit_days" in listed


def test_a_refused_bill_names_the_short_items_and_their_lines_in_the_banner(stocked, staff_client):
    data = bill_data(stocked, (stocked.cap, 2, "1.10"), (stocked.bottle, 41, "5.25"))
    response = staff_client.post(reverse("sales:bill-new"), data)
    assert response.status_code == 400
    banner = response.context["form"].non_field_errors()
    assert list(banner) == ["Not enough stock for Bottle 500 ml (line 2), marked below. Nothing was saved."]
    assert Sale.objects.count() == 0


def test_the_bill_form_carries_the_approval_threshold_and_formats_it(staff_client, settings):
    settings.APPROVAL_THRESHOLD = Decimal("150000")
    body = staff_client.get(reverse("sales:bill-new")).content.decode()
    assert 'data-approval-threshold="150000"' in body
    assert "INR 1,50,000.00" in body
    assert "js/entry_form.js" in body
