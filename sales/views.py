from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404

from accounts import roles
from accounts.views import role_required
from documents import registry
from documents.pages import DocumentPages
from inventory.models import Item
from parties.views import party_entry, party_list
from sales import entry, invoice_views, selectors, services
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
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "discount": line.discount,
                }
                for line in document.lines.all()
            ]
        }

    def form_context(self, request):
        # Default selling prices, so the form can suggest a line's price when an item is chosen.
        prices = Item.objects.filter(is_active=True, default_price__isnull=False).values_list(
            "pk", "default_price"
        )
        # And tax rates, so each line shows its tax as it is typed (the bill fixes it when posted).
        rates = []
        if settings.TAX_REGIME != "none" and not settings.PRICES_INCLUDE_TAX:
            rates = Item.objects.filter(is_active=True, tax_rate__isnull=False).values_list(
                "pk", "tax_rate__rate"
            )
        return {
            "item_prices": {str(pk): str(price) for pk, price in prices},
            "item_tax_rates": {str(pk): str(rate) for pk, rate in rates if rate},
            "approval_threshold": settings.APPROVAL_THRESHOLD,
        }

    def detail_context(self, request, document):
        bill = selectors.bills_with_payments(Sale.objects.filter(pk=document.pk)).get()
        payments = document.payments.select_related("created_by").order_by("date", "id")
        dispatches = document.dispatches.select_related("sent_by")
        return {"bill": bill, "payments": payments, "dispatches": dispatches}

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
