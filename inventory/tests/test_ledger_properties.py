"""Random sequences of purchases, runs, sales, payments, counts, approvals and cancels.

A hypothesis state machine keeps its own model of what the stock and the customer's debt must be,
drives the services, and after every step checks the ledger's invariants (DESIGN §4): verify_ledger
finds nothing, balances match the model and are never negative, an empty item carries no value.
A refused action (short stock, wrong role, wrong state…) is an allowed outcome, but must change
nothing at all. Each example runs inside a savepoint that is rolled back, so examples never meet.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.errors import DomainError, NotAllowed
from documents import lifecycle
from inventory.models import DocumentSequence, StockBalance, StockMovement
from inventory.services import CountLineInput, create_stock_count
from inventory.verification import verify_ledger
from production.models import RejectReason
from production.services import RejectLine, create_run
from sales import selectors
from sales.services import record_payment

pytestmark = pytest.mark.django_db
D = Decimal

STOCKED = ("preform", "cap", "bottle")
quantities = st.integers(min_value=1, max_value=12)
prices = st.decimals(min_value=0, max_value=4, places=2)
pick = st.integers(min_value=0, max_value=1000)


def footprint() -> tuple:
    """A cheap fingerprint of every write a posting makes: movements, numbers, document history.

    One query, as it runs around every action. (The model's balances are compared after every
    step anyway; the unit tests compare the full ``testing.plant.ledger_state`` on each refusal.)
    """
    with connection.cursor() as cursor:
        cursor.execute(_footprint_sql())
        return cursor.fetchone()


@functools.cache
def _footprint_sql() -> str:
    histories = [model.history.model._meta.db_table for model in lifecycle.registered_models()]
    probes = [
        f"(SELECT MAX(id) FROM {StockMovement._meta.db_table})",
        f"(SELECT SUM(last) FROM {DocumentSequence._meta.db_table})",
        *(f"(SELECT COUNT(*) FROM {table})" for table in histories),
    ]
    return "SELECT " + ", ".join(probes)


class LedgerMachine(RuleBasedStateMachine):
    """Subclassed per test with ``plant`` and ``users`` set (fixtures made outside hypothesis)."""

    plant = None
    users: dict = {}

    def __init__(self) -> None:
        super().__init__()
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.expected: Counter[int] = Counter()  # item id → quantity the model says is in stock
        self.owed = D("0.00")  # what the customer owes, by the model
        self.posted: list = []  # (document, effect) pairs that can still be cancelled
        self.pending: list = []
        self.tally: Counter = Counter()  # other figures a subclass models (money per account, …)
        self._moved: dict = {}  # document → what it added to ``tally`` when it posted

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # helpers ------------------------------------------------------------------------------------

    def item(self, name: str):
        return getattr(self.plant, name)

    def attempt(self, action, effect, *, must_refuse: type[Exception] | None = None):
        """Run an action; on success track its document, on refusal prove nothing changed."""
        before = footprint()
        try:
            document = action()
        except DomainError as refused:
            assert must_refuse is None or isinstance(refused, must_refuse), refused
            assert str(refused)
            assert footprint() == before, f"refused ({refused}) but something changed"
            return None
        assert must_refuse is None, f"{action} should have been refused"
        if document.status == "posted":
            self.apply(document, effect(document), +1)
        elif document.status == "pending":
            self.pending.append((document, effect))
        return document

    def apply(self, document, effect, sign: int) -> None:
        stock, money = effect
        for item_id, quantity in stock.items():
            self.expected[item_id] += sign * quantity
        self.owed += sign * money
        key = (document._meta.label, document.pk)
        if sign > 0:
            self.posted.append((document, effect))
            self._moved[key] = self.money_moved(document)  # fixed at posting, taken off on cancel
        moved = self._moved[key] if sign > 0 else self._moved.pop(key, Counter())
        for name, amount in moved.items():
            self.tally[name] += sign * amount

    def money_moved(self, document) -> Counter:
        """What a posted document adds to ``tally``; the ledger's own machine models none."""
        return Counter()

    # rules --------------------------------------------------------------------------------------

    @rule(
        lines=st.lists(st.tuples(st.sampled_from(STOCKED), quantities, prices), min_size=1, max_size=2),
        who=st.sampled_from(["staff", "manager"]),
    )
    def purchase(self, lines, who):
        effect = Counter()
        for name, quantity, _ in lines:
            effect[self.item(name).pk] += quantity
        self.attempt(
            lambda: self.plant.buy(self.users[who], *[(self.item(n), q, str(p)) for n, q, p in lines]),
            lambda document: (effect, D("0")),
        )

    @rule(
        good=st.integers(min_value=1, max_value=8),
        rejected=st.integers(min_value=0, max_value=2),
        conversion=st.decimals(min_value=0, max_value=3, places=2),
        scrap=st.booleans(),
    )
    def run(self, good, rejected, conversion, scrap):
        p = self.plant
        scrap = scrap and rejected > 0
        effect = Counter({p.preform.pk: -(good + rejected), p.cap.pk: -(good + rejected), p.bottle.pk: good})
        if scrap:
            effect[p.scrap.pk] += rejected
        self.attempt(
            lambda: create_run(
                by=self.users["staff"],
                product=p.bottle,
                good_quantity=good,
                machine="BM-1",
                shift="day",
                rejects=[RejectLine(RejectReason.BURST, rejected)] if rejected else [],
                conversion_cost=conversion,
                scrap_item=p.scrap if scrap else None,
                scrap_quantity=rejected if scrap else 0,
                scrap_value=D("0.10") if scrap else D("0"),
                submit=True,
            ),
            lambda document: (effect, D("0")),
        )

    @rule(
        lines=st.lists(
            st.tuples(st.sampled_from(STOCKED + ("scrap",)), quantities, prices), min_size=1, max_size=2
        ),
        who=st.sampled_from(["staff", "manager"]),
    )
    def sale(self, lines, who):
        effect = Counter()
        for name, quantity, _ in lines:
            effect[self.item(name).pk] -= quantity
        self.attempt(
            lambda: self.plant.sell(self.users[who], *[(self.item(n), q, str(p)) for n, q, p in lines]),
            lambda document: (effect, document.total),
        )

    @rule(
        amount=st.decimals(min_value=D("0.01"), max_value=40, places=2),
        against=pick,
        on_account=st.booleans(),
    )
    def payment(self, amount, against, on_account):
        bills = [d for d, _ in self.posted if d._meta.model_name == "sale"]
        sale = None if on_account or not bills else bills[against % len(bills)]
        self.attempt(
            lambda: record_payment(
                by=self.users["staff"], customer=self.plant.customer, amount=amount, method="cash", sale=sale
            ),
            lambda document: (Counter(), -document.amount),
        )

    @rule(name=st.sampled_from(STOCKED), counted=st.integers(min_value=0, max_value=15))
    def count(self, name, counted):
        item = self.item(name)
        difference = counted - self.expected[item.pk]
        self.attempt(
            lambda: create_stock_count(
                by=self.users["manager"], lines=[CountLineInput(item, counted)], submit=True
            ),
            lambda document: (Counter({item.pk: difference}), D("0")),
        )

    @precondition(lambda self: self.pending)
    @rule(which=pick, who=st.sampled_from(["manager", "other_manager", "owner", "staff"]))
    def approve(self, which, who):
        document, effect = self.pending[which % len(self.pending)]
        user = self.users[who]
        refuse = NotAllowed if who == "staff" or document.created_by_id == user.pk else None
        approved = self.attempt(
            lambda: lifecycle.approve(document=document, by=user), effect, must_refuse=refuse
        )
        if approved is not None:
            self.pending.remove((document, effect))

    @precondition(lambda self: self.pending)
    @rule(which=pick, who=st.sampled_from(["manager", "other_manager", "owner"]))
    def reject(self, which, who):
        document, effect = self.pending[which % len(self.pending)]
        user = self.users[who]
        refuse = NotAllowed if document.created_by_id == user.pk else None
        if self.attempt(
            lambda: lifecycle.reject(document=document, by=user, reason="price"), effect, must_refuse=refuse
        ):
            self.pending.remove((document, effect))

    @precondition(lambda self: self.posted)
    @rule(which=pick, who=st.sampled_from(["manager", "manager", "staff"]))
    def cancel(self, which, who):
        document, effect = self.posted[which % len(self.posted)]
        refuse = NotAllowed if who == "staff" else None
        before = footprint()
        try:
            lifecycle.cancel(document=document, by=self.users[who], reason="test")
        except DomainError as refused:
            assert refuse is None or isinstance(refused, refuse), refused
            assert footprint() == before
            return
        assert refuse is None
        self.posted.remove((document, effect))
        self.apply(document, effect, -1)

    # invariants ---------------------------------------------------------------------------------

    @invariant()
    def the_ledger_holds_together(self):
        assert verify_ledger() == []
        balances = {b.item_id: b for b in StockBalance.objects.all()}
        for item_id, quantity in self.expected.items():
            held = balances.get(item_id)
            assert (held.quantity if held else 0) == quantity
        for balance in balances.values():
            assert balance.quantity >= 0 and balance.value >= 0
            assert balance.quantity > 0 or balance.value == 0
        assert selectors.total_outstanding() == self.owed  # one customer: all that is owed is theirs


def test_random_business_keeps_every_ledger_invariant(
    plant, staff_user, manager_user, other_manager, owner_user
):
    class Machine(LedgerMachine):
        pass

    Machine.plant = plant
    Machine.users = {
        "staff": staff_user,
        "manager": manager_user,
        "other_manager": other_manager,
        "owner": owner_user,
    }
    with override_settings(APPROVAL_THRESHOLD=D("60")):
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=int(os.environ.get("LEDGER_EXAMPLES", 100)),
                stateful_step_count=5,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
