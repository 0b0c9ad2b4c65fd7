"""The versioned REST API: /api/v1/. Each app contributes its routes from its api module."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from config import api_schema

urlpatterns = [
    path("ping", api_schema.ping, name="api-ping"),
    path("", include("accounts.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("purchasing.api")),
    path("", include("production.api")),
    path("", include("sales.api")),
    path("reports/", include("reporting.api")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path(
        "docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("redoc/", login_required(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    re_path(r"^.*$", api_schema.not_found),
]
