"""An account opened on a date with a balance has no entries before that date: the opening balance
is the money held at the start of that day, so what came in or went out earlier is already in it.

So the book starts at the opening date, and:

- money that names the account, dated before its opening date, is refused when posted or
  approved (the book would never show it, and the balance would not move);
- money that names no account, booked by its method to the account kept for that method, is the
  account's only from its opening date on. Money of that method dated earlier (recorded before any
  account took the method, or before going live: the demo's cash book starts with its day-end
  counts) is the history the opening balance sums up. It stays outside the book, is not refused,
  and bars nothing (see ``cashbook.services._opening_refusals``).

Cancelling money is no concern of the book's start.
"""

from __future__ import annotations

from collections.abc import Sequence

from cashbook import flows
from cashbook.models import Account
from core.errors import InvalidDocument
from documents import lifecycle


def _refuse(account: Account, document) -> None:
    raise InvalidDocument(
        f"{account}'s book starts on {account.opening_date.isoformat()} with its opening balance: money "
        f"dated {document.date.isoformat()} is before it. Date it on or after "
        f"{account.opening_date.isoformat()}, or book it to another account.",
        fields={"date": [f"{account}'s book starts on {account.opening_date.isoformat()}."]},
    )


def _named(model: type, documents: Sequence) -> list[tuple[int, object]]:
    """(account id, document) for each document of ``model`` naming the account it moves money in."""
    return [
        (account_id, document)
        for flow in flows.flows()
        if flow.model is model and flow.account
        for document in documents
        if (account_id := getattr(document, flow.account))
    ]


def refuse_before_opening(posting: lifecycle.PostingContext) -> None:
    """Refuse posting money dated before its account's opening date (see the module)."""
    if posting.sign < 0:
        return
    refuse_many_before_opening(type(posting.document), [posting.document], posting.by)


def refuse_many_before_opening(model: type, documents: Sequence, by) -> None:
    """The same for a batch posted at once (``sales.bulk``): one query, however many."""
    booked = _named(model, documents)
    if not booked:
        return
    accounts = Account.objects.in_bulk({account_id for account_id, _ in booked})
    for account_id, document in booked:
        account = accounts[account_id]
        if document.date < account.opening_date:
            _refuse(account, document)
