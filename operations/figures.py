"""The figures a backup carries and a restored copy must show again: rows per table, and the
ledger's sums and balances per item.

Plain SQL on a DB-API cursor, because the figures are read where the ORM does not reach: inside the
snapshot that ``pg_dump`` copies (PostgreSQL), on the SQLite copy that goes into the backup, and on a
scratch database restored from it, which is not one of Django's connections. The ledger part is
compared with the ORM's aggregates by a test (operations/tests/test_verify_backup.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.money import CENT
from inventory.models import StockBalance, StockMovement


def _cents(value: Any) -> str:
    # SQLite adds decimals in floating point; rounded to the cent the sums are exact again.
    return str(Decimal(str(value or 0)).quantize(CENT))


def table_names(cursor: Any, vendor: str) -> list[str]:
    """Every table of the database; outside PostgreSQL's ``public`` schema as ``schema.table``."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2"
        )
        return [table if schema == "public" else f"{schema}.{table}" for schema, table in cursor.fetchall()]
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    )
    return [name for (name,) in cursor.fetchall()]


def _quoted(table: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in table.split(".", 1))


def _columns(model: Any) -> list[str]:
    return [_quoted(model._meta.get_field(name).column) for name in ("item", "quantity", "value")]


def read_figures(cursor: Any, vendor: str) -> dict[str, Any]:
    """Row counts per table, and per item: movements, Σ quantity and Σ value, and the balance."""
    tables = table_names(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quoted(table)}")
        counts[table] = cursor.fetchone()[0]
    ledger: dict[str, dict[str, Any]] = {}
    balances: dict[str, dict[str, Any]] = {}
    movements, stock = StockMovement._meta.db_table, StockBalance._meta.db_table
    if movements in counts:
        item, quantity, value = _columns(StockMovement)
        cursor.execute(
            f"SELECT {item}, COUNT(*), SUM({quantity}), SUM({value}) "
            f"FROM {_quoted(movements)} GROUP BY {item}"
        )
        for item_id, n, quantity, value in cursor.fetchall():
            ledger[str(item_id)] = {"movements": n, "quantity": int(quantity or 0), "value": _cents(value)}
    if stock in counts:
        item, quantity, value = _columns(StockBalance)
        cursor.execute(f"SELECT {item}, {quantity}, {value} FROM {_quoted(stock)}")
        for item_id, quantity, value in cursor.fetchall():
            balances[str(item_id)] = {"quantity": int(quantity), "value": _cents(value)}
    return {"format": 1, "vendor": vendor, "tables": counts, "ledger": ledger, "balances": balances}


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What a restored copy shows differently from the manifest, one line a difference."""
    problems = []
    want, got = expected.get("tables", {}), found.get("tables", {})
    for table in sorted(set(want) | set(got)):
        if table not in got:
            problems.append(f"table {table} is missing from the restored copy ({want[table]} rows expected)")
        elif table not in want:
            problems.append(f"table {table} is in the restored copy but not in the manifest")
        elif want[table] != got[table]:
            problems.append(f"table {table}: {got[table]} rows restored, the manifest says {want[table]}")
    for part, label in (("ledger", "movements"), ("balances", "balance")):
        want, got = expected.get(part, {}), found.get(part, {})
        for item in sorted(set(want) | set(got), key=lambda k: (len(k), k)):
            if want.get(item) != got.get(item):
                problems.append(
                    f"item #{item} {label}: restored {_describe(got.get(item))}, "
                    f"the manifest says {_describe(want.get(item))}"
                )
    return problems


def _describe(figures: dict[str, Any] | None) -> str:
    if figures is None:
        return "nothing"
    return " / ".join(f"{key} {figures[key]}" for key in sorted(figures))
