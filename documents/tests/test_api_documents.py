"""Documents over the API: the lifecycle, the one error shape, filters, pagination, and no costs for Staff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import ClosedPeriod, Item
from sales.models import Sale

pytestmark = pytest.mark.django_db


def _bill(plant, *lines, submit=True, **extra):
    return {
        "customer": plant.customer.pk,
        "submit": submit,
        "lines": [{"item": item.pk, "quantity": q, "unit_price": p} for item, q, p in lines],
        **extra,
    }


@pytest.fixture
def stocked(plant, manager_user):
    plant.buy(manager_user, (plant.bottle, 100, "3.00"), (plant.preform, 50, "2.00"), (plant.cap, 50, "0.50"))
    return plant


def test_a_bill_beyond_stock_is_a_409_naming_item_available_and_requested(stocked, staff_api):
    response = staff_api.post(
        "/api/v1/sales/",
        _bill(stocked, (stocked.bottle, 130, "5.00"), (stocked.preform, 60, "1")),
        format="json",
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert set(error) == {"code", "message", "fields", "shortages"}
    assert sorted(error["shortages"], key=lambda s: s["item"]) == [
        {"item_id": stocked.bottle.pk, "item": "BTL-500", "available": 100, "requested": 130},
        {"item_id": stocked.preform.pk, "item": "PF-500", "available": 50, "requested": 60},
    ]
    assert Sale.objects.count() == 0


def test_a_run_beyond_its_inputs_is_a_409_naming_each_short_input(stocked, staff_api):
    body = {"product": stocked.bottle.pk, "good_quantity": 70, "machine": "BM-1", "submit": True}
    response = staff_api.post("/api/v1/production-runs/", body, format="json")
    assert response.status_code == 409
    shortages = {s["item"]: (s["available"], s["requested"]) for s in response.json()["error"]["shortages"]}
    assert shortages == {"PF-500": (50, 70), "CAP-28": (50, 70)}


def test_bad_lines_are_a_400_with_errors_keyed_by_line(stocked, staff_api):
    body = _bill(stocked, (stocked.bottle, 1, "5.00"), (stocked.bottle, 0, "x"))
    error = staff_api.post("/api/v1/sales/", body, format="json").json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]["lines"]) == {"1"}
    assert set(error["fields"]["lines"]["1"]) == {"quantity", "unit_price"}


def test_a_rule_the_service_enforces_comes_back_as_a_line_error(stocked, manager_api):
    stocked.bottle.is_active = False
    stocked.bottle.save()
    body = _bill(stocked, (stocked.preform, 1, "5.00"), (stocked.bottle, 1, "5.00"))
    response = manager_api.post("/api/v1/sales/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"lines": {"1": {"item": ["BTL-500 is no longer active."]}}}


def test_not_found_method_not_allowed_and_bad_json_share_the_error_shape(staff_api):
    missing = staff_api.get("/api/v1/sales/999999/")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")
    nowhere = staff_api.get("/api/v1/no-such-thing/")
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (404, "not_found")
    wrong_method = staff_api.patch("/api/v1/sales/1/", {}, format="json")
    assert (wrong_method.status_code, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")
    garbage = staff_api.post("/api/v1/sales/", "{not json", content_type="application/json")
    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "parse_error")
    for response in (missing, nowhere, wrong_method, garbage):
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_bill_goes_draft_edit_pending_approved_cancelled_and_its_history_says_so(
    stocked, staff_api, manager_api, other_manager_api, settings
):
    settings.APPROVAL_THRESHOLD = Decimal("100")
    draft = staff_api.post(
        "/api/v1/sales/", _bill(stocked, (stocked.bottle, 1, "5.00"), submit=False), format="json"
    )
    assert (draft.status_code, draft.json()["status"], draft.json()["number"]) == (201, "draft", None)
    url = f"/api/v1/sales/{draft.json()['id']}/"
    edited = staff_api.put(url, _bill(stocked, (stocked.bottle, 30, "5.00")), format="json")
    assert (edited.status_code, edited.json()["total"]) == (200, "150.00")
    pending = staff_api.post(url + "submit/")
    assert pending.json()["status"] == "pending"
    assert staff_api.post(url + "approve/").status_code == 403
    queue = manager_api.get("/api/v1/approvals/").json()["results"]
    assert [(row["type"], row["id"]) for row in queue] == [("sales.sale", draft.json()["id"])]
    posted = manager_api.post(url + "approve/")
    assert (posted.status_code, posted.json()["status"]) == (200, "posted")
    again = other_manager_api.post(url + "approve/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "wrong_state")
    assert staff_api.put(url, _bill(stocked, (stocked.bottle, 1, "5.00")), format="json").status_code == 409
    assert staff_api.delete(url).status_code == 409
    no_reason = manager_api.post(url + "cancel/", {"reason": " "}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]
    cancelled = manager_api.post(url + "cancel/", {"reason": "returned"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    history = manager_api.get(url + "history/").json()
    statuses = [c["new"] for entry in history for c in entry["changes"] if c["field"] == "status"]
    assert statuses == ["draft", "pending", "posted", "cancelled"]
    assert history[0]["user"] == "sam_staff"


def test_nobody_approves_their_own_document(stocked, manager_api, settings):
    settings.APPROVAL_THRESHOLD = Decimal("1")
    sale = manager_api.post(
        "/api/v1/sales/", _bill(stocked, (stocked.bottle, 1, "5.00")), format="json"
    ).json()
    response = manager_api.post(f"/api/v1/sales/{sale['id']}/approve/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"


def test_a_bill_dated_in_a_closed_period_is_a_400_on_its_date(stocked, manager_user, staff_api):
    yesterday = timezone.localdate() - timedelta(days=1)
    ClosedPeriod.objects.create(closed_through=yesterday, closed_by=manager_user)
    body = _bill(stocked, (stocked.bottle, 1, "5.00"), date=yesterday.isoformat())
    response = staff_api.post("/api/v1/sales/", body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid")
    assert "is in a closed period" in response.json()["error"]["fields"]["date"][0]


def test_approving_a_bill_whose_period_closed_meanwhile_is_a_409(stocked, manager_user, owner_api, settings):
    settings.APPROVAL_THRESHOLD = Decimal("1")
    yesterday = timezone.localdate() - timedelta(days=1)
    sale = stocked.sell(manager_user, (stocked.bottle, 1, "5.00"), date=yesterday)
    ClosedPeriod.objects.create(closed_through=yesterday, closed_by=manager_user)
    response = owner_api.post(f"/api/v1/sales/{sale.pk}/approve/")
    assert (response.status_code, response.json()["error"]["code"]) == (409, "period_closed")


def _keys(data) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


COST_KEYS = {"cost", "value", "unit_cost", "average_cost", "input_value", "variance_value", "conversion_cost"}


def test_staff_never_receive_a_cost_value_or_margin_field(stocked, staff_user, staff_api, manager_api):
    sale = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    run = staff_api.post(
        "/api/v1/production-runs/",
        {"product": stocked.bottle.pk, "good_quantity": 5, "machine": "BM-1", "submit": True},
        format="json",
    )
    assert run.status_code == 201
    urls = [
        "/api/v1/stock/balances/",
        f"/api/v1/stock/balances/{stocked.bottle.pk}/",
        "/api/v1/sales/",
        f"/api/v1/sales/{sale.pk}/",
        f"/api/v1/sales/{sale.pk}/history/",
        "/api/v1/production-runs/",
        f"/api/v1/production-runs/{run.json()['id']}/history/",
        "/api/v1/items/",
        "/api/v1/purchases/",
    ]
    staff_keys = set().union(*(_keys(staff_api.get(url).json()) for url in urls), _keys(run.json()))
    staff_fields = {
        c["field"] for c in staff_api.get(f"/api/v1/sales/{sale.pk}/history/").json() for c in c["changes"]
    }
    assert not staff_keys & COST_KEYS
    assert not {f for f in staff_fields if "cost" in f or "value" in f}
    assert not {k for k in staff_keys if "margin" in k or "profit" in k}
    manager_keys = set().union(*(_keys(manager_api.get(url).json()) for url in urls))
    assert manager_keys >= {"cost", "value", "unit_cost", "average_cost", "input_value", "conversion_cost"}


def test_lists_filter_by_date_status_party_and_item_search_and_order(stocked, staff_user, staff_api):
    old = stocked.sell(
        staff_user, (stocked.bottle, 1, "5.00"), date=timezone.localdate() - timedelta(days=10)
    )
    new = stocked.sell(staff_user, (stocked.preform, 1, "9.00"))
    draft = stocked.sell(staff_user, (stocked.bottle, 1, "5.00"), submit=False)

    def ids(query):
        response = staff_api.get(f"/api/v1/sales/?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert set(ids(f"date_after={since}")) == {new.pk, draft.pk}
    assert ids("status=draft") == [draft.pk]
    assert set(ids(f"item={stocked.bottle.pk}")) == {old.pk, draft.pk}
    assert ids(f"customer={stocked.customer.pk}&status=posted&ordering=total") == [old.pk, new.pk]
    assert set(ids(f"search={new.number}")) == {new.pk}
    bad = staff_api.get("/api/v1/sales/?date_after=yesterday")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid")
    assert "date" in str(bad.json()["error"]["fields"])


def test_lists_page_by_100_and_at_most_1000(db, staff_api):
    Item.objects.bulk_create([Item(sku=f"X-{i:05}", name=f"Item {i}") for i in range(1005)])
    default = staff_api.get("/api/v1/items/").json()
    assert (default["count"], len(default["results"])) == (1005, 100)
    assert len(staff_api.get("/api/v1/items/?page_size=5000").json()["results"]) == 1000


def test_a_payment_posts_at_once_and_a_manager_cancels_it(stocked, staff_user, staff_api, manager_api):
    sale = stocked.sell(staff_user, (stocked.bottle, 2, "5.00"))
    body = {"customer": stocked.customer.pk, "sale": sale.pk, "amount": "4.00", "method": "upi"}
    payment = staff_api.post("/api/v1/payments/", body, format="json")
    assert (payment.status_code, payment.json()["status"]) == (201, "posted")
    assert staff_api.get(f"/api/v1/sales/{sale.pk}/").json()["outstanding"] == "6.00"
    over = staff_api.post("/api/v1/payments/", {**body, "amount": "7.00"}, format="json")
    assert over.status_code == 400
    assert "amount" in over.json()["error"]["fields"]
    cancelled = manager_api.post(
        f"/api/v1/payments/{payment.json()['id']}/cancel/", {"reason": "bounced"}, format="json"
    )
    assert cancelled.json()["status"] == "cancelled"


def test_items_and_recipes_are_kept_by_managers(plant, manager_api, staff_api):
    created = manager_api.post(
        "/api/v1/items/", {"sku": "BTL-1000", "name": "Bottle 1 l", "kind": "bottle"}, format="json"
    )
    assert created.status_code == 201
    duplicate = manager_api.post("/api/v1/items/", {"sku": "btl-1000", "name": "Again"}, format="json")
    assert duplicate.status_code == 400
    url = f"/api/v1/items/{created.json()['id']}/recipe/"
    recipe = {"lines": [{"item": plant.preform.pk, "quantity": "1"}, {"item": plant.cap.pk, "quantity": "1"}]}
    assert manager_api.put(url, recipe, format="json").status_code == 200
    assert [line["sku"] for line in staff_api.get(url).json()["lines"]] == ["CAP-28", "PF-500"]
    assert staff_api.put(url, recipe, format="json").status_code == 403
    assert (
        manager_api.patch(
            f"/api/v1/items/{created.json()['id']}/", {"is_active": False}, format="json"
        ).json()["is_active"]
        is False
    )
    assert manager_api.delete(f"/api/v1/items/{created.json()['id']}/").status_code == 204


def test_a_stock_count_posts_adjustments(stocked, manager_api, owner_api):
    body = {"lines": [{"item": stocked.bottle.pk, "quantity": 97}], "submit": True}
    count = manager_api.post("/api/v1/stock-counts/", body, format="json")
    assert count.status_code == 201
    assert count.json()["lines"][0]["difference"] == -3
    assert count.json()["lines"][0]["variance_value"] == "-9.00"
    assert owner_api.get(f"/api/v1/stock/balances/{stocked.bottle.pk}/").json()["quantity"] == 97


@pytest.mark.parametrize("role", ["staff", "manager"])
@pytest.mark.parametrize(
    "how",
    [
        {"submit": True},
        {"submit": False},
        {"submit": True, "discount": "2.50"},
        {"submit": True, "total_above_threshold": True},
    ],
    ids=["posted", "draft", "discounted", "pending"],
)
def test_the_answer_to_a_new_bill_is_what_reading_it_back_gives(stocked, request, role, how, settings):
    """A create answers from the bill in memory; it must match a fresh read field for field."""
    api = request.getfixturevalue(f"{role}_api")
    if how.get("total_above_threshold"):
        settings.APPROVAL_THRESHOLD = Decimal("10")
    lines = [
        {
            "item": stocked.bottle.pk,
            "quantity": 3,
            "unit_price": "5.00",
            "discount": how.get("discount", "0"),
        },
        {"item": stocked.cap.pk, "quantity": 7, "unit_price": "0.90"},
    ]
    body = {"customer": stocked.customer.pk, "submit": how["submit"], "lines": lines}
    created = api.post("/api/v1/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY=f"{role}-{how}")
    assert created.status_code == 201, created.json()
    read = api.get(f"/api/v1/sales/{created.json()['id']}/")
    assert created.json() == read.json()
    assert created.json()["status"] == (
        "pending" if how.get("total_above_threshold") else "posted" if how["submit"] else "draft"
    )
    assert ("cost" in created.json()) == (role == "manager")


def test_a_payment_posts_as_it_is_stored_once(stocked, staff_api):
    bill = staff_api.post("/api/v1/sales/", _bill(stocked, (stocked.bottle, 2, "5.00")), format="json").json()
    paid = staff_api.post(
        "/api/v1/payments/",
        {"customer": stocked.customer.pk, "sale": bill["id"], "amount": "4.00"},
        format="json",
    )
    assert paid.status_code == 201
    assert paid.json()["status"] == "posted"
    assert staff_api.get(f"/api/v1/payments/{paid.json()['id']}/").json() == paid.json()
    history = staff_api.get(f"/api/v1/sales/{bill['id']}/history/").json()
    assert [entry["action"] for entry in history] == ["created"]
    assert {"field": "status", "old": None, "new": "posted"} in history[0]["changes"]
    assert staff_api.get(f"/api/v1/sales/{bill['id']}/").json()["outstanding"] == "6.00"
