"""Pages for items, stock, stock counts and approvals, and ``DocumentPages``: the list, entry form,
detail page and actions every document type shares (purchases, runs, bills, payments, counts).

Views only parse input, call one service and render; a refused action's message is put next to the
field or line it concerns (``inventory.forms.show_domain_error``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Q, Sum
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from accounts import roles
from accounts.views import role_required
from config import keyset
from inventory import forms as f
from inventory import lifecycle, services, stock_history
from inventory.documents import Document, DocumentStatus
from inventory.drafts import line_inputs
from inventory.errors import DomainError, InvalidDocument, NotAllowed
from inventory.models import ClosedPeriod, Item, ItemKind, StockBalance, StockCount

PAGE_SIZE = 100


def paginate(request, queryset, size: int = PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _history(document: Any) -> list[dict]:
    """Who did what to a document, and when: its history rows with the status change of each."""
    records = list(document.history.select_related("history_user").order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        if record.history_type == "+":
            what = "Created"
        elif record.history_type == "-":
            what = "Deleted"
        elif previous is not None and previous.status != record.status:
            what = f"{previous.get_status_display()} → {record.get_status_display()}"
        else:
            what = "Changed"
        entries.append({"record": record, "what": what})
        previous = record
    return list(reversed(entries))


class DocumentPages:
    """One document type's pages. Subclasses name the model, forms and services to call."""

    model: type[Document]
    namespace: str
    slug: str
    title: str
    noun: str
    header_form: type[f.RequestKeyForm]
    formsets: dict[str, type] = {}
    party_field: str | None = None
    party_label: str = ""
    item_lookup: str | tuple[str, ...] | None = "lines__item"
    list_related: tuple[str, ...] = ("created_by",)
    detail_prefetch: tuple[str, ...] = ("lines__item",)
    may_view: Callable[[Any], bool] = staticmethod(roles.has_any_role)
    may_enter: Callable[[Any], bool] = staticmethod(roles.can_enter_data)
    editable: bool = True  # False: the form posts the document at once (payments)

    # --- hooks ------------------------------------------------------------------------------

    def header_kwargs(self, request) -> dict:
        return {"user": request.user}

    def create(self, *, request, header: dict, rows: dict[str, list[dict]], request_key, submit: bool):
        raise NotImplementedError

    def update(self, *, request, document, header: dict, rows: dict[str, list[dict]]):
        raise NotImplementedError

    def initial_header(self, document) -> dict:
        return {"date": document.date, "notes": document.notes}

    def initial_rows(self, document) -> dict[str, list[dict]]:
        return {}

    def handle_button(self, request, data, document):
        """A page-specific submit button (e.g. fill from recipe): return new data, or None."""
        return None

    def list_queryset(self, request):
        return self.model.objects.select_related(*self.list_related)

    def detail_context(self, request, document) -> dict:
        return {}

    # --- URLs --------------------------------------------------------------------------------

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{self.slug}-{name}", args=args)

    def urls(self) -> list:
        viewer = role_required(lambda user: self.may_view(user))
        enterer = role_required(lambda user: self.may_enter(user))
        base = f"{self.slug}s/"
        return [
            path(base, viewer(self.list_view), name=f"{self.slug}-list"),
            path(f"{base}new/", enterer(self.new_view), name=f"{self.slug}-new"),
            path(f"{base}<int:pk>/", viewer(self.detail_view), name=f"{self.slug}-detail"),
            path(f"{base}<int:pk>/edit/", enterer(self.edit_view), name=f"{self.slug}-edit"),
            path(
                f"{base}<int:pk>/<str:action>/",
                viewer(self.action_view),
                name=f"{self.slug}-action",
            ),
        ]

    def context(self, **extra) -> dict:
        return {"pages": self, "title": self.title, "noun": self.noun, **extra}

    def template(self, kind: str) -> str:
        return f"{self.namespace}/{self.model._meta.model_name}_{kind}.html"

    # --- list --------------------------------------------------------------------------------

    def list_view(self, request):
        form = f.DocumentFilterForm(
            request.GET or None,
            party_label=self.party_label if self.party_field else "",
            with_items=self.item_lookup is not None,
        )
        queryset = self.list_queryset(request)
        # Apply every filter that parses; a malformed one is shown as an error and ignored.
        if form.is_bound:
            form.is_valid()
            data = form.cleaned_data
            if data.get("q"):
                queryset = queryset.filter(number__icontains=data["q"].strip())
            if data.get("date_from"):
                queryset = queryset.filter(date__gte=data["date_from"])
            if data.get("date_to"):
                queryset = queryset.filter(date__lte=data["date_to"])
            if data.get("status"):
                queryset = queryset.filter(status=data["status"])
            if data.get("party", "").strip() and self.party_field:
                queryset = queryset.filter(**{f"{self.party_field}__name__icontains": data["party"].strip()})
            if data.get("item") and self.item_lookup:
                # A semi-join, not a join + DISTINCT over the annotated rows.
                lookups = (self.item_lookup,) if isinstance(self.item_lookup, str) else self.item_lookup
                matches = Q()
                for lookup in lookups:
                    matches |= Q(**{lookup: data["item"]})
                with_item = self.model.objects.filter(matches).values("pk")
                queryset = queryset.filter(pk__in=with_item)
        # Newest first, a keyset page at any depth; the count stops at keyset.COUNT_LIMIT.
        page = keyset.keyset_page(queryset, request=request, size=PAGE_SIZE, salt=self.slug)
        found, more = keyset.bounded_count(queryset)
        return render(
            request,
            self.template("list"),
            self.context(
                form=form,
                page=page,
                found=found,
                more_found=more,
                may_enter=self.may_enter(request.user),
                # A document's page is "<list>/<pk>/": one reverse() per page, not one per row.
                list_url=self.url("list"),
            ),
        )

    # --- entry -------------------------------------------------------------------------------

    def _forms(self, request, data=None, initial=None, rows=None):
        form = self.header_form(data, initial=initial, **self.header_kwargs(request))
        formsets = {
            prefix: cls(
                data, prefix=prefix, initial=(rows or {}).get(prefix), form_kwargs=self.line_kwargs(request)
            )
            for prefix, cls in self.formsets.items()
        }
        return form, formsets

    def line_kwargs(self, request) -> dict:
        return {}

    def form_context(self, request) -> dict:
        return {}

    def _render_form(self, request, form, formsets, document=None, general=(), status=200):
        return render(
            request,
            self.template("form"),
            self.context(
                form=form,
                formsets=formsets,
                document=document,
                general_errors=general,
                **self.form_context(request),
            ),
            status=status,
        )

    def new_view(self, request):
        return self._entry(request, None)

    def edit_view(self, request, pk: int):
        document = get_object_or_404(self.model, pk=pk)
        if not self.editable or not roles.can_edit_draft(request.user, document):
            raise PermissionDenied
        if not document.is_draft:
            messages.error(
                request,
                f"{document.display_number} is {document.get_status_display().lower()}; "
                "only drafts can be changed.",
            )
            return redirect(self.url("detail", document.pk))
        return self._entry(request, document)

    def _entry(self, request, document):
        if request.method != "POST":
            if document is None:
                initial = {"date": timezone.localdate(), "request_key": f.RequestKeyForm.fresh()}
                initial.update(self.initial_for_new(request))
                form, formsets = self._forms(request, initial=initial)
            else:
                form, formsets = self._forms(
                    request, initial=self.initial_header(document), rows=self.initial_rows(document)
                )
            return self._render_form(request, form, formsets, document)

        data = request.POST
        for prefix in self.formsets:
            if f"add_{prefix}" in data:
                return self._redisplay(request, f.with_extra_row(data, prefix), document)
        changed = self.handle_button(request, data, document)
        if changed is not None:
            return changed

        form, formsets = self._forms(request, data)
        valid = form.is_valid()
        valid = all([fs.is_valid() for fs in formsets.values()]) and valid
        if not valid:
            return self._render_form(request, form, formsets, document, status=400)
        rows = {prefix: [line.cleaned_data for line in fs.kept_forms()] for prefix, fs in formsets.items()}
        submit = "submit" in data
        try:
            # One transaction: a refused submit also undoes the draft's changes — nothing is written.
            with transaction.atomic():
                if document is None:
                    saved = self.create(
                        request=request,
                        header=form.cleaned_data,
                        rows=rows,
                        request_key=form.cleaned_data.get("request_key"),
                        submit=submit,
                    )
                else:
                    saved = self.update(
                        request=request, document=document, header=form.cleaned_data, rows=rows
                    )
                    if submit:
                        saved = lifecycle.submit(document=saved, by=request.user)
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            general = f.show_domain_error(error, form, formsets, item_field="item")
            return self._render_form(request, form, formsets, document, general, status=400)
        messages.success(request, self.saved_message(saved))
        return redirect(self.url("detail", saved.pk))

    def initial_for_new(self, request) -> dict:
        return {}

    def _redisplay(self, request, data, document, errors: dict | None = None):
        form, formsets = self._forms(request, data)
        f.silence(form)
        for formset in formsets.values():
            f.silence(formset)
        for name, message in (errors or {}).items():
            form.add_error(name, message)
        return self._render_form(request, form, formsets, document)

    def saved_message(self, document) -> str:
        status = {
            DocumentStatus.DRAFT: "saved as a draft",
            DocumentStatus.PENDING: "sent for approval",
            DocumentStatus.POSTED: "posted",
        }.get(document.status, document.get_status_display().lower())
        return f"{self.noun.capitalize()} {document.display_number} {status}."

    # --- detail and actions ------------------------------------------------------------------

    def get_document(self, pk: int):
        queryset = self.model.objects.select_related("created_by", "decided_by", "cancelled_by")
        if self.detail_prefetch:
            queryset = queryset.prefetch_related(*self.detail_prefetch)
        return get_object_or_404(queryset, pk=pk)

    def allowed_actions(self, user, document) -> dict[str, bool]:
        editable = (
            self.editable
            and document.is_draft
            and self.may_enter(user)
            and roles.can_edit_draft(user, document)
        )
        return {
            "edit": editable,
            "submit": editable,
            "delete": editable,
            "approve": document.status == DocumentStatus.PENDING and roles.can_approve(user, document),
            "reject": document.status == DocumentStatus.PENDING and roles.can_approve(user, document),
            "cancel": document.status == DocumentStatus.POSTED and roles.can_cancel(user),
        }

    def detail_view(self, request, pk: int):
        document = self.get_document(pk)
        actions = self.allowed_actions(request.user, document)
        return render(
            request,
            self.template("detail"),
            self.context(
                document=document,
                actions=actions,
                any_action=any(actions.values()),
                history=_history(document),
                reason_form=f.ReasonForm(),
                editors=list(document.edited_by.all()),
                waiting_reason=(
                    lifecycle.waiting_reason(document, request.user)
                    if document.status == DocumentStatus.PENDING
                    else None
                ),
                **self.detail_context(request, document),
            ),
        )

    def action_view(self, request, pk: int, action: str):
        if action not in ("submit", "approve", "reject", "cancel", "delete"):
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        document = get_object_or_404(self.model, pk=pk)
        by = request.user
        reason = request.POST.get("reason", "")
        try:
            if action == "submit":
                document = lifecycle.submit(document=document, by=by)
                messages.success(request, self.saved_message(document))
            elif action == "approve":
                document = lifecycle.approve(document=document, by=by)
                messages.success(request, f"{document.number} approved and posted.")
            elif action == "reject":
                document = lifecycle.reject(document=document, by=by, reason=reason)
                messages.success(request, f"{document.display_number} rejected.")
            elif action == "cancel":
                document = lifecycle.cancel(document=document, by=by, reason=reason)
                messages.success(request, f"{document.number} cancelled; its stock movements are reversed.")
            else:
                number = document.display_number
                lifecycle.delete_draft(document=document, by=by)
                messages.success(request, f"{number} deleted.")
                return redirect(self.url("list"))
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            messages.error(request, error.message)
        next_url = request.POST.get("next", "")
        if next_url == "approvals":
            return redirect("inventory:approvals")
        return redirect(self.url("detail", document.pk))


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

    def _lines(self, rows):
        return line_inputs(services.CountLineInput, rows["lines"])

    def create(self, *, request, header, rows, request_key, submit):
        return services.create_stock_count(
            by=request.user,
            lines=self._lines(rows),
            date=header["date"],
            notes=header["notes"],
            request_key=request_key,
            submit=submit,
        )

    def update(self, *, request, document, header, rows):
        return services.update_stock_count(
            count=document,
            by=request.user,
            lines=self._lines(rows),
            date=header["date"],
            notes=header["notes"],
        )

    def initial_rows(self, document):
        return {
            "lines": [
                {"item": line.item_id, "quantity": line.counted_quantity} for line in document.lines.all()
            ]
        }


