"""Auth routes of the REST API (mounted under /api/v1/ by config/api_urls.py)."""

from django.urls import path

from accounts.api import auth

urlpatterns = [
    path("auth/token/", auth.TokenObtainView.as_view(), name="api-token"),
    path("auth/token/refresh/", auth.TokenRefreshRotatingView.as_view(), name="api-token-refresh"),
    path("auth/logout/", auth.LogoutView.as_view(), name="api-logout"),
    path("auth/password/", auth.PasswordChangeView.as_view(), name="api-password"),
    path("me/", auth.MeView.as_view(), name="api-me"),
]
