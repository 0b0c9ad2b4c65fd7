from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("items/", views.item_list, name="item-list"),
    path("items/new/", views.item_new, name="item-new"),
    path("items/<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("items/<int:pk>/active/", views.item_deactivate, name="item-deactivate"),
    path("stock/", views.stock_list, name="stock-list"),
    path("stock/<int:pk>/", views.stock_item, name="stock-item"),
    path("periods/", views.period_list, name="period-list"),
    path("periods/<int:pk>/reopen/", views.period_reopen, name="period-reopen"),
    *views.count_pages.urls(),
]
