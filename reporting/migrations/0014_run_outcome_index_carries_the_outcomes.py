from django.db import migrations

# On PostgreSQL the run medians' index (``runoutcome_group``) also carries what they read of each
# run, so a window's runs are read from the index alone (an index-only scan), not from a heap page
# per run. The index keeps its name, columns and condition (the model's state is unchanged);
# SQLite has no INCLUDE, and there the index stays as 0013 made it.
COVERING = (
    "CREATE INDEX runoutcome_group ON reporting_runoutcome (product_id, machine, shift, date) "
    "INCLUDE (run_id, created_by_id, good, rejected, conversion) WHERE runs > 0"
)
PLAIN = "CREATE INDEX runoutcome_group ON reporting_runoutcome (product_id, machine, shift, date) WHERE runs > 0"


def _rebuild(schema_editor, create: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX runoutcome_group")
        schema_editor.execute(create)
        # Fresh statistics; the visibility map an index-only scan relies on is autovacuum's (a
        # migration runs in a transaction, where VACUUM cannot).
        schema_editor.execute("ANALYZE reporting_runoutcome")


def carry_the_outcomes(apps, schema_editor):
    _rebuild(schema_editor, COVERING)


def carry_the_key_only(apps, schema_editor):
    _rebuild(schema_editor, PLAIN)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0013_run_outcomes")]

    operations = [migrations.RunPython(carry_the_outcomes, carry_the_key_only)]
