"""The daily digest: one day's figures for the Owner and the Managers, as a mail and a page.

Every figure comes from the same reads the reports use (profit & loss totals, the production
report's totals, the customer balances the receivables ageing reads), so the digest and the reports
never disagree. Gross profit and margin are only in a digest built for someone who may see costs.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from documents import lifecycle
from documents.models import DocumentStatus
from notifications import alerts, findings, outbox, preferences
from notifications.models import MailKind
from production.models import RejectReason
from reporting.models import SalesCustomerDay
from reporting.periods import Period
from reporting.reports import customers, production, profit_loss
from reporting.tables import money
from sales.models import Customer


def yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def pending_documents() -> int:
    return sum(
        model.objects.filter(status=DocumentStatus.PENDING).count() for model in lifecycle.registered_models()
    )


def overdue(day: date) -> tuple[list[dict[str, Any]], Any]:
    """Customers past their credit days at the end of ``day``, and the total they are overdue by.

    Receivables are balance forward (payments settle the oldest bills first), so what a customer
    owes beyond their bills of the last ``credit_days`` days (``day`` included) is overdue:
    max(0, outstanding − Σ those bills). A bill is overdue from the end of the day ``credit_days``
    after its date, as a cash (0-day) bill is from the end of its own day.
    """
    owed = {pk: amount for pk, amount in customers.outstanding_at(day).items() if amount > 0}
    owing = Customer.objects.filter(pk__in=owed).values_list("pk", "name", "credit_days")
    names, terms, by_terms = {}, {}, defaultdict(list)
    for pk, name, credit_days in owing:
        names[pk], terms[pk] = name, credit_days
        by_terms[credit_days].append(pk)
    # One grouped sum per distinct credit term (a plant has a handful), not one query per customer.
    within: dict[int, Any] = {}
    for credit_days, ids in by_terms.items():
        if credit_days == 0:
            continue  # no bill is within terms
        within.update(
            SalesCustomerDay.objects.filter(
                customer_id__in=ids, date__gt=day - timedelta(days=credit_days), date__lte=day
            )
            .values("customer_id")
            .annotate(billed=Sum("revenue"))
            .values_list("customer_id", "billed")
        )
    rows = []
    for pk, name in names.items():
        late = owed[pk] - money(within.get(pk))
        if late > 0:
            rows.append(
                {"customer": name, "credit_days": terms[pk], "overdue": late, "outstanding": owed[pk]}
            )
    rows.sort(key=lambda r: (-r["overdue"], r["customer"]))
    return rows, sum((r["overdue"] for r in rows), money(0))


def figures(day: date, user) -> dict[str, Any]:
    """The digest of ``day`` as ``user`` may read it."""
    period = Period(day, day)
    show_costs = roles.can_see_costs(user)
    sales = profit_loss.totals(period)
    bills = SalesCustomerDay.objects.filter(date=day).aggregate(bills=Sum("bills"), paid=Sum("paid"))
    made = production.build(period, "item", "day").tables[0].totals
    late, late_total = overdue(day)
    data: dict[str, Any] = {
        "day": day,
        "bills": int(bills["bills"] or 0),
        "revenue": sales["revenue"],
        "bottles_made": made["good"],
        "rejects": made["rejects"],
        "yield": made["yield"],
        "rejects_by_reason": [
            {"reason": label, "quantity": made[f"reject_{value}"]}
            for value, label in RejectReason.choices
            if made[f"reject_{value}"]
        ],
        "cash_collected": money(bills["paid"]),
        "overdue": late,
        "overdue_total": late_total,
        "low_stock": list(alerts.below_reorder_level()),
        "pending": pending_documents(),
        "exceptions": findings.new_exceptions(day),
        "show_costs": show_costs,
        "currency": settings.CURRENCY,
    }
    if show_costs:
        data["gross_profit"] = sales["gross_profit"]
        data["margin"] = sales["margin"]
    return data


def links(day: date) -> dict[str, str]:
    return {
        "approvals": alerts.absolute(reverse("documents:approvals")),
        "page": alerts.absolute(reverse("notifications:digest")),
        "exceptions": alerts.absolute(findings.exceptions_url(day)),
    }


def render(day: date, user) -> tuple[str, str, str]:
    """(subject, text, html) of the digest mail for ``user``."""
    context = {"data": figures(day, user), "links": links(day), "user": user}
    subject = f"Bottleworks digest for {day.isoformat()}"
    return (
        subject,
        render_to_string("notifications/mail/digest.txt", context),
        render_to_string("notifications/mail/digest.html", context),
    )


def queue(day: date) -> int:
    """Queue the digest of ``day`` for everyone who gets it, once per person and day."""
    people = preferences.recipients("digest")
    for user in people:
        subject, text, html = render(day, user)
        outbox.enqueue(
            kind=MailKind.DIGEST,
            key=f"digest:{day.isoformat()}:{user.pk}",
            recipients=[user.email],
            subject=subject,
            text=text,
            html=html,
            send=False,
        )
    return len(people)
