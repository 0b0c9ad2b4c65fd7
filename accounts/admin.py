from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import User
from config.search import LimitedSearchAdmin


@admin.register(User)
class UserAdmin(LimitedSearchAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "roles")
    list_filter = ("is_active", "groups")

    @admin.display(description="Role")
    def roles(self, obj: User) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


def _managers_only(request) -> bool:
    """Django admin is for Managers; Staff and the Owner use the app's own pages."""
    from accounts import roles

    return request.user.is_active and roles.is_manager(request.user)


admin.site.has_permission = _managers_only
admin.site.site_header = "Bottleworks admin"
admin.site.site_title = "Bottleworks admin"
