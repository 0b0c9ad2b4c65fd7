"""The exceptions' entry-time and entry-lag indexes: on PostgreSQL, where the report reads them; not
on SQLite, where they would need Django's own SQL functions in every connection that writes a bill
(a backup checked with plain sqlite3 could not)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db
ENTRY_INDEXES = {
    "sales_sale": {"sale_entered_time", "sale_entry_lag"},
    "sales_payment": {"payment_entered_time", "payment_entry_lag"},
    "production_productionrun": {"run_entered_time", "run_entry_lag"},
}


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_the_entry_indexes_exist_on_postgresql_only():
    for table, names in ENTRY_INDEXES.items():
        if connection.vendor == "postgresql":
            assert names <= _indexes(table), table
        else:
            assert not names & _indexes(table), table
