"""The daily digest: its figures are the reports' figures for the same day, it reaches the Owner
(and Managers who opt in) once a day over SMTP, and costs only reach those who may see them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from notifications import digest
from notifications.models import AlertPreferences, OutboxMail
from reporting.periods import Period
from reporting.reports import customers, production, profit_loss
from reporting.reports import dashboard as dashboard_figures
from reporting.reports.exceptions import count_findings
from reporting.tests.conftest import month  # noqa: F401 - the shared month of a small plant

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


def test_dues_over_sixty_days_equal_the_ageing_report(month, owner_user):  # noqa: F811
    day = month["today"] + timedelta(days=25)  # the first bill is then 65 days old
    got = digest.figures(day, owner_user)
    ageing = customers.build(Period(day, day)).table("ageing").totals
    assert got["overdue_total"] == ageing["days_61_90"] + ageing["days_over_90"]
    assert got["overdue_total"] > 0
    assert [c["customer"] for c in got["overdue"]] == ["Aqua Traders"]


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
