"""The expense heads every plant starts with; Managers may rename, add or deactivate them."""

from django.db import migrations

CATEGORIES = [
    ("power", "Power"),
    ("wages", "Wages"),
    ("rent", "Rent"),
    ("fuel", "Fuel / diesel"),
    ("transport", "Transport"),
    ("repairs", "Repairs and maintenance"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    ExpenseCategory = apps.get_model("expenses", "ExpenseCategory")
    for code, name in CATEGORIES:
        ExpenseCategory.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("expenses", "0001_expense_categories_and_expenses")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
