"""The ledger's state machine (inventory/tests/test_ledger_properties.py) with returns and money
added: sales returns (to stock or scrap, refunded or credited), purchase returns, customer payments
to any account, supplier payments (against one or two bills and on account), expenses (categories,
input tax, method, account), day-end cash closings, among purchases, runs, bills, counts, approvals
and cancels of every one of them. After every step: verify_ledger is clean, the reporting summaries
equal the rows they sum, no bill is overpaid, every account's balance is its opening balance plus
what the model says moved through it, what the supplier and the customer are owed is what the
model says (from their opening dues on), and the profit & loss reads gross − write-offs − expenses
= net with the model's expenses and the ledger's count write-offs."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule, run_state_machine_as_test

from cashbook import flows as cashbook_flows
from cashbook.models import Account
from cashbook.services import record_cash_closing, save_account
from company.models import SellerProfile
from documents.models import DocumentStatus
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from golive.services import enter_customer_due, enter_supplier_due
from inventory.models import MovementKind, StockMovement
from inventory.tests.test_ledger_properties import LedgerMachine, pick
from purchasing import selectors as purchasing_selectors
from purchasing.models import Purchase
from purchasing.services import AllocationInput, record_supplier_payment
from reporting import summaries
from reporting.periods import Period
from reporting.reports import profit_loss
from returns import selectors
from returns.models import Disposition, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from sales.models import Payment, Sale
from sales.services import record_payment
from tax.gstin import make_gstin
from tax.models import TaxRate

pytestmark = pytest.mark.django_db
D = Decimal
METHODS = ("cash", "bank", "upi")
amounts = st.decimals(min_value=D("0.01"), max_value=40, places=2)


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


class MoneyMachine(ReturnsMachine):
    """Models the money beside the stock: ``tally`` holds what moved through each account, what
    the plant owes its supplier, the expenses and the count write-offs, each fixed at posting."""

    accounts: dict = {}  # method → the account that takes it (set with the fixtures)
    categories: list = []
    opening_dues: tuple = (D("0"), D("0"))  # what the customer owed and the plant owed on going live

    def __init__(self) -> None:
        super().__init__()
        self.owed, self.tally["supplier_owed"] = self.opening_dues

    def account_of(self, method: str, account: Account | None) -> tuple[str, int]:
        return ("account", (account or self.accounts[method]).pk)

    def money_moved(self, document) -> Counter:
        kind = document._meta.model_name
        if kind == "purchase":
            return Counter({"supplier_owed": document.total})
        if kind == "purchasereturn":
            return Counter({"supplier_owed": -document.total})
        if kind == "supplierpayment":
            return Counter(
                {
                    "supplier_owed": -document.amount,
                    self.account_of(document.method, document.account): -document.amount,
                }
            )
        if kind == "payment":
            return Counter({self.account_of(document.method, document.account): document.amount})
        if kind == "salesreturn":
            return Counter({("account", self.accounts["upi"].pk): -document.refund})
        if kind == "expense":
            return Counter(
                {
                    "expenses": document.amount,
                    self.account_of(document.method, document.account): -document.total,
                }
            )
        if kind == "cashclosing":
            # What the model says the book held, before this closing: the closing books the rest.
            key = ("account", document.account_id)
            difference = document.counted - self.opening(document.account_id) - self.tally[key]
            assert document.difference == difference, (document.difference, difference)
            return Counter({key: difference})
        if kind == "stockcount":
            adjusted = StockMovement.objects.filter(
                source_number=document.number, source_id=document.pk, kind=MovementKind.ADJUSTMENT
            ).aggregate(s=Sum("value"))["s"]
            return Counter({"write_offs": -(adjusted or D("0"))})
        return Counter()

    def opening(self, account_id: int) -> Decimal:
        return next(a.opening_balance for a in self.accounts.values() if a.pk == account_id)

    def named(self, method: str, choose: int | None) -> Account | None:
        """None: book it to the method's account; otherwise name one of the accounts outright."""
        if choose is None:
            return None
        accounts = sorted(self.accounts.values(), key=lambda a: a.pk)
        return accounts[choose % len(accounts)]

    @rule(
        amount=amounts,
        against=pick,
        on_account=st.booleans(),
        method=st.sampled_from(METHODS),
        account=st.none() | pick,
    )
    def payment(self, amount, against, on_account, method, account):
        """A customer's payment, against a bill or on account, into the method's or a named account."""
        bills = _posted(self, "sale")
        sale = None if on_account or not bills else bills[against % len(bills)]
        self.attempt(
            lambda: record_payment(
                by=self.users["staff"],
                customer=self.plant.customer,
                amount=amount,
                method=method,
                sale=sale,
                account=self.named(method, account),
            ),
            lambda document: (Counter(), -document.amount),
        )

    @rule(
        bills=st.lists(st.tuples(pick, st.sampled_from(["settle", "part", "any"]), amounts), max_size=2),
        extra=st.decimals(min_value=0, max_value=20, places=2),
        method=st.sampled_from(METHODS),
        account=st.none() | pick,
        who=st.sampled_from(["staff", "manager"]),
    )
    def supplier_payment(self, bills, extra, method, account, who):
        """Money paid to the supplier: allocated to up to two bills (settling one, paying part of
        it, or any amount, which may overpay and must then be refused) with the rest on account."""
        purchases = _posted(self, "purchase")
        allocations, named = [], set()
        for which, how, amount in bills if purchases else []:
            bill = purchases[which % len(purchases)]
            if bill.pk in named:
                continue
            named.add(bill.pk)
            owed = purchasing_selectors.bill_outstanding(bill)
            if how == "settle":
                amount = owed
            elif how == "part":
                amount = min(amount, owed)
            if amount > 0:
                allocations.append(AllocationInput(bill, amount))
        total = sum((a.amount for a in allocations), D("0")) + extra
        if total <= 0:
            return
        self.attempt(
            lambda: record_supplier_payment(
                by=self.users[who],
                supplier=self.plant.supplier,
                amount=total,
                method=method,
                allocations=allocations,
                account=self.named(method, account),
            ),
            lambda document: (Counter(), D("0")),
        )

    @rule(
        category=pick,
        amount=amounts,
        input_tax=st.decimals(min_value=0, max_value=5, places=2),
        method=st.sampled_from(METHODS),
        account=st.none() | pick,
        who=st.sampled_from(["staff", "manager"]),
    )
    def expense(self, category, amount, input_tax, method, account, who):
        self.attempt(
            lambda: record_expense(
                by=self.users[who],
                category=self.categories[category % len(self.categories)],
                amount=amount,
                input_tax=input_tax,
                method=method,
                account=self.named(method, account),
            ),
            lambda document: (Counter(), D("0")),
        )

    @rule(method=st.sampled_from(METHODS), off_by=st.sampled_from([D("0"), D("-3.50"), D("2.25"), D("-30")]))
    def cash_closing(self, method, off_by):
        """The day's count of an account: as the book says, short or over (a large difference
        waits for approval; a second closing of the day, or a negative count, is refused)."""
        account = self.accounts[method]
        held = self.opening(account.pk) + self.tally[("account", account.pk)]
        self.attempt(
            lambda: record_cash_closing(by=self.users["staff"], account=account, counted=held + off_by),
            lambda document: (Counter(), D("0")),
        )

    @invariant()
    def the_money_holds_together(self):
        today = timezone.localdate()
        start = min(a.opening_date for a in self.accounts.values())
        moved = cashbook_flows.sums_by_account(start, today)  # what balance() sums, for all at once
        for account in self.accounts.values():
            entry = moved.get(account.pk, {"in": D("0"), "out": D("0")})
            held = account.opening_balance + entry["in"] - entry["out"]
            assert held == account.opening_balance + self.tally[("account", account.pk)], account
        supplier = self.plant.supplier
        assert purchasing_selectors.supplier_outstanding(supplier) == self.tally["supplier_owed"]
        # No bill is paid more than it asks: a purchase its total, a bill its total less credit notes.
        for bill in purchasing_selectors.bills_with_payments(
            Purchase.objects.filter(status=DocumentStatus.POSTED)
        ):
            assert bill.paid <= bill.total, bill
        paid = Payment.objects.filter(status=DocumentStatus.POSTED, sale__isnull=False)
        for row in paid.values("sale_id").annotate(s=Sum("amount")):
            assert row["s"] <= Sale.objects.get(pk=row["sale_id"]).total, row
        figures = profit_loss.totals(Period(today, today))
        assert figures["expenses"] == self.tally["expenses"]
        assert figures["count_write_offs"] == self.tally["write_offs"]
        assert figures["net_profit"] == (
            figures["gross_profit"] - figures["count_write_offs"] - figures["scrapped"] - figures["expenses"]
        )


