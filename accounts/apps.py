from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:

        from . import roles

        # Keeps the role groups in step with ROLE_PERMISSIONS after every migrate, and recreates
        # them after a test flush (which empties the groups the data migration made). Connected for
        # every app: the handler acts on the last one, once every app's permissions exist.
        post_migrate.connect(roles.sync_role_groups_after_migrate, dispatch_uid="accounts.sync_role_groups")
