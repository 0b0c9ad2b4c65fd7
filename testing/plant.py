"""A small plant for tests: preforms, caps, a 500 ml bottle with its recipe, a supplier, a customer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from inventory.models import Item, ItemKind, RecipeLine
from purchasing.models import Supplier
from purchasing.services import PurchaseLineInput, create_purchase
from sales.models import Customer
from sales.services import SaleLineInput, create_sale


@dataclass
class Plant:
    preform: Item
    cap: Item
    bottle: Item
    scrap: Item
    supplier: Supplier
    customer: Customer

    def buy(self, by: User, *lines: tuple[Item, int, str], submit: bool = True, **kwargs):
        return create_purchase(
            by=by,
            supplier=self.supplier,
            lines=[PurchaseLineInput(item=i, quantity=q, unit_price=Decimal(p)) for i, q, p in lines],
            submit=submit,
            **kwargs,
        )

    def sell(self, by: User, *lines: tuple, submit: bool = True, customer: Customer | None = None, **kwargs):
        return create_sale(
            by=by,
            customer=customer or self.customer,
            lines=[
                SaleLineInput(
                    item=line[0],
                    quantity=line[1],
                    unit_price=Decimal(line[2]),
                    discount=Decimal(line[3]) if len(line) > 3 else Decimal("0"),
                )
                for line in lines
            ],
            submit=submit,
            **kwargs,
        )


def build_plant() -> Plant:
    preform = Item.objects.create(
        sku="PF-500",
        name="Preform 500 ml, 18 g",
        kind=ItemKind.PREFORM,
        reorder_level=500,
        weight_g=Decimal("18"),
    )
    cap = Item.objects.create(sku="CAP-28", name="Cap 28 mm", kind=ItemKind.CAP, reorder_level=500)
    bottle = Item.objects.create(
        sku="BTL-500",
        name="Bottle 500 ml",
        kind=ItemKind.BOTTLE,
        reorder_level=100,
        default_price=Decimal("5.00"),
        volume_ml=500,
    )
    scrap = Item.objects.create(sku="REGRIND", name="PET regrind", kind=ItemKind.SCRAP, unit="pcs")
    RecipeLine.objects.create(bottle=bottle, component=preform, quantity=1)
    RecipeLine.objects.create(bottle=bottle, component=cap, quantity=1)
    supplier = Supplier.objects.create(name="Polymer Preforms Ltd")
    customer = Customer.objects.create(name="Aqua Traders")
    return Plant(preform, cap, bottle, scrap, supplier, customer)


def ledger_state() -> dict:
    """Everything a refused action must leave untouched: movements, balances, documents, numbers."""
    from documents import lifecycle
    from inventory.models import DocumentSequence, StockBalance, StockMovement

    documents = {}
    for model in lifecycle.registered_models():
        documents[model._meta.label_lower] = sorted(
            model.objects.values_list("pk", "status", "number", "total", "date")
        )
        documents[f"{model._meta.label_lower} history"] = model.history.count()
    return {
        "movements": sorted(StockMovement.objects.values_list("pk", "item_id", "quantity", "value")),
        "balances": sorted(StockBalance.objects.values_list("item_id", "quantity", "value")),
        "sequences": sorted(DocumentSequence.objects.values_list("prefix", "year", "last")),
        **documents,
    }
