"""Settings pages for Managers: the seller profile printed on invoices, and the tax rates."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from accounts import roles
from accounts.views import role_required
from company import forms as f
from company import services
from company.models import SellerProfile
from core.errors import DomainError, NotAllowed
from documents.forms import show_domain_error
from tax import compute
from tax.models import TaxRate
from tax.services import save_tax_rate


@role_required(roles.can_manage_master_data)
def seller_profile(request):
    if request.method == "POST":
        form = f.SellerProfileForm(request.POST, request.FILES, instance=SellerProfile.current())
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
            try:
                services.save_seller_profile(by=request.user, **fields)
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                show_domain_error(error, form, {})
            else:
                messages.success(request, "Seller profile saved.")
                return redirect("company:seller-profile")
        return render(request, "company/seller_profile.html", {"form": form}, status=400)
    form = f.SellerProfileForm(instance=SellerProfile.current())
    return render(request, "company/seller_profile.html", {"form": form})


def _rate_page(request, *, tax_rate: TaxRate | None):
    if request.method == "POST":
        form = f.TaxRateForm(request.POST)
        if form.is_valid():
            try:
                saved = save_tax_rate(by=request.user, tax_rate=tax_rate, **form.cleaned_data)
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                show_domain_error(error, form, {})
            else:
                messages.success(request, f"{saved.name} saved.")
                return redirect("company:tax-rates")
        status = 400
    else:
        initial = {} if tax_rate is None else {k: getattr(tax_rate, k) for k in ("name", "rate", "is_active")}
        form, status = f.TaxRateForm(initial=initial), 200
    context = {
        "form": form,
        "tax_rate": tax_rate,
        "rates": TaxRate.objects.all(),
        "regime": _regime_label(),
    }
    return render(request, "company/tax_rates.html", context, status=status)


def _regime_label() -> str:
    labels = {compute.Regime.GST: "GST (India)", compute.Regime.VAT: "VAT", compute.Regime.NONE: "no tax"}
    return labels.get(settings.TAX_REGIME, settings.TAX_REGIME)


@role_required(roles.can_manage_master_data)
def tax_rates(request):
    return _rate_page(request, tax_rate=None)


@role_required(roles.can_manage_master_data)
def tax_rate_edit(request, pk: int):
    return _rate_page(request, tax_rate=get_object_or_404(TaxRate, pk=pk))
