from django.urls import path

from company import views

app_name = "company"

urlpatterns = [
    path("seller/", views.seller_profile, name="seller-profile"),
    path("tax-rates/", views.tax_rates, name="tax-rates"),
    path("tax-rates/<int:pk>/", views.tax_rate_edit, name="tax-rate-edit"),
]