count_pages = StockCountPages()


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
                f.ItemForm(f.with_extra_row(data, "recipe")),
                f.RecipeFormSet(f.with_extra_row(data, "recipe"), prefix="recipe"),
            )
            f.silence(form)
            f.silence(recipe)
            return render(request, "inventory/item_form.html", {"form": form, "recipe": recipe, "item": item})
        form, recipe = f.ItemForm(data), f.RecipeFormSet(data, prefix="recipe")
        if form.is_valid() and recipe.is_valid():
            kind = form.cleaned_data["kind"]
            lines = [
                services.RecipeInput(item=r.cleaned_data["item"], quantity=r.cleaned_data["quantity"])
                for r in recipe.kept_forms()
            ]
            try:
                with transaction.atomic():
                    saved = services.save_item(by=request.user, item=item, **form.cleaned_data)
                    if kind == ItemKind.BOTTLE or saved.recipe_lines.exists():
                        services.set_recipe(
                            by=request.user, bottle=saved, lines=lines if kind == ItemKind.BOTTLE else []
                        )
                    elif lines:
                        raise InvalidDocument(fields={"kind": ["Only a bottle has a recipe."]})
            except NotAllowed as error:
                raise PermissionDenied(str(error)) from error
            except DomainError as error:
                general = f.show_domain_error(error, form, {"recipe": recipe})
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
    items = Item.objects.filter(is_active=True).select_related("balance").order_by("sku")
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
    item = get_object_or_404(Item.objects.select_related("balance"), pk=pk)
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


