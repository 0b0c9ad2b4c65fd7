"""What the purchase entry page and the API send, handed to the services: one adapter for both.

``data`` is the validated header (a form's ``cleaned_data`` or a serializer's ``validated_data``),
``lines`` its validated line rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.models import User
from documents.drafts import line_inputs
from purchasing import services
from purchasing.models import Purchase


def create_purchase(
    *,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    request_key: uuid.UUID | None,
    submit: bool = False,
) -> Purchase:
    return services.create_purchase(
        by=by,
        supplier=data["supplier"],
        lines=line_inputs(services.PurchaseLineInput, lines),
        date=data.get("date"),
        supplier_bill_number=data["supplier_bill_number"],
        notes=data["notes"],
        request_key=request_key,
        submit=submit,
    )


def update_purchase(
    *,
    purchase: Purchase,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    submit: bool = False,
) -> Purchase:
    return services.update_purchase(
        purchase=purchase,
        by=by,
        supplier=data["supplier"],
        lines=line_inputs(services.PurchaseLineInput, lines),
        date=data.get("date") or purchase.date,
        supplier_bill_number=data["supplier_bill_number"],
        notes=data["notes"],
        submit=submit,
    )
