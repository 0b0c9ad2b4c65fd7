"""The versioned REST API: /api/v1/. Each app contributes its routes from its api module."""

urlpatterns: list = []
