"""The versioned REST API: /api/v1/. Each app contributes its routes from its api module."""

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from core.api import schema as api_schema

# The docs pages run third-party bundles (Swagger UI, Redoc) that set inline styles, and Redoc
# starts a web worker from a blob: URL. Their scripts are files, never inline: only those two
# directives are relaxed, and only on these two pages.
docs_csp = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})

# Routes under a prefix of their own come before the apps' routers, whose many patterns share the
# empty prefix and would all be tried first; bills (sales) lead the routers as the busiest.
urlpatterns = [
    path("ping", api_schema.ping, name="api-ping"),
    path("reports/", include("reporting.api")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path(
        "docs/",
        login_required(docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))),
        name="api-docs",
    ),
    path(
        "redoc/",
        login_required(docs_csp(SpectacularRedocView.as_view(url_name="api-schema"))),
        name="api-redoc",
    ),
    path("", include("sales.api")),
    path("", include("accounts.api.urls")),
    path("", include("documents.api")),
    path("", include("inventory.api.urls")),
    path("", include("purchasing.api")),
    path("", include("production.api")),
    path("", include("expenses.api")),
    path("", include("returns.api")),
    # [\s\S], not ".": a path with a newline in it is still an API path, answered in JSON.
    re_path(r"^[\s\S]*$", api_schema.not_found),
]
