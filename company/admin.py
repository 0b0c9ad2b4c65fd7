from django.contrib import admin

from company import services
from company.models import SellerProfile
from core.admin import ServiceSavedAdmin


@admin.register(SellerProfile)
class SellerProfileAdmin(ServiceSavedAdmin):
    list_display = ("__str__", "gstin", "state_code")
    service_fields = services.PROFILE_FIELDS

    def save(self, request, instance, fields):
        return services.save_seller_profile(by=request.user, **fields)

    def has_add_permission(self, request):
        # One profile: the settings page makes it on first save.
        return super().has_add_permission(request) and not SellerProfile.objects.exists()
