"""The admin of every document type: read-only, with approve and cancel (with a reason) as actions
that call ``documents.lifecycle`` and report refusals as messages.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.response import TemplateResponse

from core.admin import ReadOnlyAdmin
from core.errors import DomainError
from documents import lifecycle


class DocumentAdmin(ReadOnlyAdmin):
    """A document type: read-only, with approve and cancel (with a reason) as admin actions."""

    list_display = ("__str__", "date", "status", "total", "created_by")
    list_filter = ("status", "date")
    search_fields = ("number",)
    date_hierarchy = "date"
    actions = ["approve_documents", "cancel_documents"]
    list_select_related = ("created_by",)

    def has_change_permission(self, request, obj=None):
        # Actions need the change permission; every object form stays read-only (see below).
        return obj is None and request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.opts.fields]

    @admin.action(description="Approve selected pending documents")
    def approve_documents(self, request, queryset):
        done = 0
        for document in queryset.order_by("id"):
            try:
                lifecycle.approve(document=document, by=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{document}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} approved and posted.", messages.SUCCESS)

    @admin.action(description="Cancel selected posted documents (asks for a reason)")
    def cancel_documents(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirmed") != "yes" or not reason:
            if request.POST.get("confirmed") == "yes":
                self.message_user(request, "Give a reason to cancel.", messages.ERROR)
            return TemplateResponse(
                request,
                "admin/cancel_with_reason.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "queryset": queryset,
                    "count": queryset.count(),
                    "title": f"Cancel {queryset.count()} {self.opts.verbose_name_plural}",
                },
            )
        done = 0
        for document in queryset.order_by("id"):
            try:
                lifecycle.cancel(document=document, by=request.user, reason=reason)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{document}: {error.message}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} cancelled; their movements are reversed.", messages.SUCCESS)
        return None
