from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date

from accounts import roles
from accounts.views import role_required
from documents import registry
from documents.pages import DocumentPages
from inventory.models import Item
from parties.views import party_entry, party_list
from sales import entry, invoice_views, pickers, selectors, services
from sales import forms as f
from sales.models import Customer, Payment, Sale


def _save_customer(*, by, instance, fields):
    return services.save_customer(by=by, customer=instance, **fields)


@role_required(roles.has_any_role)
def customer_list(request):
    return party_list(request, selectors.customers_with_balances(), "sales/customer_list.html")


def _customer_entry(request, instance):
    return party_entry(
        request,
        instance=instance,
        form_class=f.CustomerForm,
        form_kwargs={"may_set_credit_terms": roles.is_manager(request.user)},
        save=_save_customer,
        template="sales/customer_form.html",
        done="sales:customer-list",
    )


@role_required(roles.can_enter_data)
def customer_new(request):
    return _customer_entry(request, None)


@role_required(roles.can_enter_data)
def customer_edit(request, pk: int):
    return _customer_entry(request, get_object_or_404(Customer, pk=pk))


class SalePages(DocumentPages):
    model = Sale
    namespace = "sales"
    slug = "bill"
    title = "Sales bills"
    noun = "bill"
    header_form = f.SaleForm
    formsets = {"lines": f.SaleLineFormSet}
    party_field = "customer"
    party_label = "Customer"
    list_related = ("created_by", "customer")
    detail_prefetch = ("lines__item__packs", "lines__pack")

    def list_queryset(self, request):
        return selectors.bills_with_payments(super().list_queryset(request))

    def create(self, *, request, header, rows, request_key, submit):
        made = entry.create_bill(
            by=request.user, data=header, lines=rows["lines"], request_key=request_key, submit=submit
        )
        return made.sale

    def update(self, *, request, document, header, rows, submit):
        return entry.update_bill(
            sale=document, by=request.user, data=header, lines=rows["lines"], submit=submit
        )

    def initial_header(self, document):
        return {"customer": document.customer_id, "date": document.date, "notes": document.notes}

    def initial_rows(self, document):
        return {
            "lines": [
                {
                    "item": line.item_id,
                    # Loose units: the packs are their own fields.
                    "quantity": line.quantity - (line.packs or 0) * (line.pack.quantity if line.pack else 0),
                    "unit_price": line.unit_price,
                    "discount": line.discount,
                    "packs": line.packs,
                    "pack": line.pack_id,
                }
                for line in document.lines.select_related("pack")
            ]
        }

    def form_context(self, request):
        # The prices the form suggests when an item is chosen: the customer's list price (for a form
        # sent back with a customer), else the item's default selling price.
        on = parse_date(request.POST.get("date", "") or "") if request.method == "POST" else None
        customer = request.POST.get("customer") if request.method == "POST" else request.GET.get("customer")
        # And tax rates, so each line shows its tax as it is typed (the bill fixes it when posted).
        rates = []
        if settings.TAX_REGIME != "none" and not settings.PRICES_INCLUDE_TAX:
            rates = Item.objects.filter(is_active=True, tax_rate__isnull=False).values_list(
                "pk", "tax_rate__rate"
            )
        return {
            "item_prices": pickers.bill_prices_for_form(customer, on or timezone.localdate()),
            "item_tax_rates": {str(pk): str(rate) for pk, rate in rates if rate},
            "approval_threshold": settings.APPROVAL_THRESHOLD,
            "price_tolerance": settings.PRICE_LIST_TOLERANCE_PERCENT,
        }

    def detail_context(self, request, document):
        bill = selectors.bills_with_payments(Sale.objects.filter(pk=document.pk)).get()
        payments = document.payments.select_related("created_by").order_by("date", "id")
        dispatches = document.dispatches.select_related("sent_by")
        return {
            "bill": bill,
            "payments": payments,
            "dispatches": dispatches,
            "price_tolerance": settings.PRICE_LIST_TOLERANCE_PERCENT,
        }

    def urls(self):
        from django.urls import path

        viewer = role_required(lambda user: self.may_view(user))
        sender = role_required(roles.can_enter_data)
        # Before the generic "<pk>/<action>/" route, which would take "print" for an action.
        return [
            path("bills/<int:pk>/print/", viewer(invoice_views.print_view), name="bill-print"),
            path("bills/<int:pk>/pdf/", viewer(invoice_views.pdf_view), name="bill-pdf"),
            path("bills/<int:pk>/email/", sender(invoice_views.email_view), name="bill-email"),
            path("bills/<int:pk>/share/", sender(invoice_views.share_view), name="bill-share"),
            *super().urls(),
        ]


sale_pages = registry.register(SalePages(), order=30)


class PaymentPages(DocumentPages):
    model = Payment
    namespace = "sales"
    slug = "payment"
    title = "Payments"
    noun = "payment"
    header_form = f.PaymentForm
    formsets = {}
    party_field = "customer"
    party_label = "Customer"
    item_lookup = None
    list_related = ("created_by", "customer", "sale")
    detail_prefetch = ()
    editable = False

    def initial_for_new(self, request):
        initial = {}
        sale_id = request.GET.get("sale", "")
        if sale_id.isdigit():
            sale = Sale.objects.filter(pk=int(sale_id)).first()
            if sale is not None:
                initial = {
                    "sale": sale.number,
                    "customer": sale.customer_id,
                    "amount": selectors.bill_outstanding(sale) or None,
                }
        return initial

    def create(self, *, request, header, rows, request_key, submit):
        return entry.record_payment(by=request.user, data=header, request_key=request_key)


payment_pages = registry.register(PaymentPages(), order=40)
