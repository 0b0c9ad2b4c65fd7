from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("reports/profit-loss/", views.not_built_yet, name="profit-loss"),
    path("reports/stock-movement/", views.not_built_yet, name="stock-movement"),
    path("reports/stock-valuation/", views.not_built_yet, name="stock-valuation"),
    path("reports/customer-sales/", views.not_built_yet, name="customer-sales"),
    path("reports/supplier-costs/", views.not_built_yet, name="supplier-costs"),
    path("reports/production/", views.not_built_yet, name="production"),
]
