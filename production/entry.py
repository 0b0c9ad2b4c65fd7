"""What the production run page and the API send, handed to the services: one adapter for both.

``data`` is the validated header (a form's ``cleaned_data`` or a serializer's ``validated_data``);
``inputs`` and ``rejects`` its validated rows. ``inputs`` None: the product's recipe for good +
rejected bottles (the services' rule).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from accounts.models import User
from production import services
from production.models import ProductionRun

Rows = Sequence[Mapping[str, Any]]


def _fields(data: Mapping[str, Any], inputs: Rows | None, rejects: Rows) -> dict[str, Any]:
    return {
        "product": data["product"],
        "good_quantity": data["good_quantity"],
        "machine": data["machine"],
        "shift": data["shift"],
        "conversion_cost": data["conversion_cost"] or Decimal("0"),
        "scrap_item": data["scrap_item"],
        "scrap_quantity": data["scrap_quantity"] or 0,
        "scrap_value": data["scrap_value"] or Decimal("0"),
        "notes": data["notes"],
        "rejects": [services.RejectLine(reason=r["reason"], quantity=r["quantity"]) for r in rejects],
        "inputs": None
        if inputs is None
        else [services.InputLine(item=r["item"], quantity=r["quantity"]) for r in inputs],
    }


def create_run(
    *,
    by: User,
    data: Mapping[str, Any],
    inputs: Rows | None,
    rejects: Rows,
    request_key: uuid.UUID | None,
    submit: bool = False,
) -> ProductionRun:
    return services.create_run(
        by=by,
        date=data.get("date"),
        request_key=request_key,
        submit=submit,
        **_fields(data, inputs, rejects),
    )


def update_run(
    *,
    run: ProductionRun,
    by: User,
    data: Mapping[str, Any],
    inputs: Rows | None,
    rejects: Rows,
    submit: bool = False,
) -> ProductionRun:
    return services.update_run(
        run=run, by=by, date=data.get("date") or run.date, submit=submit, **_fields(data, inputs, rejects)
    )
