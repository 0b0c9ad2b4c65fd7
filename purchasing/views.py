from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts import roles
from accounts.views import role_required
from documents import registry
from documents.pages import DocumentPages
from parties.views import party_entry, party_list
from purchasing import entry, services
from purchasing import forms as f
from purchasing.models import Purchase, Supplier, SupplierPayment


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

    def create(self, *, request, header, rows, request_key, submit):
        return entry.create_purchase(
            by=request.user, data=header, lines=rows["lines"], request_key=request_key, submit=submit
        )

    def update(self, *, request, document, header, rows, submit):
        return entry.update_purchase(
            purchase=document, by=request.user, data=header, lines=rows["lines"], submit=submit
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


class SupplierPaymentPages(DocumentPages):
    model = SupplierPayment
    namespace = "purchasing"
    slug = "supplier-payment"
    title = "Supplier payments"
    noun = "supplier payment"
    header_form = f.SupplierPaymentForm
    formsets = {"allocations": f.AllocationFormSet}
    party_field = "supplier"
    party_label = "Supplier"
    item_lookup = None
    list_related = ("created_by", "supplier")
    detail_prefetch = ("lines__purchase",)
    editable = False  # posted (or sent for approval) as it is saved

    def create(self, *, request, header, rows, request_key, submit):
        return services.record_supplier_payment(
            by=request.user,
            supplier=header["supplier"],
            amount=header["amount"],
            method=header["method"],
            account=header["account"],
            allocations=[
                services.AllocationInput(purchase=row["purchase"], amount=row["amount"])
                for row in rows.get("allocations", [])
            ],
            reference=header["reference"],
            date=header["date"],
            notes=header["notes"],
            request_key=request_key,
        )


supplier_payment_pages = registry.register(SupplierPaymentPages(), order=45)
