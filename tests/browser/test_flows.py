"""A handful of flows in a real browser, one per role, plus layout checks at phone and desktop width."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from inventory.models import StockBalance
from sales.models import Sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_line(page, index: int, item_id: int, quantity: int, price: str) -> None:
    page.select_option(f"#id_lines-{index}-item", str(item_id))
    page.fill(f"#id_lines-{index}-quantity", str(quantity))
    page.fill(f"#id_lines-{index}-unit_price", price)


def _stock_of(session, sku: str) -> str:
    session.go("/inventory/stock/")
    return session.page.locator(f"tr[data-sku='{sku}'] [data-qty]").inner_text().split()[0]


def test_staff_bill_above_threshold_waits_a_manager_approves_and_stock_drops(open_session, stocked_plant):
    plant = stocked_plant
    staff = open_session("sam_staff", width=375)
    staff.go("/sales/bills/new/")
    page = staff.page
    page.select_option("#id_customer", str(plant.customer.pk))
    _fill_line(page, 0, plant.bottle.pk, 1000, "5.00")
    page.click("[data-add-row]")
    page.click("[data-add-row]")
    _fill_line(page, 1, plant.preform.pk, 100, "2.00")
    _fill_line(page, 2, plant.cap.pk, 100, "1.00")
    expect(page.locator("[data-total]")).to_have_text("5,300.00")
    staff.shot("staff-bill-entry-375")
    page.click("button[name=submit]")
    expect(page.locator("h1 .badge")).to_have_text("Pending approval")
    staff.shot("staff-bill-pending-375")
    sale = Sale.objects.get()
    assert (sale.status, sale.total, sale.lines.count()) == ("pending", 5300, 3)
    assert _stock_of(staff, "BTL-500") == "1200"

    manager = open_session("mia_manager")
    manager.go("/inventory/approvals/")
    manager.page.get_by_role("button", name=re.compile(f"Approve {sale.display_number}")).click()
    expect(manager.page.locator(".msg-success")).to_contain_text("approved and posted")
    manager.shot("manager-approved")
    assert _stock_of(manager, "BTL-500") == "200"
    assert _stock_of(manager, "PF-500") == "400"
    assert _stock_of(manager, "CAP-28") == "400"
    manager.go("/")
    manager.shot("manager-dashboard-after-approval")
    assert staff.errors == [] and manager.errors == []


def test_a_bill_beyond_stock_shows_the_error_on_that_line_and_saves_nothing(open_session, stocked_plant):
    plant = stocked_plant
    staff = open_session("sam_staff")
    staff.go("/sales/bills/new/")
    page = staff.page
    page.select_option("#id_customer", str(plant.customer.pk))
    _fill_line(page, 0, plant.cap.pk, 10, "1.00")
    page.click("[data-add-row]")
    _fill_line(page, 1, plant.preform.pk, 501, "2.00")
    page.click("button[name=submit]")
    error = page.locator("#id_lines-1-quantity_error")
    expect(error).to_have_text("Only 500 in stock (501 needed).")
    expect(page.locator("#id_lines-0-quantity_error")).to_have_count(0)
    expect(page.locator("#id_lines-1-quantity")).to_have_value("501")
    staff.shot("staff-bill-refused")
    assert Sale.objects.count() == 0
    assert StockBalance.objects.get(item=plant.preform).quantity == 500


def test_the_owner_reads_dashboard_and_reports_but_has_no_edit_buttons_or_forms(open_session, stocked_plant):
    owner = open_session("olga_owner")
    draft = stocked_plant.sell(_staff(), (stocked_plant.bottle, 1, "5.00"), submit=False)
    pages = [
        "/",
        "/sales/bills/",
        f"/sales/bills/{draft.pk}/",
        "/purchasing/purchases/",
        "/inventory/stock/",
        "/sales/customers/",
        "/inventory/items/",
    ]
    report_links = owner.page.locator("nav .navmenu-items a")
    owner.go("/")
    reports = [report_links.nth(i).get_attribute("href") for i in range(report_links.count())]
    assert len(reports) == 9  # six reports and the three tax reports
    for path in pages + reports:
        response = owner.go(path)
        assert response.status == 200, path
        # The only POST form an Owner meets is the logout button.
        posts = owner.page.locator("main form[method=post]")
        assert posts.count() == 0, path
        assert owner.page.locator("main a.button.primary").count() == 0, path
    owner.shot("owner-report")
    assert owner.errors == []


def _staff():
    from accounts.models import User

    return User.objects.get(username="sam_staff")


@pytest.mark.parametrize("width", [375, 1280])
def test_main_pages_and_the_printable_bill_render_without_console_errors(open_session, stocked_plant, width):
    plant = stocked_plant
    sale = plant.sell(_staff(), (plant.bottle, 12, "5.00"))
    manager = open_session("mia_manager", width=width)
    pages = {
        "dashboard": "/",
        "bills": "/sales/bills/",
        "bill-new": "/sales/bills/new/",
        "bill": f"/sales/bills/{sale.pk}/",
        "purchase-new": "/purchasing/purchases/new/",
        "run-new": "/production/runs/new/",
        "stock": "/inventory/stock/",
        "stock-item": f"/inventory/stock/{plant.bottle.pk}/",
        "count-new": "/inventory/counts/new/",
        "audit": "/accounts/audit/",
        "print": f"/sales/bills/{sale.pk}/print/",
        "receipt": f"/sales/bills/{sale.pk}/print/?format=receipt",
    }
    for name, path in pages.items():
        response = manager.go(path)
        assert response.status == 200, path
        overflow = manager.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        manager.shot(f"{name}-{width}")
    expect(manager.page.locator("[data-number]")).to_have_text(sale.number)
    expect(manager.page.locator("[data-total]")).to_have_text("60.00")
    assert manager.errors == []
