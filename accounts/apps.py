from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        from django.apps import apps

        from . import roles

        # Keeps the role groups in step with ROLE_PERMISSIONS after every migrate, and recreates
        # them after a test flush (which empties the groups the data migration made). Run for the
        # last app with models: each app's permissions are made by its own post_migrate, so run
        # for this app, the groups missed the permissions of every app listed after it.
        last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(roles.sync_role_groups_after_migrate, sender=last)
