from django.urls import path

from purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/new/", views.supplier_new, name="supplier-new"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier-edit"),
    *views.purchase_pages.urls(),
    *views.supplier_payment_pages.urls(),
]
