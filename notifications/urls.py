from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("alerts/", views.preferences_page, name="preferences"),
    path("digest/", views.digest_page, name="digest"),
]