def test_random_business_with_returns_and_money_keeps_every_invariant(
    plant, staff_user, manager_user, other_manager, owner_user
):
    class Machine(MoneyMachine):
        pass

    start = timezone.localdate() - timedelta(days=5)
    Machine.accounts = {
        method: save_account(
            by=manager_user,
            name=f"{method} account",
            kind=method,
            opening_balance=opening,
            opening_date=start,
            default_for=method,
        )
        for method, opening in (("cash", D("100.00")), ("bank", D("0")), ("upi", D("0")))
    }
    Machine.categories = list(ExpenseCategory.objects.filter(is_active=True).order_by("pk")[:3])
    Machine.opening_dues = (
        enter_customer_due(by=manager_user, customer=plant.customer, amount=D("30.00")).amount,
        enter_supplier_due(by=manager_user, supplier=plant.supplier, amount=D("50.00")).amount,
    )
    assert Machine.categories
    Machine.plant = plant
    Machine.users = {
        "staff": staff_user,
        "manager": manager_user,
        "other_manager": other_manager,
        "owner": owner_user,
    }
    with override_settings(
        APPROVAL_THRESHOLD=D("60"),
        PAYMENT_APPROVAL_THRESHOLD=D("60"),
        SUPPLIER_PAYMENT_APPROVAL_THRESHOLD=D("60"),
        EXPENSE_APPROVAL_THRESHOLD=D("30"),
        CASH_CLOSING_APPROVAL_THRESHOLD=D("20"),
    ):
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=int(os.environ.get("LEDGER_EXAMPLES", 30)),
                stateful_step_count=10,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
