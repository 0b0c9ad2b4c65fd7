"""Pages for items, stock, stock counts and closed periods (the pages every document type shares are
``documents.pages.DocumentPages``).

Views only parse input, call one service and render; a refused action's message is put next to the
field or line it concerns (``documents.forms.show_domain_error``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render

from accounts import roles
from accounts.views import role_required
from core.errors import DomainError, NotAllowed
from documents import registry
from documents.forms import ReasonForm, show_domain_error, silence, with_extra_row
from documents.pages import PAGE_SIZE, DocumentPages, paginate
from inventory import count_entry, services, stock_history
from inventory import forms as f
from inventory.models import ClosedPeriod, Item, StockBalance, StockCount

# Stock counts ---------------------------------------------------------------------------------


class StockCountPages(DocumentPages):
    model = StockCount
    namespace = "inventory"
    slug = "count"
    title = "Stock counts"
    noun = "stock count"
    header_form = f.StockCountForm
    formsets = {"lines": f.CountLineFormSet}
    may_view = staticmethod(roles.can_see_costs)
    may_enter = staticmethod(roles.can_count_stock)

    def header_kwargs(self, request) -> dict:
        return {}

    def create(self, *, request, header, rows, request_key, submit):
        return count_entry.create_count(
            by=request.user, data=header, lines=rows["lines"], request_key=request_key, submit=submit
        )

    def update(self, *, request, document, header, rows, submit):
        return count_entry.update_count(
            count=document, by=request.user, data=header, lines=rows["lines"], submit=submit
        )

    def initial_rows(self, document):
        return {
            "lines": [
                {"item": line.item_id, "quantity": line.counted_quantity} for line in document.lines.all()
            ]
        }


count_pages = registry.register(StockCountPages(), order=50)


# Items ----------------------------------------------------------------------------------------


@role_required(roles.has_any_role)
def item_list(request):
    form = f.ItemSearchForm(request.GET or None)
    items = Item.objects.select_related("balance").order_by("sku")
    show = "active"
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            items = items.filter(Q(sku__icontains=q) | Q(name__icontains=q))
        show = form.cleaned_data["show"] or "active"
    if show != "all":
        items = items.filter(is_active=show == "active")
    page, query = paginate(request, items)
    return render(request, "inventory/item_list.html", {"form": form, "page": page, "query": query})


def _item_entry(request, item: Item | None):
    initial = {}
    rows = []
    if item is not None:
        initial = {name: getattr(item, name) for name in services.ITEM_FIELDS}
        rows = [{"item": r.component_id, "quantity": r.quantity} for r in item.recipe_lines.all()]
    if request.method == "POST":
        data = request.POST
        if "add_recipe" in data:
            form, recipe = (
                f.ItemForm(with_extra_row(data, "recipe")),
                f.RecipeFormSet(with_extra_row(data, "recipe"), prefix="recipe"),
            )
            silence(form)
            silence(recipe)
            return render(request, "inventory/item_form.html", {"form": form, "recipe": recipe, "item": item})
        form, recipe = f.ItemForm(data), f.RecipeFormSet(data, prefix="recipe")
        if form.is_valid() and recipe.is_valid():
            lines = [
                services.RecipeInput(item=r.cleaned_data["item"], quantity=r.cleaned_data["quantity"])
                for r in recipe.kept_forms()
            ]
            try:
                saved = services.save_item_with_recipe(
                    by=request.user, item=item, recipe=lines, **form.cleaned_data
                )
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                general = show_domain_error(error, form, {"recipe": recipe})
                return render(
                    request,
                    "inventory/item_form.html",
                    {"form": form, "recipe": recipe, "item": item, "general_errors": general},
                    status=400,
                )
            messages.success(request, f"Item {saved.sku} saved.")
            return redirect("inventory:item-list")
        return render(
            request, "inventory/item_form.html", {"form": form, "recipe": recipe, "item": item}, status=400
        )
    form = f.ItemForm(initial=initial)
    recipe = f.RecipeFormSet(prefix="recipe", initial=rows)
    return render(request, "inventory/item_form.html", {"form": form, "recipe": recipe, "item": item})


@role_required(roles.can_manage_master_data)
def item_new(request):
    return _item_entry(request, None)


@role_required(roles.can_manage_master_data)
def item_edit(request, pk: int):
    return _item_entry(request, get_object_or_404(Item, pk=pk))


@role_required(roles.can_manage_master_data)
def item_deactivate(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    item = get_object_or_404(Item, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.save_item(by=request.user, item=item, is_active=active)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{item.sku} is now {'active' if active else 'inactive'}.")
    return redirect("inventory:item-list")


# Stock ----------------------------------------------------------------------------------------


@role_required(roles.has_any_role)
def stock_list(request):
    form = f.ItemSearchForm(request.GET or None)
    items = (
        Item.objects.filter(is_active=True)
        .select_related("balance")
        .prefetch_related("packs")
        .order_by("sku")
    )
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        items = items.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    items = items.annotate(on_hand=F("balance__quantity"), stock_value=F("balance__value"))
    page, query = paginate(request, items)
    totals = None
    if roles.can_see_costs(request.user):
        totals = StockBalance.objects.aggregate(value=Sum("value"))
    return render(
        request, "inventory/stock_list.html", {"form": form, "page": page, "query": query, "totals": totals}
    )


@role_required(roles.has_any_role)
def stock_item(request, pk: int):
    item = get_object_or_404(Item.objects.select_related("balance").prefetch_related("packs"), pk=pk)
    # One page of the ledger, with the balance after each movement walked back from the balance row.
    page = stock_history.movements_page(item=item, request=request, size=PAGE_SIZE)
    balance = getattr(item, "balance", None)
    return render(
        request,
        "inventory/stock_item.html",
        {"item": item, "balance": balance, "page": page, "source_urls": _source_urls()},
    )


def _source_urls() -> dict[str, str]:
    """Where a movement's source document lives, by its model label (for links)."""
    return {
        "purchasing.purchase": "purchasing:purchase-detail",
        "production.productionrun": "production:run-detail",
        "sales.sale": "sales:bill-detail",
        "inventory.stockcount": "inventory:count-detail",
        "returns.salesreturn": "returns:sales-return-detail",
        "returns.purchasereturn": "returns:purchase-return-detail",
    }


