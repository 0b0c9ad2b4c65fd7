"""What the stock count page and the API send, handed to the services: one adapter for both.

``data`` is the validated header (a form's ``cleaned_data`` or a serializer's ``validated_data``),
``lines`` its validated line rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from accounts.models import User
from documents.drafts import line_inputs
from inventory import services
from inventory.models import StockCount


def create_count(
    *,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    request_key: uuid.UUID | None,
    submit: bool = False,
) -> StockCount:
    return services.create_stock_count(
        by=by,
        lines=line_inputs(services.CountLineInput, lines),
        date=data.get("date"),
        notes=data["notes"],
        request_key=request_key,
        submit=submit,
    )


def update_count(
    *,
    count: StockCount,
    by: User,
    data: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    submit: bool = False,
) -> StockCount:
    return services.update_stock_count(
        count=count,
        by=by,
        lines=line_inputs(services.CountLineInput, lines),
        date=data.get("date") or count.date,
        notes=data["notes"],
        submit=submit,
    )
