"""What the return entry pages and the API send, handed to the services: one adapter per document
type, so both interfaces pass the same fields the same way.

``data`` is the validated header (a form's ``cleaned_data`` or a serializer's ``validated_data``),
``lines`` its validated line rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.models import User
from documents.drafts import line_inputs
from returns import services
from returns.models import PurchaseReturn, SalesReturn


def create_sales_return(
    *,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    request_key: uuid.UUID | None,
    submit: bool = False,
) -> SalesReturn:
    return services.create_sales_return(
        by=by,
        sale=data["sale"],
        lines=line_inputs(services.SalesReturnLineInput, lines),
        settlement=data["settlement"],
        refund_method=data["refund_method"],
        date=data.get("date"),
        notes=data["notes"],
        request_key=request_key,
        submit=submit,
    )


def update_sales_return(
    *,
    sales_return: SalesReturn,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    submit: bool = False,
) -> SalesReturn:
    return services.update_sales_return(
        sales_return=sales_return,
        by=by,
        lines=line_inputs(services.SalesReturnLineInput, lines),
        settlement=data["settlement"],
        refund_method=data["refund_method"],
        date=data.get("date") or sales_return.date,
        notes=data["notes"],
        submit=submit,
    )


def create_purchase_return(
    *,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    request_key: uuid.UUID | None,
    submit: bool = False,
) -> PurchaseReturn:
    return services.create_purchase_return(
        by=by,
        purchase=data["purchase"],
        lines=line_inputs(services.PurchaseReturnLineInput, lines),
        date=data.get("date"),
        notes=data["notes"],
        request_key=request_key,
        submit=submit,
    )


def update_purchase_return(
    *,
    purchase_return: PurchaseReturn,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    submit: bool = False,
) -> PurchaseReturn:
    return services.update_purchase_return(
        purchase_return=purchase_return,
        by=by,
        lines=line_inputs(services.PurchaseReturnLineInput, lines),
        date=data.get("date") or purchase_return.date,
        notes=data["notes"],
        submit=submit,
    )
