"""The one document lifecycle (DESIGN §5), shared by every document type.

    draft ──submit──▶ posted ──cancel (Manager, reason)──▶ cancelled
      │                 ▲
      └─submit, needs approval──▶ pending ──approve (Manager/Owner, not its creator or an editor)──┘
                                     └──reject (reason)──▶ rejected

Each document type registers its ``DocumentRules``: how to post it, which items it touches, why it
needs approval (by value, see ``documents.approval``). Everything else — state checks, permissions,
numbering, history, period locks — lives here once. What one posting needs (the document, who, its
lines, the stock rows locked for it) travels as one ``PostingContext``, handed to the rules and
observers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import roles
from accounts.models import User
from core import rows
from core.errors import DomainError, InsufficientStock, InvalidDocument, NotAllowed, WrongState
from documents import approval
from documents.models import Document, DocumentStatus
from documents.numbering import next_number
from inventory import ledger

log = logging.getLogger("bottleworks.audit")

D = TypeVar("D", bound=Document)

POST, CANCEL = 1, -1


@dataclass(frozen=True)
class PostingContext:
    """What one submit, posting or cancellation hands to its document type's rules and observers.

    ``lines`` are the document's lines, read once (or given by the service that built them in
    memory); ``balances`` the stock rows the lifecycle locked for it, by item id (empty before the
    locks are taken, and for types that move no stock).
    """

    document: Any
    by: User
    sign: int = POST  # +1 posts, −1 cancels
    lines: Sequence[Any] = ()
    balances: Mapping[int, Any] = field(default_factory=dict)


def _nothing(posting: PostingContext) -> None:
    return None


@dataclass(frozen=True)
class DocumentRules:
    verbose: str
    # Posts the document's stock and fixes its own figures (e.g. line costs). It either writes the
    # movements itself (``ledger.post``) and returns None, or returns them priced
    # (``ledger.price``) for the lifecycle to record once the document is stored.
    post: Callable[[PostingContext], ledger.PricedPosting | None]
    # The lines a posting works on, read once per submit or cancel (``PostingContext.lines``).
    lines: Callable[[Any], Sequence[Any]] = lambda document: ()
    touched_items: Callable[[PostingContext], Iterable[int]] = lambda posting: ()
    # Why the document must wait for a second person (the figures that decided it), or None: it
    # posts at once. Every type that moves money or stock value has a rule by value.
    approval_reason: Callable[[Any], str | None] = approval.total_over_limit
    may_enter: Callable[[User | None], bool] = roles.can_enter_data
    before_cancel: Callable[[PostingContext], None] = _nothing
    # Checks that need no stock lock (e.g. a customer's credit), run before any is taken.
    before_post: Callable[[PostingContext], None] = _nothing
    # Checks before a document waits for approval, so nobody approves what could never post.
    before_pending: Callable[[PostingContext], None] = _nothing
    moves_stock: bool = True
    # The rules work on a document not stored yet (its lines in memory, its movements returned
    # priced), so ``submit(write=...)`` can store it once, in the state it ends in.
    posts_unsaved: bool = False
    # For verify_ledger: (document id, item id, signed quantity) rows of every posted document.
    expected_quantities: Callable[[], Iterable[tuple[int, int, int]]] | None = None
    # For verify_ledger: breaches of the type's own invariants (e.g. a return beyond what was sold).
    breaches: Callable[[], Iterable[str]] | None = None


_RULES: dict[type, DocumentRules] = {}


def register(model: type[Document], rules: DocumentRules) -> None:
    _RULES[model] = rules


# Documents made against another one (a return against a bill) say here why that one may not be
# cancelled under them; the app that knows both registers, so imports keep flowing one way.
_CANCEL_GUARDS: dict[type, list[Callable[[Any], str | None]]] = {}


def guard_cancel(model: type[Document], why_not: Callable[[Any], str | None]) -> None:
    """``why_not(document)``: why a posted ``model`` document may not be cancelled now, or None."""
    guards = _CANCEL_GUARDS.setdefault(model, [])
    if why_not not in guards:
        guards.append(why_not)


# Rules a higher app holds over a lower one's documents, run whenever one is submitted, posted or
# cancelled (e.g. the cash book refuses money dated into a day already closed): after the period
# check and before any stock lock. Registered by the app that knows both, like ``guard_cancel``;
# a guard of no type in particular (``model=None``) sees every document and picks its own.
_POSTING_GUARDS: dict[type | None, list[Callable[[PostingContext], None]]] = {}
# A guard's batch form, for the bulk paths (``sales.bulk``): ``many(model, documents, by)`` checks
# a batch of one type in a few statements; a guard without one is run on each document.
_MANY_GUARDS: dict[Callable[[PostingContext], None], Callable[[type, Sequence[Any], User], None]] = {}


def guard_postings(
    check: Callable[[PostingContext], None],
    model: type[Document] | None = None,
    *,
    many: Callable[[type, Sequence[Any], User], None] | None = None,
) -> None:
    """``check(posting)`` raises a domain error when ``posting`` (+1 post, −1 cancel) may not be;
    ``many`` is the same rule for a batch posted at once (``guard_posted_many``)."""
    checks = _POSTING_GUARDS.setdefault(model, [])
    if check not in checks:
        checks.append(check)
    if many is not None:
        _MANY_GUARDS[check] = many


def _guards_for(model: type) -> tuple[Callable[[PostingContext], None], ...]:
    return (*_POSTING_GUARDS.get(None, ()), *_POSTING_GUARDS.get(model, ()))


def _guard(posting: PostingContext) -> None:
    for check in _guards_for(type(posting.document)):
        check(posting)


def guard_posted_many(model: type[Document], documents: Sequence[Any], by: User) -> None:
    """The posting guards for a batch posted without ``submit`` (the bulk paths): every rule a
    document posted one at a time meets, so no path posts what another would refuse."""
    for check in _guards_for(model):
        many = _MANY_GUARDS.get(check)
        if many is not None:
            many(model, documents, by)
        else:
            for document in documents:
                check(PostingContext(document=document, by=by))


def rules_for(document_or_model: Any) -> DocumentRules:
    model = document_or_model if isinstance(document_or_model, type) else type(document_or_model)
    return _RULES[model]


def registered_models() -> list[type[Document]]:
    return list(_RULES)


# Read models kept in step with the ledger (the reporting summaries) register a callback here. It
# runs inside the transaction that posts (``PostingContext.sign`` +1) or cancels (−1) a document,
# so they are never stale; it gets the same ``PostingContext`` the document's rules got.
_POSTING_OBSERVERS: list[Callable[[PostingContext], None]] = []


def observe_postings(callback: Callable[[PostingContext], None]) -> None:
    if callback not in _POSTING_OBSERVERS:
        _POSTING_OBSERVERS.append(callback)


def _notify(posting: PostingContext) -> None:
    for callback in _POSTING_OBSERVERS:
        callback(posting)


# The same read models, for documents posted in bulk (``sales.bulk``): told once per batch, with
# the type and the ids, inside the posting transaction, so a day of thousands of bills costs them a
# few statements instead of a few per bill.
_BULK_POSTING_OBSERVERS: list[Callable[[type, Sequence[int], int], None]] = []


def observe_bulk_postings(callback: Callable[[type, Sequence[int], int], None]) -> None:
    if callback not in _BULK_POSTING_OBSERVERS:
        _BULK_POSTING_OBSERVERS.append(callback)


def notify_posted_many(model: type[Document], ids: Sequence[int]) -> None:
    """Tell the observers that these documents of ``model`` were posted (bulk paths only)."""
    for callback in _BULK_POSTING_OBSERVERS:
        callback(model, ids, 1)


# Callbacks told, inside the submitting transaction, that a document went pending (e.g. to queue a
# mail to those who may approve it). Business rules stay in the services; these only observe.
_PENDING_OBSERVERS: list[Callable[[Any], None]] = []


def observe_pending(callback: Callable[[Any], None]) -> None:
    if callback not in _PENDING_OBSERVERS:
        _PENDING_OBSERVERS.append(callback)


def _notify_pending(document: Document) -> None:
    for callback in _PENDING_OBSERVERS:
        callback(document)


def save_as(instance: Any, by: User, **kwargs: Any) -> None:
    """Save and record ``by`` as the author of the history row (also outside a request)."""
    instance._history_user = by
    instance.save(**kwargs)


def store_new(document: Any, by: User) -> None:
    """Store a document submitted as it is created (the core of ``submit``'s ``write``).

    A posted one is written inside the posting's pipeline, so as plain rows with their history
    (``core.rows``), and the posting observers announce it; one waiting for approval is saved
    through the ORM, whose ``post_save`` announces it.
    """
    if document.status == DocumentStatus.POSTED:
        rows.insert_with_history([document], by)
    else:
        save_as(document, by)


def _lock(document: D) -> D:
    return type(document).objects.select_for_update().get(pk=document.pk)


def _expect(document: Document, status: str, action: str) -> None:
    if document.status != status:
        raise WrongState(document, DocumentStatus(status).label.lower(), action)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def require_may_enter(model: type[Document], by: User) -> None:
    rules = rules_for(model)
    _require(rules.may_enter(by), f"{by} may not enter {rules.verbose}s.")


def require_may_edit(document: Document, by: User) -> None:
    require_may_enter(type(document), by)
    _require(
        roles.can_edit_draft(by, document),
        f"Only the person who created {document} or a Manager may change it.",
    )
    if document.status != DocumentStatus.DRAFT:
        raise WrongState(document, "draft", "change")


def edit_draft(*, document: D, by: User) -> D:
    """The draft, locked, for ``by`` to change its content; ``by`` joins its editors.

    Every service that changes a draft's content starts here (inside its transaction), so who
    changed a document is recorded in one place and a refused change records nobody.
    """
    document = _lock(document)
    require_may_edit(document, by)
    if by.pk != document.created_by_id:
        document.edited_by.add(by)
    return document


def _made_with(model: type[D], request_key: uuid.UUID) -> D | None:
    """The document made with this one-time key (seldom one: read with one plain query)."""
    return rows.first(model, request_key=request_key)


def create_once(model: type[D], request_key: uuid.UUID | None, create: Callable[[], D]) -> D:
    """Run ``create`` in a transaction, unless a document was already made with this one-time key:
    then return that one.

    Two concurrent requests with one key: the loser's insert hits the unique key and gets the
    winner's document instead of a second one. Services call this outside a transaction of their
    own, so the one here is the only one (no savepoint round trips on the posting path).
    """
    if request_key is not None:
        existing = _made_with(model, request_key)
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        existing = None if request_key is None else _made_with(model, request_key)
        if existing is None:
            raise
        return existing


def _post(posting: PostingContext, write: Callable[[PostingContext], None] | None = None) -> PostingContext:
    """Post the document; ``write`` stores one that is not stored yet (see ``submit``)."""
    document, by = posting.document, posting.by
    rules = rules_for(document)
    # Everything that needs no lock comes first, so the locks below are held as briefly as can be.
    ledger.check_period_open(document.date)
    _guard(posting)
    rules.before_post(posting)
    if rules.moves_stock:
        # Stock locks first, in item order; the number's sequence lock last (see numbering.py).
        posting = replace(posting, balances=ledger.lock_balances(rules.touched_items(posting)))
    document.number = next_number(document.NUMBER_PREFIX, document.date)
    priced = rules.post(posting)
    document.status = DocumentStatus.POSTED
    document.posted_at = timezone.now()
    if write is None:
        save_as(document, by)  # an ORM UPDATE: before the pipeline, which refuses it
    # The writes under the stock locks in a few round trips. Only core.rows statements may run
    # inside (``write`` stores the new document with them); the observers run after it, as they
    # may use the ORM.
    with rows.pipelined():
        if write is not None:
            write(posting)
        if priced is not None:
            priced.record(ledger.Source.of(document), keys=False)  # nothing here reads them
    _notify(posting)
    return posting


def submit(
    *,
    document: D,
    by: User,
    lines: Sequence[Any] | None = None,
    write: Callable[[PostingContext], None] | None = None,
    locked: bool = False,
) -> D:
    """Post a document, or send it for approval when its type's rule says so (``approval_reason``).

    The one way every document is submitted, from wherever it starts:

    - a stored draft (the default): locked and submitted in a transaction of its own;
    - ``locked``: a draft the caller holds in its still-open transaction: created moments ago (nobody
      else can see it yet) or changed under ``edit_draft``'s row lock. It needs neither another lock
      nor a savepoint: if posting is refused, the caller's transaction takes the draft (or the
      change) away with it;
    - ``write``: a document not stored yet (its type ``posts_unsaved``), stored once, in the state
      it ends in (posted, or pending approval), instead of as a draft that is then changed.
      ``write(posting)`` stores it with its lines: through the ORM when it waits for approval, and
      with ``core.rows`` statements only when it is posted (it runs inside the posting's
      pipeline; the posting observers announce the document). A refused submit raises before
      anything is written.

    ``lines``: the document's lines when the caller holds them in memory (else its rules read them).
    """
    if write is None and not locked:
        with transaction.atomic():
            return _submit(_lock(document), by, lines, None)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a new document is submitted inside the transaction that creates it")
    if write is not None:
        rules = rules_for(document)
        if not rules.posts_unsaved or document.pk is not None:
            raise RuntimeError(f"{rules.verbose}s are stored as drafts first; submit them locked")
    return _submit(document, by, lines, write)


def _submit(
    document: D, by: User, lines: Sequence[Any] | None, write: Callable[[PostingContext], None] | None
) -> D:
    require_may_edit(document, by)
    document.submitted_at = timezone.now()
    rules = rules_for(document)
    posting = PostingContext(
        document=document, by=by, lines=rules.lines(document) if lines is None else lines
    )
    if rules.approval_reason(document):
        _guard(posting)
        rules.before_pending(posting)
        document.status = DocumentStatus.PENDING
        if write is None:
            save_as(document, by)
        else:
            write(posting)
        _notify_pending(document)
    else:
        _post(posting, write)
    return document


WAITS = "Waits for approval by a Manager or the Owner."


def waiting_reason(document: Document, user: User | None) -> str:
    """Why a pending document waits, as ``user`` may read it.

    The rule's reason is worked out from today's figures (what approving would post); it may name
    costs, so people who may not see costs (Staff) get a plain sentence instead.
    """
    if not roles.can_see_costs(user):
        return WAITS
    reason = rules_for(document).approval_reason(document)
    if not reason:
        return "It was over an approval limit when it was submitted; today's figures are within them."
    return reason[0].upper() + reason[1:] + "."


@transaction.atomic
def approve(*, document: D, by: User) -> D:
    document = _lock(document)
    _expect(document, DocumentStatus.PENDING, "approve")
    _require(roles.can_approve(by), f"{by} may not approve documents.")
    _require(roles.can_approve(by, document), "Nobody may approve a document they created or changed.")
    document.decided_by = by
    document.decided_at = timezone.now()
    _post(PostingContext(document=document, by=by, lines=rules_for(document).lines(document)))
    log.info("approved %s user=%s", document.number, by.username)
    return document


@transaction.atomic
def reject(*, document: D, by: User, reason: str) -> D:
    document = _lock(document)
    _expect(document, DocumentStatus.PENDING, "reject")
    _require(roles.can_approve(by), f"{by} may not reject documents.")
    _require(roles.can_approve(by, document), "Nobody may reject a document they created or changed.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidDocument("A reason is needed to reject.", fields={"reason": ["Give a reason."]})
    document.status = DocumentStatus.REJECTED
    document.decided_by = by
    document.decided_at = timezone.now()
    document.rejection_reason = reason[:300]
    save_as(document, by)
    log.info("rejected %s user=%s", document.pk, by.username)
    return document


@transaction.atomic
def cancel(*, document: D, by: User, reason: str) -> D:
    """Cancel a posted document by reversing its movements; refused if stock cannot take it."""
    _require(roles.can_cancel(by), "Only a Manager may cancel a posted document.")
    document = _lock(document)
    _expect(document, DocumentStatus.POSTED, "cancel")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidDocument("A reason is needed to cancel.", fields={"reason": ["Give a reason."]})
    ledger.check_period_open(document.date)
    rules = rules_for(document)
    posting = PostingContext(document=document, by=by, sign=CANCEL)
    _guard(posting)
    rules.before_cancel(posting)
    for why_not in _CANCEL_GUARDS.get(type(document), ()):
        refusal = why_not(document)
        if refusal:
            raise DomainError(refusal)
    if rules.moves_stock:
        try:
            ledger.reverse(source=ledger.Source.of(document), date=document.date, by=by)
        except InsufficientStock as short:
            # e.g. a purchase whose preforms were already used: taking them back would go negative.
            raise InsufficientStock(
                short.shortages,
                lead=f"Cannot cancel {document}: its stock has already been used",
                wanted="to take back",
            ) from None
    document.status = DocumentStatus.CANCELLED
    document.cancelled_by = by
    document.cancelled_at = timezone.now()
    document.cancel_reason = reason[:300]
    save_as(document, by)
    _notify(posting)
    log.info("cancelled %s user=%s", document.number, by.username)
    return document


@transaction.atomic
def delete_draft(*, document: Document, by: User) -> None:
    document = _lock(document)
    require_may_edit(document, by)
    document._history_user = by
    document.delete()
