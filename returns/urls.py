from returns import views

app_name = "returns"

urlpatterns = [
    *views.sales_return_pages.urls(),
    *views.purchase_return_pages.urls(),
]
