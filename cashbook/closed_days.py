"""A day-end closing fixes what the book said (``expected``) and the difference; money dated on or
before a closed day of its account would change that figure after the cash was counted. So every
money flow's posting, approval and cancelling is refused when its account is closed on or after the
document's date: the fix is a new document dated after the closing, or cancelling the closing first
(the plant's rule: a counted day stays as counted).

Race: a payment checks "no closing yet" and a closing reads the book; without a lock between them a
payment that checked just before the closing was posted would commit after it. So every money
posting takes its account's lock *shared* (money postings never wait on each other) before it
checks, and a closing takes it *exclusively*: the closing waits for payments already past their
check, and later ones wait for it, then see it and are refused. PostgreSQL: a transaction-level
advisory lock on (this key, the account id). SQLite runs writes one at a time; nothing to take.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.db import connection
from django.db.models import Max

from cashbook import flows
from cashbook.models import Account, CashClosing
from core.errors import InvalidDocument
from documents import lifecycle
from documents.models import DocumentStatus

# The first half of the two-key advisory lock: "Cash" in ASCII; the second is the account id.
CASH_DAY_LOCK_KEY = 0x43617368


def _lock(account_id: int, *, exclusively: bool) -> None:
    if connection.vendor == "postgresql":
        call = "pg_advisory_xact_lock" if exclusively else "pg_advisory_xact_lock_shared"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {call}(%s, %s)", [CASH_DAY_LOCK_KEY, account_id])


def _book_account(flow: flows.MoneyFlow, document) -> int | None:
    named = getattr(document, flow.account) if flow.account else None
    if named:
        return named
    method = getattr(document, flow.method) if flow.method else None
    if not method:
        return None
    return Account.objects.filter(default_for=method).values_list("pk", flat=True).first()


def refuse_closed_day(posting: lifecycle.PostingContext) -> None:
    """Refuse money dated on or before its account's latest posted closing (see the module).

    Guards every document type: the flows are registered by the apps above the cash book, after
    this one is ready, so which types move money is asked at each posting (a few flows, no query
    for a document that moves none)."""
    document = posting.document
    for flow in flows.flows():
        if flow.model is not type(document):
            continue
        account_id = _book_account(flow, document)
        if account_id is None:
            continue  # no account takes it, so no closing counted it
        _lock(account_id, exclusively=isinstance(document, CashClosing))
        closings = CashClosing.objects.filter(
            account_id=account_id, status=DocumentStatus.POSTED, date__gte=document.date
        )
        if isinstance(document, CashClosing):
            closings = closings.exclude(pk=document.pk)  # a closing being cancelled is no bar to itself
        closed = closings.select_related("account").order_by("-date").first()
        if closed is not None:
            _refuse(closed, document, posting.sign)


def _refuse(closed: CashClosing, document, sign: int) -> None:
    doing = "cancelled" if sign < 0 else "dated"
    raise InvalidDocument(
        f"{closed.account} is closed up to {closed.date.isoformat()} ({closed.number}): money "
        f"{doing} on {document.date.isoformat()} would change what that closing counted. "
        f"Date it after {closed.date.isoformat()}, or cancel the closing first.",
        fields={"date": [f"{closed.account} is closed up to {closed.date.isoformat()}."]},
    )


def refuse_closed_days(model: type, documents: Sequence, by) -> None:
    """``refuse_closed_day`` for a batch posted at once (``sales.bulk``): the accounts kept for
    each method read once, each account's lock taken once (in id order) and its latest posted
    closing read once, instead of three statements a document."""
    model_flows = [flow for flow in flows.flows() if flow.model is model]
    if not documents or not model_flows:
        return  # e.g. bills: they move no money, so no query
    defaults = dict(Account.objects.exclude(default_for=None).values_list("default_for", "pk"))
    booked: dict[int, list] = defaultdict(list)
    for flow in model_flows:
        for document in documents:
            account_id = getattr(document, flow.account) if flow.account else None
            if not account_id and flow.method:
                account_id = defaults.get(getattr(document, flow.method))
            if account_id:
                booked[account_id].append(document)
    if not booked:
        return
    for account_id in sorted(booked):
        _lock(account_id, exclusively=model is CashClosing)
    closed_to = dict(
        CashClosing.objects.filter(account_id__in=booked, status=DocumentStatus.POSTED)
        .values("account_id")
        .annotate(last=Max("date"))
        .values_list("account_id", "last")
        .order_by()
    )
    for account_id, last in closed_to.items():
        for document in booked[account_id]:
            if document.date <= last:
                closed = (
                    CashClosing.objects.select_related("account")
                    .filter(account_id=account_id, status=DocumentStatus.POSTED, date=last)
                    .first()
                )
                _refuse(closed, document, 1)
