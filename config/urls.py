from django.contrib import admin
from django.urls import include, path

from config import health

# The API first: Django tries patterns in order, and other programs call it many times a second,
# so its calls should not be matched against every web page's pattern first.
urlpatterns = [
    path("api/v1/", include("config.api_urls")),
    path("", include("reporting.urls")),
    path("accounts/", include("accounts.urls")),
    path("inventory/", include("inventory.urls")),
    path("inventory/", include("documents.urls")),  # the approvals page keeps its address
    path("purchasing/", include("purchasing.urls")),
    path("production/", include("production.urls")),
    path("sales/", include("sales.urls")),
    path("expenses/", include("expenses.urls")),
    path("cashbook/", include("cashbook.urls")),
    path("golive/", include("golive.urls")),
    path("returns/", include("returns.urls")),
    path("settings/", include("company.urls")),
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "config.errors.bad_request"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
