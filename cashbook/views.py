from __future__ import annotations

from cashbook import forms as f
from cashbook import services
from cashbook.models import CashClosing
from documents import registry
from documents.pages import DocumentPages


class CashClosingPages(DocumentPages):
    model = CashClosing
    namespace = "cashbook"
    slug = "closing"
    title = "Day-end closings"
    noun = "day-end closing"
    header_form = f.CashClosingForm
    formsets = {}
    item_lookup = None
    list_related = ("created_by", "account")
    detail_prefetch = ()
    editable = False  # posted (or sent for approval) as it is saved

    def create(self, *, request, header, rows, request_key, submit):
        return services.record_cash_closing(
            by=request.user,
            account=header["account"],
            counted=header["counted"],
            date=header["date"],
            notes=header["notes"],
            request_key=request_key,
        )


closing_pages = registry.register(CashClosingPages(), order=70)
