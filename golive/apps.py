from django.apps import AppConfig


class GoLiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "golive"
    verbose_name = "Going live"
