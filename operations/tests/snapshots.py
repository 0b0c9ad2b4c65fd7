"""Everything a restore must bring back, read straight from a database connection (DB-API)."""

from __future__ import annotations

from typing import Any


def database_snapshot(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """Per table: the row count and every row (sorted); plus stock balances and ledger sums."""
    rows = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT * FROM "{table}"')
        rows[table] = sorted((tuple(row) for row in cursor.fetchall()), key=repr)
    cursor.execute("SELECT item_id, quantity, value FROM inventory_stockbalance ORDER BY item_id")
    balances = [tuple(row) for row in cursor.fetchall()]
    cursor.execute(
        "SELECT item_id, SUM(quantity), SUM(value), COUNT(*) FROM inventory_stockmovement "
        "GROUP BY item_id ORDER BY item_id"
    )
    ledger = [tuple(row) for row in cursor.fetchall()]
    return {
        "counts": {table: len(content) for table, content in rows.items()},
        "rows": rows,
        "balances": balances,
        "ledger": ledger,
        "history": {table: content for table, content in rows.items() if "historical" in table},
    }
