"""The floor on a phone (360 × 740): approvals as cards, reports that fit, the bill form's running
total and refusal focus, state names, touch targets; each page also shot at 1280 px."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sales.models import Sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
# Every button and link inside a form or a table, as a finger meets them.
TARGETS = (
    "main form button, main form a, main form label.remove, main table a, main table button, main .actions a"
)


def _phone(open_session, username: str):
    session = open_session(username, width=360)
    session.page.set_viewport_size(PHONE)
    return session


def _user(username: str):
    from accounts.models import User

    return User.objects.get(username=username)


def _scroll_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def _small_targets(page) -> list:
    """Visible targets smaller than 44 × 44 px: [(text, width, height)]."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
            .map((e) => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
            .filter(([, r]) => r.width > 0 && (r.height < 44 || r.width < 44))
            .map(([t, r]) => [t, Math.round(r.width), Math.round(r.height)])""",
        TARGETS,
    )


def _both_widths(open_session, username: str, path: str, name: str) -> None:
    for width in (360, 1280):
        session = open_session(username, width=width)
        if width == 360:
            session.page.set_viewport_size(PHONE)
        session.go(path)
        session.shot(f"phone-{name}-{width}")


def test_the_owner_approves_a_bill_from_the_queue_on_a_phone_without_scrolling_sideways(
    open_session, stocked_plant
):
    plant = stocked_plant
    big = plant.sell(_user("sam_staff"), (plant.bottle, 1100, "5.00"))  # 5,500.00: over the limit
    other = plant.sell(_user("sam_staff"), (plant.bottle, 1050, "5.00"))
    assert (big.status, other.status) == ("pending", "pending")
    owner = _phone(open_session, "olga_owner")
    owner.go("/inventory/approvals/")
    page = owner.page
    assert _scroll_width(page) <= 360
    card = page.locator(f"[data-approval='{big.pk}']")
    expect(card).to_contain_text("Bill awaiting approval")
    expect(card).to_contain_text("Aqua Traders")
    expect(card).to_contain_text("5,500.00")
    expect(card).to_contain_text("over the approval limit")
    for control in (card.get_by_role("button", name=re.compile("^Approve")), card.get_by_role("textbox")):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert _small_targets(page) == []
    owner.shot("phone-approvals-360")

    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator(".msg-success")).to_contain_text("approved and posted")
    big.refresh_from_db()
    assert big.status == "posted" and big.number
    assert _scroll_width(page) <= 360

    # Reject with a reason, from the card of the other one.
    rest = page.locator(f"[data-approval='{other.pk}']")
    rest.get_by_role("textbox").fill("Wrong customer")
    rest.get_by_role("button", name=re.compile("^Reject")).click()
    expect(page.locator(".msg-success")).to_contain_text("Rejected bill")
    other.refresh_from_db()
    assert (other.status, other.rejection_reason, other.number) == ("rejected", "Wrong customer", None)
    assert owner.errors == []


def test_the_document_page_has_the_same_approve_and_reject_buttons_inside_the_width(
    open_session, stocked_plant
):
    plant = stocked_plant
    sale = plant.sell(_user("sam_staff"), (plant.bottle, 1100, "5.00"))
    manager = _phone(open_session, "mia_manager")
    manager.go(f"/sales/bills/{sale.pk}/")
    page = manager.page
    expect(page.locator("h1")).to_contain_text(f"Bill awaiting approval, ref. {sale.pk}")
    for name in ("Approve", "Reject"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["x"] + box["width"] <= 360 and box["height"] >= 44, (name, box)
    assert _scroll_width(page) <= 360
    assert _small_targets(page) == []
    manager.shot("phone-bill-pending-360")
    page.get_by_role("button", name="Approve", exact=True).click()
    sale.refresh_from_db()
    expect(page.locator("h1")).to_contain_text(f"Bill {sale.number}")
    assert sale.status == "posted"


def test_a_report_reads_on_a_phone_from_the_current_month(open_session, stocked_plant):
    plant = stocked_plant
    plant.sell(_user("sam_staff"), (plant.bottle, 20, "5.00"))
    owner = _phone(open_session, "olga_owner")
    for path in (
        "/reports/profit-loss/",
        "/reports/stock-movement/",
        "/reports/customer-sales/",
        "/reports/production/",
    ):
        owner.go(path)
        page = owner.page
        assert _scroll_width(page) <= 360, path
        today = timezone.localdate()
        if path == "/reports/profit-loss/":
            expect(page.locator("#id_start")).to_have_value(today.replace(day=1).isoformat())
            expect(page.locator("#id_end")).to_have_value(today.isoformat())
            expect(page.locator("main")).to_contain_text(
                f"{today.replace(day=1):%d/%m/%Y} to {today:%d/%m/%Y}"
            )
        # Each chart's text as rendered: its font size times the drawing's scale on screen.
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('svg.chart')]
                .filter((svg) => svg.getClientRects().length)
                .flatMap((svg) => {
                  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                  return [...svg.querySelectorAll('text')].map(
                    (t) => parseFloat(getComputedStyle(t).fontSize) * scale);
                })"""
        )
        if path == "/reports/profit-loss/":
            assert sizes, "the profit report draws a chart"
        assert sizes == [] or min(sizes) >= 11, (path, min(sizes))
        # Key columns stay; the rest open with "All columns".
        table = page.locator(".report-table").first
        if table.locator("details.all-columns").count():
            extra = table.locator("th.extra").first
            expect(extra).to_be_hidden()
            table.locator("details.all-columns summary").click()
            expect(extra).to_be_visible()
            assert _scroll_width(page) <= 360, path
        owner.shot(f"phone-report{path.replace('/reports', '').rstrip('/').replace('/', '-')}-360")
    assert owner.errors == []
    _both_widths(open_session, "olga_owner", "/reports/profit-loss/", "report-profit-loss")


