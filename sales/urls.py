from django.urls import path

from sales import invoice_views, views

app_name = "sales"

urlpatterns = [
    path("customers/", views.customer_list, name="customer-list"),
    path("customers/new/", views.customer_new, name="customer-new"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer-edit"),
    *views.sale_pages.urls(),
    *views.payment_pages.urls(),
    # A share link's PDF: no login (the signed token is the permission), see sales/share.py.
    path("shared/invoices/<str:token>/", invoice_views.shared_invoice, name="shared-invoice"),
]
