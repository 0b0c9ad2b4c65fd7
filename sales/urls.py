from django.urls import path

from sales import views

app_name = "sales"

urlpatterns = [
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_new, name="customer-new"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    *views.sale_pages.urls(),
    *views.payment_pages.urls(),
]