def test_a_refused_bill_moves_the_focus_to_the_first_marked_line_and_names_the_item(
    open_session, stocked_plant
):
    plant = stocked_plant
    staff = _phone(open_session, "sam_staff")
    staff.go("/sales/bills/new/")
    page = staff.page
    page.select_option("#id_customer", str(plant.customer.pk))
    page.select_option("#id_lines-0-item", str(plant.cap.pk))
    page.fill("#id_lines-0-quantity", "10")
    page.fill("#id_lines-0-unit_price", "1.00")
    page.click("[data-add-row]")
    page.click("[data-add-row]")
    page.select_option("#id_lines-1-item", str(plant.bottle.pk))
    page.fill("#id_lines-1-quantity", "5")
    page.fill("#id_lines-1-unit_price", "5.00")
    page.select_option("#id_lines-2-item", str(plant.preform.pk))
    page.fill("#id_lines-2-quantity", "501")
    page.fill("#id_lines-2-unit_price", "2.00")
    page.click("button[name=submit]")
    expect(page.locator(".error-summary")).to_contain_text("Preform 500 ml, 18 g (line 3)")
    expect(page.locator("#id_lines-2-quantity")).to_be_focused()
    assert page.evaluate("document.activeElement.getBoundingClientRect().top") < 740
    expect(page.locator("#id_lines-2-quantity")).to_have_value("501")
    staff.shot("phone-bill-refused-360")
    assert Sale.objects.count() == 0


def test_the_bill_form_keeps_a_running_total_in_view_and_says_when_it_will_wait(open_session, stocked_plant):
    plant = stocked_plant
    staff = _phone(open_session, "sam_staff")
    staff.go("/sales/bills/new/")
    page = staff.page
    footer = page.locator("[data-running-total]")
    hint = page.locator("[data-approval-hint]")
    page.select_option("#id_customer", str(plant.customer.pk))
    page.select_option("#id_lines-0-item", str(plant.bottle.pk))
    page.fill("#id_lines-0-quantity", "900")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("5.00")
    expect(footer.locator("[data-running-total-value]")).to_have_text("4,500.00")
    expect(hint).to_be_hidden()
    # The footer is on the first screen while the top of the form is.
    box = footer.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740, box
    expect(page.locator("output[data-amount]").first).to_have_text("4,500.00")
    page.click("[data-add-row]")
    page.select_option("#id_lines-1-item", str(plant.cap.pk))
    page.fill("#id_lines-1-quantity", "300")
    page.fill("#id_lines-1-unit_price", "2.00")
    expect(footer.locator("[data-running-total-value]")).to_have_text("5,100.00")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("5,000.00")
    assert _scroll_width(page) <= 360
    assert _small_targets(page) == []
    staff.shot("phone-bill-form-360")
    page.click("button[name=submit]")
    expect(page.locator("h1")).to_contain_text("Bill awaiting approval")
    assert Sale.objects.get().status == "pending"  # the server agreed
    _both_widths(open_session, "sam_staff", "/sales/bills/new/", "bill-form")


