from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts import services
from accounts.models import User
from core.search import LimitedSearchAdmin

# A change to any of these ends the user's API tokens: none of them may ride on an older token.
TOKEN_ENDING_FIELDS = {"is_active", "is_superuser", "groups"}


@admin.register(User)
class UserAdmin(LimitedSearchAdmin, DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "roles")
    list_filter = ("is_active", "groups")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the groups are saved here
        changed = TOKEN_ENDING_FIELDS.intersection(form.changed_data)
        if change and changed:
            services.end_all_tokens(
                user=form.instance, reason="changed in admin: " + ",".join(sorted(changed))
            )

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