# Closed periods -------------------------------------------------------------------------------


def _periods_page(request, close_form=None, reason_form=None, status: int = 200):
    periods = list(ClosedPeriod.objects.select_related("closed_by", "reopened_by")[:200])
    latest = next((period for period in periods if not period.is_reopened), None)
    context = {
        "periods": periods,
        "latest": latest,
        "may_close": roles.can_close_periods(request.user),
        "may_reopen": roles.can_reopen_periods(request.user),
        "close_form": close_form or f.ClosePeriodForm(),
        "reason_form": reason_form or ReasonForm(),
    }
    return render(request, "inventory/period_list.html", context, status=status)


@role_required(roles.can_see_periods)
def period_list(request):
    """Closed periods; a Manager closes the next one, the Owner may reopen the latest."""
    if request.method != "POST":
        return _periods_page(request)
    form = f.ClosePeriodForm(request.POST)
    if form.is_valid():
        try:
            period = services.close_period(
                by=request.user, through=form.cleaned_data["through"], note=form.cleaned_data["note"]
            )
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            show_domain_error(error, form, {})
        else:
            messages.success(
                request, f"Everything dated on or before {period.closed_through:%d %b %Y} is closed."
            )
            return redirect("inventory:period-list")
    return _periods_page(request, close_form=form, status=400)


@role_required(roles.can_see_periods)
def period_reopen(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    period = get_object_or_404(ClosedPeriod, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_period(by=request.user, period=period, reason=form.cleaned_data["reason"])
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            show_domain_error(error, form, {})
        else:
            messages.success(request, f"The close through {period.closed_through:%d %b %Y} is reopened.")
            return redirect("inventory:period-list")
    return _periods_page(request, reason_form=form, status=400)
