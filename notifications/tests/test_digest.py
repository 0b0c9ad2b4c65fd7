"""The daily digest: its figures are the reports' figures for the same day, it reaches the Owner
(and Managers who opt in) once a day over SMTP, and costs only reach those who may see them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications import digest
from notifications.models import AlertPreferences, OutboxMail
from reporting.periods import Period
from reporting.reports import customers, production, profit_loss
from reporting.reports import dashboard as dashboard_figures
from reporting.reports.exceptions import count_findings
from reporting.tests.conftest import month  # noqa: F401 - the shared month of a small plant
from sales.models import Customer
from sales.services import record_payment, save_customer

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize("which", ["early", "mid", "today"])
def test_the_digest_figures_equal_the_reports_for_the_same_day(month, owner_user, which):  # noqa: F811
    day = month[which]
    period = Period(day, day)
    got = digest.figures(day, owner_user)
    sales = profit_loss.build(period, "month").table("by_period").totals
    made = production.build(period, "item", "month").tables[0].totals
    per_customer = customers.build(period).table("customers").totals
    assert got["revenue"] == sales["revenue"]
    assert got["gross_profit"] == sales["gross_profit"]
    assert got["margin"] == sales["margin"]
    assert got["bills"] == per_customer["bills"]
    assert got["cash_collected"] == per_customer["paid"]
    assert got["bottles_made"] == made["good"]
    assert got["rejects"] == made["rejects"]
    assert got["yield"] == made["yield"]
    assert {r["reason"]: r["quantity"] for r in got["rejects_by_reason"]} == {
        label: made[f"reject_{value}"]
        for value, label in production.RejectReason.choices
        if made[f"reject_{value}"]
    }
    board = dashboard_figures.compute(owner_user)
    assert got["pending"] == board["pending_approvals"]
    assert [i["sku"] for i in got["low_stock"]] == board["low_stock"]


def test_the_digest_has_figures_on_a_day_with_a_run_and_a_bill(month, owner_user):  # noqa: F811
    got = digest.figures(month["early"], owner_user)
    assert got["revenue"] == D("1180.00") and got["bills"] == 1
    assert got["bottles_made"] == 900 and got["rejects"] == 100 and got["yield"] == D("90.00")
    assert got["cash_collected"] == D("0.00")
    assert digest.figures(month["mid"], owner_user)["cash_collected"] == D("600.00")


def test_with_thirty_credit_days_the_overdue_total_is_the_ageing_past_thirty_days(month, owner_user):  # noqa: F811
    day = month["today"] + timedelta(days=25)  # the first bill is then 65 days old, the last 25
    got = digest.figures(day, owner_user)
    ageing = customers.build(Period(day, day)).table("ageing").totals
    # The ageing is per bill with money on account beside it; the digest sets that money against
    # the overdue bills (Blue Springs' 50 paid without a bill).
    past_terms = ageing["days_31_60"] + ageing["days_61_90"] + ageing["days_over_90"]
    assert got["overdue_total"] == past_terms + ageing["on_account"]
    # Aqua Traders: 1180 billed 65 days ago, 600 paid, 650 billed 25 days ago; Blue Springs: 350
    # billed 45 days ago, 50 paid.
    assert got["overdue"] == [
        {"customer": "Aqua Traders", "credit_days": 30, "overdue": D("580.00"), "outstanding": D("1230.00")},
        {"customer": "Blue Springs", "credit_days": 30, "overdue": D("300.00"), "outstanding": D("300.00")},
    ]
    assert got["overdue_total"] == D("880.00")


def test_staff_never_see_gross_profit_in_a_digest(month, staff_user):  # noqa: F811
    got = digest.figures(month["early"], staff_user)
    assert "gross_profit" not in got and "margin" not in got
    _subject, text, html = digest.render(month["early"], staff_user)
    assert "Gross profit" not in text and "Gross profit" not in html


def test_the_digest_counts_the_exceptions_reports_findings_for_the_day(month, owner_user, staff_user, plant):  # noqa: F811
    day = month["today"]
    before = digest.figures(day, owner_user)["exceptions"]
    assert before == count_findings(day, day)
    plant.sell(staff_user, (plant.bottle, 5, "1.00"), date=day)  # below the bottle's cost of 2.70
    after = digest.figures(day, owner_user)["exceptions"]
    assert after == count_findings(day, day) and after > before
    _subject, text, html = digest.render(day, owner_user)
    link = f"/reports/exceptions/?start={day.isoformat()}&end={day.isoformat()}"
    assert f"New exceptions:        {after}" in text and link in text
    assert link.replace("&", "&amp;") in html and f">{after}</a>" in html


def test_send_digest_mails_the_owner_once_and_managers_only_when_they_opt_in(
    month,  # noqa: F811
    addresses,
    smtp,
):
    day = month["early"].isoformat()
    call_command("send_digest", date=day)
    call_command("send_digest", date=day)  # cron ran twice: nothing twice
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["olga_owner@plant.example"]
    message = smtp.messages[0]
    assert day in message["Subject"]
    text, html = smtp.text(message), smtp.html(message)
    assert "Revenue:               1180.00" in text and "Bottles made:          900" in text
    assert "Gross profit" in text and 'id="digest-profit"' in html
    assert f"https://plant.example/digest/?date={day}" in text
    AlertPreferences.objects.create(user=addresses["mia"], digest=True)
    call_command("send_digest", date=day)
    assert [m["X-Envelope-To"] for m in smtp.messages][1:] == ["mia_manager@plant.example"]
    assert OutboxMail.objects.filter(kind="digest").count() == 2


def test_send_digest_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_digest", date="yesterday")
    with pytest.raises(CommandError, match="between"):
        call_command("send_digest", date="9999-12-31")


def test_the_digest_page_is_for_the_owner_and_managers(month, owner_client, staff_client):  # noqa: F811
    url = reverse("notifications:digest")
    page = owner_client.get(url, {"date": month["early"].isoformat()})
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="digest-revenue">1,180.00' in body and 'id="digest-profit"' in body
    assert 'id="digest-exceptions"><a href="/reports/exceptions/?start=' in body
    assert staff_client.get(url).status_code == 403
    bad = owner_client.get(url, {"date": "31/12/2026"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


@pytest.fixture
def terms(plant, staff_user, manager_user):
    """Customers on different credit terms, as of the end of today.

    Net 30: bills of 1000 (45 days ago) and 400 (10 days ago), 300 paid 5 days ago. Cash (0 days):
    a bill of 100 today. In credit: 100 billed 45 days ago, 150 paid. Within terms: 200 billed 10
    days ago on 30 days.
    """
    today = timezone.localdate()
    ago = lambda n: today - timedelta(days=n)  # noqa: E731
    plant.buy(staff_user, (plant.bottle, 1000, "3.00"), date=ago(60))
    net_30 = save_customer(by=manager_user, name="Net Thirty", credit_days=30)
    cash = save_customer(by=manager_user, name="Cash Counter", credit_days=0)
    in_credit = save_customer(by=manager_user, name="Paid Ahead", credit_days=30)
    within = save_customer(by=manager_user, name="Within Terms", credit_days=30)
    plant.sell(staff_user, (plant.bottle, 100, "10.00"), customer=net_30, date=ago(45))
    plant.sell(staff_user, (plant.bottle, 40, "10.00"), customer=net_30, date=ago(10))
    record_payment(by=staff_user, customer=net_30, amount=D("300.00"), method="cash", date=ago(5))
    plant.sell(staff_user, (plant.bottle, 10, "10.00"), customer=cash, date=today)
    plant.sell(staff_user, (plant.bottle, 10, "10.00"), customer=in_credit, date=ago(45))
    record_payment(by=staff_user, customer=in_credit, amount=D("150.00"), method="cash", date=ago(40))
    plant.sell(staff_user, (plant.bottle, 20, "10.00"), customer=within, date=ago(10))
    return today


def test_a_customer_is_overdue_by_what_they_owe_beyond_their_credit_days(terms):
    rows, total = digest.overdue(terms)
    assert rows == [
        # 1400 billed − 300 paid = 1100 owed; the 400 bill is within 30 days: the old bill's unpaid 700.
        {"customer": "Net Thirty", "credit_days": 30, "overdue": D("700.00"), "outstanding": D("1100.00")},
        # Cash: due at once, so today's bill is overdue tonight.
        {"customer": "Cash Counter", "credit_days": 0, "overdue": D("100.00"), "outstanding": D("100.00")},
    ]  # neither the customer in credit (−50) nor the one within terms is listed
    assert total == D("800.00")


def test_longer_credit_days_take_a_customer_off_the_list(terms, manager_user):
    net_30 = Customer.objects.get(name="Net Thirty")
    save_customer(by=manager_user, customer=net_30, credit_days=46)
    rows, total = digest.overdue(terms)
    assert [r["customer"] for r in rows] == ["Cash Counter"] and total == D("100.00")
    save_customer(by=manager_user, customer=net_30, credit_days=45)  # the 1000 bill is 45 days old
    assert digest.overdue(terms)[0][0]["overdue"] == D("700.00")


def test_the_overdue_list_costs_one_query_per_credit_term_not_per_customer(
    terms, plant, staff_user, manager_user, django_assert_num_queries
):
    # outstanding at the day (2), the owing customers (1), one grouped sum for the 30-day term.
    with django_assert_num_queries(4):
        digest.overdue(terms)
    for n in range(5):
        customer = save_customer(by=manager_user, name=f"Shop {n}", credit_days=30)
        plant.sell(staff_user, (plant.bottle, 1, "10.00"), customer=customer, date=terms - timedelta(days=40))
    with django_assert_num_queries(4):
        assert len(digest.overdue(terms)[0]) == 7


def test_the_digest_page_and_mail_list_customers_past_their_credit_days(terms, owner_client, owner_user):
    day = terms.isoformat()
    body = owner_client.get(reverse("notifications:digest"), {"date": day}).content.decode()
    assert "Past their credit days" in body and 'id="digest-overdue">800.00' in body
    assert '<td>Net Thirty</td><td align="right">30</td><td align="right">700.00</td>' in body
    assert '<td>Cash Counter</td><td align="right">0</td><td align="right">100.00</td>' in body
    assert "Paid Ahead" not in body and "60 days" not in body
    _subject, text, html = digest.render(terms, owner_user)
    assert "Overdue:               800.00" in text and "Past their credit days:" in text
    assert "  Net Thirty (30 days): 700.00 overdue (1100.00 in all)" in text
    assert "  Cash Counter (0 days): 100.00 overdue (100.00 in all)" in text
    assert "Past their credit days" in html and "Paid Ahead" not in text + html


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_the_digest_page_refuses_a_day_outside_the_reports_range_and_keeps_it(terms, owner_client, day):
    page = owner_client.get(reverse("notifications:digest"), {"date": day})
    assert page.status_code == 400
    body = page.content.decode()
    assert "Choose a date between" in body and f'value="{day}"' in body
