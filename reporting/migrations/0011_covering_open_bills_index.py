from django.db import migrations

# The receivables ageing reads each open bill's customer, date and figure. On PostgreSQL the partial
# index of open bills also carries the customer and the figure, so the ageing reads the index alone
# (an index-only scan) instead of visiting every open bill's row. The model declares the index
# without them: SQLite has no such columns, and Django would warn (models.W040) on every migrate.
INDEX = "billoutstanding_open"
TABLE = "reporting_billoutstanding"


def covering(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON {TABLE} (date) INCLUDE (customer_id, outstanding) "
            "WHERE NOT (outstanding = 0)"
        )
        schema_editor.execute(f"ANALYZE {TABLE}")


def plain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} (date) WHERE NOT (outstanding = 0)")


class Migration(migrations.Migration):
    dependencies = [("reporting", "0010_outward_tax_summaries")]

    operations = [migrations.RunPython(covering, plain)]
