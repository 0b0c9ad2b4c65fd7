"""The cash book's write side: accounts kept by Managers, and the day-end closing of an account.

A closing states the cash counted at the end of a day; posting it fixes what the book said
(``expected``) and books the difference (counted − expected) to the account, so the book's balance
after it is the cash counted. Refused for a day that already has one.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts import roles
from accounts.models import User
from cashbook import flows, selectors
from cashbook.models import Account, AccountKind, CashClosing, Method
from core.bounds import MAX_PAYMENT
from core.errors import InvalidDocument, NotAllowed
from core.money import money
from documents import approval, dates, lifecycle
from documents.dates import check_date
from documents.drafts import money_problem
from documents.models import DocumentStatus
from inventory import period_lock

ACCOUNT_FIELDS = ("name", "kind", "opening_balance", "opening_date", "default_for", "is_active")


@transaction.atomic
def save_account(*, by: User, account: Account | None = None, **fields: Any) -> Account:
    """Accounts are master data: Managers keep them. The opening balance and date may be set or
    corrected (history shows it) only as ``_opening_refusals`` allows: never inside a closed period,
    never so that an entry of the account falls before its book starts."""
    if not roles.can_manage_master_data(by):
        raise NotAllowed(f"{by} may not change accounts.")
    account = account or Account()
    before = (
        Account.objects.filter(pk=account.pk).values("opening_balance", "opening_date").first()
        if account.pk
        else None
    )
    for name, value in fields.items():
        if name not in ACCOUNT_FIELDS:
            raise TypeError(f"unknown account field {name}")
        setattr(account, name, value)
    errors: dict[str, list[str]] = {}
    if not (account.name or "").strip():
        errors["name"] = ["Enter a name."]
    elif Account.objects.filter(name=account.name).exclude(pk=account.pk).exists():
        errors["name"] = [f"Another account is already called {account.name!r}."]
    if account.kind not in AccountKind.values:
        errors["kind"] = ["Choose cash, bank or UPI."]
    if problem := _opening_problem(account.opening_balance):
        errors["opening_balance"] = [problem]
    if not isinstance(account.opening_date, date):
        errors["opening_date"] = ["Enter the date the book starts."]
    if account.default_for in ("", None):
        account.default_for = None
    elif account.default_for not in Method.values:
        errors["default_for"] = ["Choose a payment method."]
    else:
        other = Account.objects.filter(default_for=account.default_for).exclude(pk=account.pk).first()
        if other is not None:
            errors["default_for"] = [f"{other} already takes {account.get_default_for_display()} money."]
    if not errors:
        errors.update(_opening_refusals(account, before))
    if errors:
        raise InvalidDocument(fields=errors)
    account.opening_balance = money(account.opening_balance)
    lifecycle.save_as(account, by)
    return account


def _opening_refusals(account: Account, before: dict | None) -> dict[str, list[str]]:
    """The rule for an account's opening balance and date, set on a new account or changed later:

    - the opening date, and on a change the date it had, must lie after the latest closed period
      (a closed period's balances are final);
    - neither changes once a day-end closing of the account is posted (its expected figure was
      worked from them);
    - a later opening date may not leave an entry of the account behind it (it would drop out of
      the book: a balance counts only the entries from the opening date on). Entries dated before
      the date the book started are no bar: they are the history its opening balance sums up
      (``cashbook.book_start``), so a new account, or a corrected opening balance, is never refused
      for money recorded by its method before it was opened.
    """
    now = {"opening_balance": money(account.opening_balance), "opening_date": account.opening_date}
    if before == now:
        return {}
    period_lock.share()  # as a posting does: a close cannot slip in between this check and the save
    through = dates.closed_through()
    moved = before is None or before["opening_date"] != account.opening_date
    field = "opening_date" if moved else "opening_balance"  # the column the change was made in
    touched = [account.opening_date] + ([before["opening_date"]] if before is not None else [])
    for when in touched:
        if through is not None and when <= through:
            return {
                field: [
                    f"{when.isoformat()} is in a closed period (closed through {through.isoformat()}): "
                    "the opening balance and date of a closed period cannot change."
                ]
            }
    if before is not None:
        # A posted closing fixed its expected figure from this opening: refused rather than
        # recomputed, as money dated into a counted day is (``closed_days``): a counted day stays
        # as counted, and its difference was owned then. The account row is the closings' lock.
        Account.objects.select_for_update().get(pk=account.pk)
        counted = (
            CashClosing.objects.filter(account_id=account.pk, status=DocumentStatus.POSTED)
            .order_by("-date")
            .first()
        )
        if counted is not None:
            return {
                field: [
                    f"{account} was counted on {counted.date.isoformat()} ({counted.number}, expected "
                    f"{counted.expected}) from this opening; cancel its closings first, then change the "
                    "opening balance or date."
                ]
            }
    if before is not None and account.opening_date > before["opening_date"]:
        earlier = flows.entries(before["opening_date"], account.opening_date - timedelta(days=1), account.pk)
        if earlier:
            first = earlier[0]
            return {
                "opening_date": [
                    f"{account} has {len(earlier)} entr{'y' if len(earlier) == 1 else 'ies'} dated before "
                    f"{account.opening_date.isoformat()} (the first {first['number']} on "
                    f"{first['date'].isoformat()}); the book cannot start after them."
                ]
            }
    return {}


def _opening_problem(value: Any) -> str | None:
    """An opening balance may be negative (an overdrawn bank account) and as large as a document's
    total (a bank balance is not bounded like one price)."""
    if isinstance(value, Decimal) and value.is_finite() and value < 0:
        value = -value
    return money_problem(value, below=MAX_PAYMENT)


def payment_problems(*, method: str, account: Account | None) -> dict[str, list[str]]:
    """What is wrong with how a payment or an expense moves its money, by field: customer payments,
    supplier payments and expenses check it alike (``Method`` has the values of every form's choices)."""
    problems: dict[str, list[str]] = {}
    if method not in Method.values:
        problems["method"] = ["Choose a payment method."]
    if account is not None and not account.is_active:
        problems["account"] = [f"{account} is not an active account."]
    return problems


def record_cash_closing(
    *,
    by: User,
    account: Account,
    counted: Decimal,
    date: date | None = None,
    notes: str = "",
    request_key: uuid.UUID | None = None,
) -> CashClosing:
    """Close an account's day with the money counted; posted at once, or approved by a second
    person when the difference is over CASH_CLOSING_APPROVAL_THRESHOLD."""
    lifecycle.require_may_enter(CashClosing, by)
    check_date(date, model=CashClosing, optional=True)
    if account is None or not account.is_active:
        raise InvalidDocument(fields={"account": ["Choose an active account."]})
    problem = money_problem(counted)
    if problem:
        raise InvalidDocument(fields={"counted": [problem]})

    def create() -> CashClosing:
        closing = CashClosing(
            account=account, counted=money(counted), notes=notes, created_by=by, request_key=request_key
        )
        if date is not None:
            closing.date = date
        closing.total = closing.counted
        _check_day(closing)
        lifecycle.save_as(closing, by)
        return lifecycle.submit(document=closing, by=by, locked=True)

    return lifecycle.create_once(CashClosing, request_key, create)


def _check_day(closing: CashClosing) -> None:
    if closing.date < closing.account.opening_date:
        raise InvalidDocument(
            fields={
                "date": [f"{closing.account}'s book starts on {closing.account.opening_date.isoformat()}."]
            }
        )
    taken = CashClosing.objects.filter(
        account_id=closing.account_id,
        date=closing.date,
        status__in=[DocumentStatus.POSTED, DocumentStatus.PENDING],
    ).exclude(pk=closing.pk)
    if taken.exists():
        raise InvalidDocument(
            fields={"date": [f"{closing.account} is already closed for {closing.date.isoformat()}."]}
        )


def _expected(closing: CashClosing) -> Decimal:
    return selectors.balance(closing.account, closing.date)


def _post_closing(posting: lifecycle.PostingContext) -> None:
    closing = posting.document
    # The account row is the closing's lock: two closings of one account post one after the other.
    Account.objects.select_for_update().get(pk=closing.account_id)
    _check_day(closing)
    closing.expected = _expected(closing)
    closing.difference = closing.counted - closing.expected


def _closing_approval(closing: CashClosing) -> str | None:
    difference = closing.counted - _expected(closing)
    return approval.over_limit(
        "difference", abs(difference), settings.CASH_CLOSING_APPROVAL_THRESHOLD, f" ({closing.account})"
    )


lifecycle.register(
    CashClosing,
    lifecycle.DocumentRules(
        verbose="cash closing",
        post=_post_closing,
        approval_reason=_closing_approval,
        before_pending=lambda posting: _check_day(posting.document),
        moves_stock=False,
    ),
)


def _closings(start: date | None, end: date | None):
    docs = CashClosing.objects.filter(status=DocumentStatus.POSTED).exclude(difference=0)
    if start is not None:
        docs = docs.filter(date__gte=start)
    if end is not None:
        docs = docs.filter(date__lte=end)
    return docs


flows.register(
    flows.MoneyFlow(
        name="cash_closing",
        label="Day-end difference",
        direction=flows.IN,  # the difference carries its sign: over (+) or short (−)
        documents=_closings,
        amount="difference",
        party="account__name",
        method="",
        model=CashClosing,
        day_end=True,
    )
)
