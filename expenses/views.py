from __future__ import annotations

from documents import registry
from documents.pages import DocumentPages
from expenses import forms as f
from expenses import services
from expenses.models import Expense


class ExpensePages(DocumentPages):
    model = Expense
    namespace = "expenses"
    slug = "expense"
    title = "Expenses"
    noun = "expense"
    header_form = f.ExpenseForm
    formsets = {}
    party_field = "supplier"
    party_label = "Supplier"
    item_lookup = None
    list_related = ("created_by", "category", "supplier")
    detail_prefetch = ()
    editable = False  # posted (or sent for approval) as it is saved

    def create(self, *, request, header, rows, request_key, submit):
        return services.record_expense(
            by=request.user,
            category=header["category"],
            amount=header["amount"],
            input_tax=header["input_tax"] if header["input_tax"] is not None else 0,
            supplier=header["supplier"],
            method=header["method"],
            account=header["account"],
            reference=header["reference"],
            date=header["date"],
            notes=header["notes"],
            request_key=request_key,
        )


expense_pages = registry.register(ExpensePages(), order=60)
