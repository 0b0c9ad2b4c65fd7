"""Pages for sales returns (credit notes) and purchase returns (debit notes).

The shared document pages (``documents.pages.DocumentPages``) do the list, entry, detail and
actions; these name the forms and services, and find the bill or purchase the lines belong to.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.urls import path

from accounts.views import role_required
from company import taxation
from company.models import SellerProfile
from documents import registry
from documents.pages import DocumentPages
from purchasing.models import Purchase
from returns import entry
from returns import forms as f
from returns.models import PurchaseReturn, SalesReturn
from sales.models import Sale
from tax.compute import Regime
from tax.states import state_name


def _by_number_or_id(model, request, field: str):
    """The document a page is for: the number typed (POST), or ``?<field>=<id>`` from its page."""
    number = (request.POST.get(field) or "").strip().upper()
    if number:
        return model.objects.filter(number=number).first()
    given = request.GET.get(field, "")
    return model.objects.filter(pk=int(given)).first() if given.isdigit() else None


class ReturnPages(DocumentPages):
    namespace = "returns"
    against: type
    against_field: str
    line_field: str

    def _against(self, request, document=None):
        found = _by_number_or_id(self.against, request, self.against_field)
        if found is None and document is not None:
            found = getattr(document, self.against_field)
        return found

    def line_kwargs(self, request) -> dict:
        return {self.against_field: self._against(request, getattr(request, "return_document", None))}

    def edit_view(self, request, pk: int):
        request.return_document = get_object_or_404(self.model, pk=pk)
        return super().edit_view(request, pk)

    def initial_for_new(self, request) -> dict:
        against = self._against(request)
        return {self.against_field: against.number} if against is not None and against.number else {}

    def _new_rows(self, request):
        against = self._against(request)
        if against is None:
            return None
        return [{self.line_field: line.pk} for line in against.lines.all()]

    def new_view(self, request):
        if request.method != "POST":
            rows = self._new_rows(request)
            if rows:
                request.return_rows = rows
        return super().new_view(request)

    def _forms(self, request, data=None, initial=None, rows=None):
        if data is None and rows is None and getattr(request, "return_rows", None):
            rows = {"lines": request.return_rows}
        return super()._forms(request, data=data, initial=initial, rows=rows)

    def form_context(self, request) -> dict:
        return {"approval_threshold": settings.APPROVAL_THRESHOLD}

    def print_view(self, request, pk: int):
        document = get_object_or_404(
            self.model.objects.select_related(self.party_field, self.against_field).prefetch_related(
                "lines__item", f"lines__{self.against_field}_line"
            ),
            pk=pk,
        )
        against = getattr(document, self.against_field)
        seller = SellerProfile.current()
        plant_name = getattr(settings, "PLANT_NAME", "Bottleworks")
        regime = settings.TAX_REGIME
        # As on the tax invoice it is against: GST splits by the invoice's place of supply.
        split = {Regime.GST: "igst" if against.is_inter_state else "cgst_sgst", Regime.VAT: "single"}.get(
            regime, ""
        )
        return render(
            request,
            "returns/note_print.html",
            {
                "document": document,
                "lines": list(document.lines.all()),
                "party": getattr(document, self.party_field),
                "against": against,
                "is_credit": isinstance(document, SalesReturn),
                "plant_name": plant_name,
                "seller": seller,
                "seller_name": seller.legal_name or seller.trade_name or plant_name,
                "seller_state": state_name(seller.state_code),
                "place_of_supply": state_name(against.place_of_supply),
                "split": split,
                "taxed": regime != Regime.NONE,
                "tax_rows": taxation.tax_summary(document.lines.all()),
            },
        )

    def urls(self):
        viewer = role_required(lambda user: self.may_view(user))
        # Before the generic "<pk>/<action>/" route, which would take "print" for an action.
        return [
            path(f"{self.slug}s/<int:pk>/print/", viewer(self.print_view), name=f"{self.slug}-print"),
            *super().urls(),
        ]


class SalesReturnPages(ReturnPages):
    model = SalesReturn
    slug = "sales-return"
    title = "Sales returns"
    noun = "sales return"
    header_form = f.SalesReturnForm
    formsets = {"lines": f.SalesReturnLineFormSet}
    party_field = "customer"
    party_label = "Customer"
    list_related = ("created_by", "customer", "sale")
    detail_prefetch = ("lines__item", "lines__scrap_item")
    against = Sale
    against_field = "sale"
    line_field = "sale_line"

    def create(self, *, request, header, rows, request_key, submit):
        return entry.create_sales_return(
            by=request.user, data=header, lines=rows["lines"], request_key=request_key, submit=submit
        )

    def update(self, *, request, document, header, rows, submit):
        return entry.update_sales_return(
            sales_return=document, by=request.user, data=header, lines=rows["lines"], submit=submit
        )

    def initial_header(self, document):
        return {
            "sale": document.sale.number,
            "settlement": document.settlement,
            "refund_method": document.refund_method,
            "date": document.date,
            "notes": document.notes,
        }

    def initial_rows(self, document):
        return {
            "lines": [
                {
                    "sale_line": line.sale_line_id,
                    "quantity": line.quantity,
                    "disposition": line.disposition,
                    "reason": line.reason,
                    "scrap_item": line.scrap_item_id,
                    "scrap_value": line.scrap_value if line.scrap_item_id else None,
                }
                for line in document.lines.all()
            ]
        }


class PurchaseReturnPages(ReturnPages):
    model = PurchaseReturn
    slug = "purchase-return"
    title = "Purchase returns"
    noun = "purchase return"
    header_form = f.PurchaseReturnForm
    formsets = {"lines": f.PurchaseReturnLineFormSet}
    party_field = "supplier"
    party_label = "Supplier"
    list_related = ("created_by", "supplier", "purchase")
    against = Purchase
    against_field = "purchase"
    line_field = "purchase_line"

    def create(self, *, request, header, rows, request_key, submit):
        return entry.create_purchase_return(
            by=request.user, data=header, lines=rows["lines"], request_key=request_key, submit=submit
        )

    def update(self, *, request, document, header, rows, submit):
        return entry.update_purchase_return(
            purchase_return=document, by=request.user, data=header, lines=rows["lines"], submit=submit
        )

    def initial_header(self, document):
        return {"purchase": document.purchase.number, "date": document.date, "notes": document.notes}

    def initial_rows(self, document):
        return {
            "lines": [
                {"purchase_line": line.purchase_line_id, "quantity": line.quantity, "reason": line.reason}
                for line in document.lines.all()
            ]
        }


sales_return_pages = registry.register(SalesReturnPages(), order=44)
purchase_return_pages = registry.register(PurchaseReturnPages(), order=46)
