"""The ledger's API list pages by cursor: every movement once, newest first, at any depth."""

from __future__ import annotations

import pytest

from inventory.models import StockMovement

pytestmark = pytest.mark.django_db


def test_movements_page_by_cursor_with_no_duplicates_or_gaps(plant, manager_user, manager_api):
    for n in range(4):
        plant.buy(manager_user, (plant.bottle, 5 + n, "3.00"), (plant.cap, 2, "0.50"))
    expected = list(StockMovement.objects.order_by("-id").values_list("pk", flat=True))
    seen, url, pages = [], "/api/v1/stock/movements/?page_size=3", []
    while url:
        body = manager_api.get(url).json()
        assert "count" not in body  # no COUNT(*) of the whole ledger
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected and len(pages) == 3
    back = manager_api.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == expected[3:6]
    filtered = manager_api.get("/api/v1/stock/movements/", {"item": plant.cap.pk}).json()
    assert [row["id"] for row in filtered["results"]] == [
        m
        for m in expected
        if m in set(StockMovement.objects.filter(item=plant.cap).values_list("pk", flat=True))
    ]
    assert manager_api.get("/api/v1/stock/movements/", {"cursor": "bogus"}).status_code == 404


@pytest.mark.parametrize("page_size", ["null", "0", "", "1.5"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused_on_the_ledger_too(manager_api, page_size):
    response = manager_api.get("/api/v1/stock/movements/", {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]
