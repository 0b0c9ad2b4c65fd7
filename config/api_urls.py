"""The versioned REST API: /api/v1/. Each app contributes its routes from its api module."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api")),
    path("", include("inventory.api")),
    path("", include("purchasing.api")),
    path("", include("production.api")),
    path("", include("sales.api")),
    path("reports/", include("reporting.api")),
]
