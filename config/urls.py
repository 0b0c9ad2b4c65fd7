from django.contrib import admin
from django.urls import include, path

from config import health

urlpatterns = [
    path("", include("reporting.urls")),
    path("accounts/", include("accounts.urls")),
    path("inventory/", include("inventory.urls")),
    path("purchasing/", include("purchasing.urls")),
    path("production/", include("production.urls")),
    path("sales/", include("sales.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler500 = "config.errors.server_error"
