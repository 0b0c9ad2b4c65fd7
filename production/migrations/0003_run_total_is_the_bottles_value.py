"""A posted run's total was left at 0.00; fill it with the value of the good bottles it made.

The figure is derived from the run's own stored columns (inputs + conversion cost − scrap credit),
exactly as posting now sets it, so no history row is needed to explain it.
"""

from django.db import migrations
from django.db.models import F


def fill_totals(apps, schema_editor):
    ProductionRun = apps.get_model("production", "ProductionRun")
    ProductionRun.objects.filter(input_value__isnull=False).update(
        total=F("input_value") + F("conversion_cost") - F("scrap_value")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("production", "0002_document_edited_by"),
    ]

    operations = [
        migrations.RunPython(fill_totals, migrations.RunPython.noop),
    ]
