"""The demo's returns: a customer's goods back (into stock, refunded; burst ones scrapped, on
credit) and preforms sent back to a supplier, entered through the services on the last day.

So a demo shows credit and debit notes, the profit & loss net of returns and the customer's
balance lowered by a credit, without anyone entering one first. Each is small, so it posts at
once; one the stock can no longer take is simply left out.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from decimal import Decimal

from accounts.models import User
from core.errors import DomainError
from documents.models import Document, DocumentStatus
from inventory.models import Item, ItemKind
from purchasing.models import Purchase
from returns.models import Disposition, ReturnReason, Settlement
from returns.services import (
    PurchaseReturnLineInput,
    SalesReturnLineInput,
    create_purchase_return,
    create_sales_return,
)
from sales.models import Sale


def make_returns(*, by: User, day: date) -> list[Document]:
    """Two credit notes against the latest bill of two lines or more, and a debit note."""
    made: list[Document] = []
    bill = (
        Sale.objects.filter(status=DocumentStatus.POSTED, date__lte=day)
        .order_by("-date", "-pk")
        .prefetch_related("lines__item")
        .first()
    )
    scrap = Item.objects.filter(kind=ItemKind.SCRAP, is_active=True).order_by("pk").first()
    if bill is not None:
        first, *others = list(bill.lines.all())
        wanted = [
            dict(
                lines=[
                    SalesReturnLineInput(first, max(1, first.quantity // 10), reason=ReturnReason.WRONG_ITEM)
                ],
                settlement=Settlement.REFUND,
                refund_method="cash",
                notes="Wrong size delivered",
            ),
            dict(
                lines=[
                    SalesReturnLineInput(
                        (others or [first])[0],
                        1,
                        Disposition.SCRAP,
                        ReturnReason.BURST,
                        scrap_item=scrap,
                        scrap_value=(first.unit_price / 20).quantize(Decimal("0.01"))
                        if scrap
                        else Decimal("0"),
                    )
                ],
                settlement=Settlement.CREDIT,
                notes="Carton burst in transit",
            ),
        ]
        for entry in wanted:
            try:
                made.append(create_sales_return(by=by, sale=bill, date=day, submit=True, **entry))
            except DomainError:
                continue  # e.g. the line was returned already: the demo goes on without it
    purchase = (
        Purchase.objects.filter(
            status=DocumentStatus.POSTED, lines__item__kind=ItemKind.PREFORM, date__lte=day
        )
        .order_by("-date", "-pk")
        .first()
    )
    if purchase is not None:
        line = purchase.lines.filter(item__kind=ItemKind.PREFORM).first()
        with suppress(DomainError):  # the preforms were already used: nothing to send back
            made.append(
                create_purchase_return(
                    by=by,
                    purchase=purchase,
                    lines=[PurchaseReturnLineInput(line, max(1, line.quantity // 50), ReturnReason.DAMAGED)],
                    date=day,
                    notes="Short-moulded preforms in one carton",
                    submit=True,
                )
            )
    return made
