from django.urls import path

from golive import views

app_name = "golive"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("template/<str:kind>.<str:fmt>", views.template_download, name="template"),
]
