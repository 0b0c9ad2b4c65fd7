"""Expenses: money spent on running the plant (power, wages, rent, diesel, …), and their heads."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts import roles
from accounts.models import User
from cashbook import flows
from cashbook import services as cashbook_services
from cashbook.models import Account
from core.errors import InvalidDocument, NotAllowed
from core.money import money
from documents import approval, lifecycle
from documents.dates import check_date
from documents.drafts import money_problem
from documents.models import DocumentStatus
from expenses.models import Expense, ExpenseCategory
from purchasing.models import Supplier

CATEGORY_FIELDS = ("code", "name", "is_active")


@transaction.atomic
def save_category(*, by: User, category: ExpenseCategory | None = None, **fields: Any) -> ExpenseCategory:
    """Expense heads are master data: Managers keep them (deactivate, never delete)."""
    if not roles.can_manage_master_data(by):
        raise NotAllowed(f"{by} may not change expense categories.")
    category = category or ExpenseCategory()
    for name, value in fields.items():
        if name not in CATEGORY_FIELDS:
            raise TypeError(f"unknown expense category field {name}")
        setattr(category, name, value)
    errors = {}
    if not (category.name or "").strip():
        errors["name"] = ["Enter a name."]
    if not (category.code or "").strip():
        errors["code"] = ["Enter a short code (letters, digits, dashes)."]
    for field in ("name", "code"):
        value = getattr(category, field)
        if (
            field not in errors
            and ExpenseCategory.objects.filter(**{field: value}).exclude(pk=category.pk).exists()
        ):
            errors[field] = [f"Another category is already called {value!r}."]
    if errors:
        raise InvalidDocument(fields=errors)
    lifecycle.save_as(category, by)
    return category


def record_expense(
    *,
    by: User,
    category: ExpenseCategory,
    amount: Decimal,
    method: str,
    input_tax: Decimal = Decimal("0"),
    supplier: Supplier | None = None,
    account: Account | None = None,
    date: date | None = None,
    reference: str = "",
    notes: str = "",
    request_key: uuid.UUID | None = None,
) -> Expense:
    """Record money spent and post it at once, or send it for approval when it is over
    EXPENSE_APPROVAL_THRESHOLD (amount and tax: the money that leaves)."""
    lifecycle.require_may_enter(Expense, by)
    check_date(date, model=Expense, optional=True)
    errors: dict[str, list[str]] = {}
    if category is None or not category.is_active:
        errors["category"] = ["Choose an active expense category."]
    for field, value, above_zero in (("amount", amount, True), ("input_tax", input_tax, False)):
        problem = money_problem(value, above_zero=above_zero)
        if problem:
            errors[field] = [problem]
    if supplier is not None and not supplier.is_active:
        errors["supplier"] = [f"{supplier} is not an active supplier."]
    errors.update(cashbook_services.payment_problems(method=method, account=account))
    if errors:
        raise InvalidDocument(fields=errors)

    def create() -> Expense:
        expense = Expense(
            category=category,
            amount=money(amount),
            input_tax=money(input_tax),
            supplier=supplier,
            method=method,
            account=account,
            reference=reference,
            notes=notes,
            created_by=by,
            request_key=request_key,
        )
        expense.total = expense.amount + expense.input_tax
        if date is not None:
            expense.date = date
        lifecycle.save_as(expense, by)
        return lifecycle.submit(document=expense, by=by, locked=True)

    return lifecycle.create_once(Expense, request_key, create)


lifecycle.register(
    Expense,
    lifecycle.DocumentRules(
        verbose="expense",
        post=lambda posting: None,  # no stock; the cash book reads posted expenses
        approval_reason=lambda expense: approval.over_limit(
            "expense", expense.total, settings.EXPENSE_APPROVAL_THRESHOLD
        ),
        moves_stock=False,
    ),
)


def _posted(start: date | None, end: date | None):
    docs = Expense.objects.filter(status=DocumentStatus.POSTED)
    if start is not None:
        docs = docs.filter(date__gte=start)
    if end is not None:
        docs = docs.filter(date__lte=end)
    return docs


# The money that leaves is the expense with its tax (``total``).
flows.register(
    flows.MoneyFlow(
        name="expense",
        label="Expense",
        direction=flows.OUT,
        documents=_posted,
        amount="total",
        party="category__name",
        model=Expense,
    )
)
