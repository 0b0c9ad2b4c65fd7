"""Inventory routes of the REST API (mounted under /api/v1/ by config/api_urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from inventory.api import pickers, views

router = SimpleRouter()
router.register("items", views.ItemViewSet, basename="api-item")
router.register("stock/balances", views.BalanceViewSet, basename="api-balance")
router.register("stock/movements", views.MovementViewSet, basename="api-movement")
router.register("stock-counts", views.StockCountViewSet, basename="api-stock-count")
router.register("periods", views.PeriodViewSet, basename="api-period")

urlpatterns = [
    path("search/items/", pickers.ItemSearchView.as_view(), name="api-search-items"),
    *router.urls,
]
