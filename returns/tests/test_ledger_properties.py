"""The ledger's state machine (inventory/tests/test_ledger_properties.py) with returns added:
sales returns (to stock or scrap, refunded or credited) and purchase returns, among purchases,
runs, bills, payments, counts, approvals and cancels. Every invariant holds after every step,
and the reporting summaries stay equal to the rows they sum."""

from __future__ import annotations

import os
from collections import Counter
from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule, run_state_machine_as_test

from company.models import SellerProfile
from inventory.tests.test_ledger_properties import LedgerMachine, pick
from reporting import summaries
from returns import selectors
from returns.models import Disposition, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from tax.gstin import make_gstin
from tax.models import TaxRate

pytestmark = pytest.mark.django_db
D = Decimal


def _posted(machine, model_name: str) -> list:
    return [document for document, _ in machine.posted if document._meta.model_name == model_name]


class ReturnsMachine(LedgerMachine):
    @initialize(
        sold=st.integers(min_value=1, max_value=10),
        price=st.decimals(min_value=0, max_value=4, places=2),
        taxed=st.sampled_from(["untaxed", "intra-state", "inter-state"]),
    )
    def a_purchase_and_a_bill_to_return_against(self, sold, price, taxed):
        """Every example starts with a posted purchase and bill, so returns come early and often;
        bottles and preforms carry GST in most examples (CGST + SGST, or IGST to another state),
        so the notes reverse tax among everything else."""
        p = self.plant
        if taxed != "untaxed":
            SellerProfile.objects.create(
                legal_name="Plant", state_code="27", gstin=make_gstin("27", "AABCB1234F")
            )
            p.customer.state_code = "27" if taxed == "intra-state" else "29"
            p.customer.save()
            for item, rate in ((p.bottle, "18"), (p.preform, "5")):
                item.tax_rate = TaxRate.objects.get_or_create(
                    name=f"GST {rate}%", defaults={"rate": D(rate)}
                )[0]
                item.save()
        bought = {p.bottle.pk: 10, p.preform.pk: 10}
        self.attempt(
            lambda: p.buy(self.users["staff"], (p.bottle, 10, "2.50"), (p.preform, 10, "1.25")),
            lambda document: (Counter(bought), D("0")),
        )
        self.attempt(
            lambda: p.sell(self.users["staff"], (p.bottle, sold, str(price))),
            lambda document: (Counter({p.bottle.pk: -sold}), document.total),
        )

    @precondition(lambda self: _posted(self, "sale"))
    @rule(
        which=pick,
        line=pick,
        quantity=st.integers(min_value=1, max_value=8),
        scrap=st.sampled_from(["restock", "scrap to regrind", "scrap to nothing"]),
        refund=st.booleans(),
        who=st.sampled_from(["staff", "manager"]),
    )
    def sales_return(self, which, line, quantity, scrap, refund, who):
        bills = _posted(self, "sale")
        bill = bills[which % len(bills)]
        lines = list(bill.lines.order_by("id"))
        sold = lines[line % len(lines)]
        to_regrind = scrap == "scrap to regrind"
        returned = SalesReturnLineInput(
            sold,
            quantity,
            Disposition.RESTOCK if scrap == "restock" else Disposition.SCRAP,
            scrap_item=self.plant.scrap if to_regrind else None,
            scrap_value=D("0.05") if to_regrind else D("0"),
        )
        stock = Counter()
        if scrap == "restock":
            stock[sold.item_id] += quantity
        elif to_regrind:
            stock[self.plant.scrap.pk] += quantity
        self.attempt(
            lambda: create_sales_return(
                by=self.users[who],
                sale=bill,
                lines=[returned],
                settlement=Settlement.REFUND if refund else Settlement.CREDIT,
                refund_method="upi" if refund else "",
                submit=True,
            ),
            # A credit note lowers what is owed; a refund paid out raises it back.
            lambda document: (stock, -document.total + document.refund),
        )

    @precondition(lambda self: _posted(self, "purchase"))
    @rule(which=pick, line=pick, quantity=st.integers(min_value=1, max_value=8))
    def purchase_return(self, which, line, quantity):
        purchases = _posted(self, "purchase")
        purchase = purchases[which % len(purchases)]
        lines = list(purchase.lines.order_by("id"))
        bought = lines[line % len(lines)]
        self.attempt(
            lambda: create_purchase_return(
                by=self.users["staff"],
                purchase=purchase,
                lines=[PurchaseReturnLineInput(bought, quantity)],
                submit=True,
            ),
            lambda document: (Counter({bought.item_id: -quantity}), D("0")),
        )

    @invariant()
    def the_summaries_hold_together(self):
        assert summaries.differences() == []

    @invariant()
    def no_note_reverses_more_tax_than_its_line_carries(self):
        assert selectors.over_reversed_sale_lines() == []
        assert selectors.over_reversed_purchase_lines() == []


def test_random_business_with_returns_keeps_every_ledger_invariant(
    plant, staff_user, manager_user, other_manager, owner_user
):
    class Machine(ReturnsMachine):
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
                max_examples=int(os.environ.get("LEDGER_EXAMPLES", 80)),
                stateful_step_count=8,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
