"""Pages shared by suppliers and customers: the searchable list and the entry form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render

from core.errors import DomainError, NotAllowed
from documents.forms import show_domain_error
from documents.pages import paginate
from parties import forms as f


def party_list(request, queryset, template: str, extra: dict | None = None):
    """A searchable list of suppliers or customers (active ones unless asked otherwise)."""
    form = f.PartySearchForm(request.GET or None)
    show = "active"
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            queryset = queryset.filter(
                Q(name__icontains=q) | Q(phone__icontains=q) | Q(contact_person__icontains=q)
            )
        show = form.cleaned_data["show"] or "active"
    if show != "all":
        queryset = queryset.filter(is_active=show == "active")
    page, query = paginate(request, queryset.order_by("name"))
    return render(request, template, {"form": form, "page": page, "query": query, **(extra or {})})


def party_entry(request, *, instance, form_class, save, template: str, done: str, form_kwargs=None):
    """Create or change a supplier/customer through its service; errors go next to their fields."""
    form_kwargs = form_kwargs or {}
    if request.method == "POST":
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                saved = save(by=request.user, instance=instance, fields=form.cleaned_data)
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                show_domain_error(error, form, {})
            else:
                messages.success(request, f"{saved.name} saved.")
                return redirect(done)
        return render(request, template, {"form": form, "party": instance}, status=400)
    initial = {}
    if instance is not None:
        initial = {
            name: getattr(instance, name) for name in form_class.base_fields if hasattr(instance, name)
        }
    return render(request, template, {"form": form_class(initial=initial, **form_kwargs), "party": instance})
