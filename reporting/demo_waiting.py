"""The demo's approval queue: two bills, a purchase and an expense that Staff entered and a Manager
may decide.

The last step of ``manage.py seed_demo``, so that someone trying the demo as a Manager finds work
waiting at once. Everything goes through the services, as a Staff member's entry would; the
documents are over APPROVAL_THRESHOLD, so they wait. Whoever enters them may never decide them
(four eyes), which is why they are entered by Staff and not by the Manager who entered the rest.
Each bill takes at most a third of the stock of its bottles, and the two share no bottle, so both
can still be approved.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from django.conf import settings

from accounts.models import User
from cashbook.models import Method
from core.money import money
from documents.models import Document
from expenses.models import ExpenseCategory
from expenses.services import record_expense
from inventory.models import ItemKind, StockBalance
from purchasing.models import PurchaseLine
from purchasing.services import PurchaseLineInput, create_purchase
from sales.models import Customer
from sales.services import SaleLineInput, create_sale

BILLS = 2
OVER_THE_LIMIT = Decimal("1.2")  # how far above APPROVAL_THRESHOLD each document goes


def leave_for_approval(*, by: User, day: date) -> list[Document]:
    """Enter the waiting documents as ``by`` (a Staff member), dated ``day``; returns them."""
    threshold = settings.APPROVAL_THRESHOLD
    waiting: list[Document] = []
    bottles = sorted(
        StockBalance.objects.filter(item__kind=ItemKind.BOTTLE, quantity__gt=2)
        .exclude(item__default_price=None)
        .select_related("item")
        .order_by("item__sku"),
        key=lambda balance: balance.quantity * balance.item.default_price,
        reverse=True,
    )
    customers = Customer.objects.filter(is_active=True, credit_limit__isnull=True).order_by("pk")[:BILLS]
    for index, customer in enumerate(customers):
        lines, total = [], Decimal("0")
        for balance in bottles[index::BILLS]:
            if total > threshold * OVER_THE_LIMIT:
                break
            quantity = balance.quantity // 3
            lines.append(SaleLineInput(item=balance.item, quantity=quantity))
            total += quantity * balance.item.default_price
        if total > threshold:
            waiting.append(
                create_sale(
                    by=by, customer=customer, lines=lines, date=day, notes="Festival order", submit=True
                )
            )
    last_bought = (
        PurchaseLine.objects.filter(item__kind=ItemKind.PREFORM, purchase__status="posted")
        .select_related("item", "purchase__supplier")
        .order_by("-pk")
        .first()
    )
    if last_bought is not None:
        price = last_bought.unit_price
        quantity = math.ceil(threshold * OVER_THE_LIMIT / price / 1000) * 1000
        waiting.append(
            create_purchase(
                by=by,
                supplier=last_bought.purchase.supplier,
                lines=[PurchaseLineInput(last_bought.item, quantity, price)],
                date=day,
                supplier_bill_number=f"INV/{day:%y%m%d}/ADV",
                notes="Stock-up before the price rise",
                submit=True,
            )
        )
    repairs = ExpenseCategory.objects.filter(code="repairs", is_active=True).first()
    if repairs is not None:
        waiting.append(
            record_expense(
                by=by,
                category=repairs,
                amount=money(Decimal(settings.EXPENSE_APPROVAL_THRESHOLD) * OVER_THE_LIMIT),
                method=Method.BANK,
                date=day,
                notes="Compressor overhaul, BM-3",
            )
        )
    return waiting
