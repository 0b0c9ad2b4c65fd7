"""An account opened on a date with a balance has no entries before that date: the opening balance
is the money held at the start of that day, so what came in or went out earlier is already in it.

Money dated before its account's opening date (named, or booked to the account kept for its
method) is therefore refused when posted or approved: the book would never show it, and its
balance would not move. Entries already dated before an account opened (money recorded by method
before any account took that method, e.g. before going live) stay where they are: they are the
history the opening balance sums up, not the account's entries, and they bar nothing (see
``cashbook.services._opening_refusals``). Cancelling such money is no concern of the book.
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


def _booked(model: type, documents: Sequence) -> list[tuple[int, object]]:
    """(account id, document) for each document of ``model`` that moves money into a book."""
    model_flows = [flow for flow in flows.flows() if flow.model is model]
    if not model_flows:
        return []
    defaults = dict(Account.objects.exclude(default_for=None).values_list("default_for", "pk"))
    booked = []
    for flow in model_flows:
        for document in documents:
            account_id = getattr(document, flow.account) if flow.account else None
            if not account_id and flow.method:
                account_id = defaults.get(getattr(document, flow.method))
            if account_id:
                booked.append((account_id, document))
    return booked


def refuse_before_opening(posting: lifecycle.PostingContext) -> None:
    """Refuse posting money dated before its account's opening date (see the module)."""
    if posting.sign < 0:
        return
    refuse_many_before_opening(type(posting.document), [posting.document], posting.by)


def refuse_many_before_opening(model: type, documents: Sequence, by) -> None:
    """The same for a batch posted at once (``sales.bulk``): two queries, however many."""
    booked = _booked(model, documents)
    if not booked:
        return
    accounts = Account.objects.in_bulk({account_id for account_id, _ in booked})
    for account_id, document in booked:
        account = accounts[account_id]
        if document.date < account.opening_date:
            _refuse(account, document)