def test_unposted_documents_are_named_by_their_state_and_posted_ones_by_number(open_session, stocked_plant):
    plant = stocked_plant
    staff = _user("sam_staff")
    draft = plant.sell(staff, (plant.bottle, 1, "5.00"), submit=False)
    pending = plant.sell(staff, (plant.bottle, 1100, "5.00"))
    posted = plant.sell(staff, (plant.bottle, 2, "5.00"))
    manager = _phone(open_session, "mia_manager")
    rejected = plant.sell(staff, (plant.bottle, 1001, "5.00"))
    from documents import lifecycle

    lifecycle.reject(document=rejected, by=_user("mia_manager"), reason="Too many")
    manager.go(f"/sales/bills/{draft.pk}/")
    expect(manager.page.locator("h1")).to_contain_text(f"Draft bill, ref. {draft.pk}")
    manager.go(f"/sales/bills/{rejected.pk}/")
    expect(manager.page.locator("h1")).to_contain_text(f"Rejected bill, ref. {rejected.pk}")
    manager.go("/sales/bills/")
    names = manager.page.locator("table.doc-list tbody td:first-child a").all_inner_texts()
    assert set(names) == {
        f"Draft bill, ref. {draft.pk}",
        f"Bill awaiting approval, ref. {pending.pk}",
        f"Bill {posted.number}",
        f"Rejected bill, ref. {rejected.pk}",
    }
    assert not any("#" in name for name in names)
    assert _small_targets(manager.page) == []
    manager.shot("phone-bill-list-360")
    manager.go("/inventory/approvals/")
    expect(manager.page.locator(".approval-card h3")).to_have_text(
        [f"Bill awaiting approval, ref. {pending.pk}"]
    )
    _both_widths(open_session, "mia_manager", "/sales/bills/", "bill-list")
    _both_widths(open_session, "mia_manager", "/inventory/approvals/", "approvals")


def test_the_staff_dashboard_opens_with_the_four_actions_and_dates_are_day_first(open_session, stocked_plant):
    staff = _phone(open_session, "sam_staff")
    staff.go("/")
    actions = staff.page.locator(".quick-actions a")
    expect(actions).to_have_text(["New bill", "New run", "New purchase", "New payment"])
    box = actions.first.bounding_box()
    assert box["y"] + box["height"] <= 740 and box["height"] >= 44
    expect(staff.page.locator("main")).to_contain_text(f"{timezone.localdate():%d/%m/%Y}")
    assert _scroll_width(staff.page) <= 360
    staff.shot("phone-dashboard-staff-360")
    actions.first.click()
    expect(staff.page.locator("h1")).to_have_text("New bill")
    _both_widths(open_session, "sam_staff", "/", "dashboard-staff")


def test_touch_targets_in_forms_and_tables_are_at_least_44_px(open_session, stocked_plant):
    plant = stocked_plant
    draft = plant.sell(_user("sam_staff"), (plant.bottle, 1, "5.00"), submit=False)
    staff = _phone(open_session, "sam_staff")
    for path in (
        "/sales/bills/new/",
        f"/sales/bills/{draft.pk}/edit/",
        f"/sales/bills/{draft.pk}/",
        "/sales/bills/",
        "/purchasing/purchases/new/",
        "/production/runs/new/",
    ):
        staff.go(path)
        if "new" in path or "edit" in path:
            staff.page.click("[data-add-row]")  # a second line, with its "Remove"
        assert _small_targets(staff.page) == [], path
        assert _scroll_width(staff.page) <= 360, path
    remove = staff.page.locator("label.remove").first.bounding_box()
    cancel = staff.page.get_by_role("link", name="Cancel").bounding_box()
    assert remove["height"] >= 44 and cancel["height"] >= 44
    staff.shot("phone-run-form-360")
    assert staff.errors == []
