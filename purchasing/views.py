from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts import roles
from accounts.views import role_required
from documents import registry
from documents.drafts import line_inputs
from documents.pages import DocumentPages
from parties.views import party_entry, party_list
from purchasing import forms as f
from purchasing import services
from purchasing.models import Purchase, Supplier


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


purchase_pages = registry.register(PurchasePages(), order=10)
