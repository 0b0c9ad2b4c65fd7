from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from accounts import roles
from accounts.views import role_required
from inventory.drafts import line_inputs
from inventory.errors import DomainError, NotAllowed
from inventory.forms import show_domain_error
from inventory.views import DocumentPages, paginate
from purchasing import forms as f
from purchasing import services
from purchasing.models import Purchase, Supplier


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


def _save_supplier(*, by, instance, fields):
    return services.save_supplier(by=by, supplier=instance, **fields)


@role_required(roles.has_any_role)
def supplier_list(request):
    return party_list(request, Supplier.objects.all(), "purchasing/supplier_list.html")


@role_required(roles.can_manage_master_data)
def supplier_new(request):
    return party_entry(
        request,
        instance=None,
        form_class=f.PartyForm,
        save=_save_supplier,
        template="purchasing/supplier_form.html",
        done="purchasing:supplier-list",
    )


@role_required(roles.can_manage_master_data)
def supplier_edit(request, pk: int):
    return party_entry(
        request,
        instance=get_object_or_404(Supplier, pk=pk),
        form_class=f.PartyForm,
        save=_save_supplier,
        template="purchasing/supplier_form.html",
        done="purchasing:supplier-list",
    )


class PurchasePages(DocumentPages):
    model = Purchase
    namespace = "purchasing"
    slug = "purchase"
    title = "Purchases"
    noun = "purchase"
    header_form = f.PurchaseForm
    formsets = {"lines": f.PurchaseLineFormSet}
    party_field = "supplier"
    party_label = "Supplier"
    list_related = ("created_by", "supplier")

    @staticmethod
    def _lines(rows):
        return line_inputs(services.PurchaseLineInput, rows["lines"])

    def create(self, *, request, header, rows, request_key, submit):
        return services.create_purchase(
            by=request.user,
            supplier=header["supplier"],
            lines=self._lines(rows),
            date=header["date"],
            supplier_bill_number=header["supplier_bill_number"],
            notes=header["notes"],
            request_key=request_key,
            submit=submit,
        )

    def update(self, *, request, document, header, rows):
        return services.update_purchase(
            purchase=document,
            by=request.user,
            supplier=header["supplier"],
            lines=self._lines(rows),
            date=header["date"],
            supplier_bill_number=header["supplier_bill_number"],
            notes=header["notes"],
        )

    def initial_header(self, document):
        return {
            "supplier": document.supplier_id,
            "date": document.date,
            "supplier_bill_number": document.supplier_bill_number,
            "notes": document.notes,
        }

    def initial_rows(self, document):
        return {
            "lines": [
                {
                    "item": line.item_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "tax_rate": line.tax_rate,
                }
                for line in document.lines.all()
            ]
        }


purchase_pages = PurchasePages()
