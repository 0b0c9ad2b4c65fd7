"""``DocumentPages``: the list, entry form, detail page and actions every document type shares
(purchases, runs, bills, payments, counts).

Views only parse input, call one service and render; a refused action's message is put next to the
field or line it concerns (``documents.forms.show_domain_error``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone

from accounts import roles
from accounts.views import role_required
from core import history, keyset
from core.errors import DomainError, NotAllowed
from documents import forms as f
from documents import lifecycle
from documents.models import Document, DocumentStatus

PAGE_SIZE = 100


def paginate(request, queryset, size: int = PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _history(document: Any) -> list[dict]:
    """Who did what to a document, and when: its history rows with the status change of each."""
    shown = []
    for entry in history.history_of(document):
        status = entry.change_of("status")
        if entry.action == "changed" and status is not None:
            what = f"{status.shown(status.old)} → {status.shown(status.new)}"
        else:
            what = entry.action.capitalize()
        shown.append({"record": entry.record, "what": what})
    return list(reversed(shown))


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

    def update(self, *, request, document, header: dict, rows: dict[str, list[dict]], submit: bool):
        """Change the draft and, with ``submit``, submit it: one service, one transaction."""
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
            # Each service is one transaction: a refused submit writes nothing, not even the draft.
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
                    request=request, document=document, header=form.cleaned_data, rows=rows, submit=submit
                )
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
        return f"{document.display_name} {status}."

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
            return redirect("documents:approvals")
        return redirect(self.url("detail", document.pk))
