"""What the bill and payment entry pages and the API send, handed to the services: one adapter
per document type, so both interfaces pass the same fields the same way.

``data`` is the validated header (a form's ``cleaned_data`` or a serializer's ``validated_data``),
``lines`` its validated line rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.models import User
from documents.drafts import line_inputs
from sales import services
from sales.models import Payment, Sale


def create_bill(
    *,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    request_key: uuid.UUID | None,
    submit: bool = False,
) -> services.CreatedBill:
    return services.create_bill(
        by=by,
        customer=data["customer"],
        lines=line_inputs(services.SaleLineInput, lines),
        date=data.get("date"),
        notes=data["notes"],
        request_key=request_key,
        submit=submit,
    )


def update_bill(
    *, sale: Sale, by: User, data: Mapping[str, Any], lines: Sequence[Mapping[str, Any]], submit: bool = False
) -> Sale:
    return services.update_sale(
        sale=sale,
        by=by,
        customer=data["customer"],
        lines=line_inputs(services.SaleLineInput, lines),
        date=data.get("date") or sale.date,
        notes=data["notes"],
        submit=submit,
    )


def record_payment(*, by: User, data: Mapping[str, Any], request_key: uuid.UUID | None) -> Payment:
    return services.record_payment(
        by=by,
        customer=data["customer"],
        sale=data["sale"],
        amount=data["amount"],
        method=data["method"],
        date=data.get("date"),
        reference=data["reference"],
        notes=data["notes"],
        request_key=request_key,
    )
