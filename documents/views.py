"""The approvals page: every registered document type's documents waiting for a decision."""

from __future__ import annotations

from django.shortcuts import render

from accounts import roles
from accounts.views import role_required
from documents import forms as f
from documents import lifecycle, registry
from documents.models import DocumentStatus


@role_required(lambda user: roles.can_approve(user))
def approvals(request):
    groups = []
    for pages in registry.document_pages():
        related = [name for name in ("created_by", pages.party_field) if name]
        pending = list(
            pages.model.objects.filter(status=DocumentStatus.PENDING)
            .select_related(*related)
            .prefetch_related("edited_by")  # who may not decide (roles.can_approve)
            .order_by("date", "id")
        )
        for document in pending:
            document.may_decide = roles.can_approve(request.user, document)
            document.waiting_reason = lifecycle.waiting_reason(document, request.user)
        if pending:
            groups.append({"pages": pages, "documents": pending})
    return render(request, "inventory/approvals.html", {"groups": groups, "reason_form": f.ReasonForm()})
