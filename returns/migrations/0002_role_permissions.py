"""Give the role groups their permissions on returns (see accounts.roles.ROLE_PERMISSIONS)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant_return_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations run; make them now so groups get them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    from accounts.roles import sync_role_groups

    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0001_sales_and_purchase_returns"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant_return_permissions, migrations.RunPython.noop)]