# Approvals ------------------------------------------------------------------------------------


def _pending_pages() -> list[DocumentPages]:
    from production.views import run_pages
    from purchasing.views import purchase_pages
    from returns.views import purchase_return_pages, sales_return_pages
    from sales.views import payment_pages, sale_pages

    return [
        purchase_pages,
        run_pages,
        sale_pages,
        payment_pages,
        sales_return_pages,
        purchase_return_pages,
        count_pages,
    ]


@role_required(lambda user: roles.can_approve(user))
def approvals(request):
    groups = []
    for pages in _pending_pages():
        related = [name for name in ("created_by", pages.party_field) if name]
        pending = list(
            pages.model.objects.filter(status=DocumentStatus.PENDING)
            .select_related(*related)
            .prefetch_related("edited_by")  # who may not decide (roles.can_approve)
            .order_by("date", "id")
        )
        for document in pending:
            document.may_decide = roles.can_approve(request.user, document)
            document.waiting_reason = lifecycle.waiting_reason(document, request.user)
        if pending:
            groups.append({"pages": pages, "documents": pending})
    return render(request, "inventory/approvals.html", {"groups": groups, "reason_form": f.ReasonForm()})


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
        "reason_form": reason_form or f.ReasonForm(),
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
            f.show_domain_error(error, form, {})
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
    form = f.ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen_period(by=request.user, period=period, reason=form.cleaned_data["reason"])
        except NotAllowed as error:
            raise PermissionDenied(str(error)) from error
        except DomainError as error:
            f.show_domain_error(error, form, {})
        else:
            messages.success(request, f"The close through {period.closed_through:%d %b %Y} is reopened.")
            return redirect("inventory:period-list")
    return _periods_page(request, reason_form=form, status=400)
