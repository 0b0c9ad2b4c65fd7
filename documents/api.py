"""What every document's API shares: role permissions, hiding costs from Staff, the lifecycle
actions (submit, approve, reject, cancel), history, idempotent creation, and the approvals queue.

A document API view parses input with its input serializer, calls one service, and answers with
its output serializer (STYLE §6). Permissions here only mirror ``accounts.roles`` so a refused
role gets 403 before its input is examined; the services remain the final word.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Model
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import costs, roles
from accounts.api.costs import API_FILTERS, hides_costs
from accounts.api.idempotency import IdempotentCreateMixin
from core import history, rows
from core.api.fields import CharField, InputSerializer
from core.api.filters import FilterSet, IdFilter
from core.bounds import MAX_DOCUMENT_TOTAL, MAX_LINE_QUANTITY
from documents import lifecycle
from documents.models import MAX_LINES as MAX_LINES  # the API's bound is the pages' bound
from documents.models import DocumentStatus
from inventory.models import Item

Rule = Callable[[Any], bool]

# The bounds on what one request may ask are the services' own (core.bounds).
MAX_QUANTITY = MAX_LINE_QUANTITY


class RolePermission(BasePermission):
    """Ask the view which predicate of ``accounts.roles`` guards the current action."""

    message = "Your role may not do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and roles.has_any_role(user)):
            return False
        return view.rule_for(getattr(view, "action", None))(user)


class RoleRulesMixin:
    """``read_rule`` guards safe actions, ``write_rule`` the rest; ``action_rules`` overrides both."""

    permission_classes = [RolePermission]
    read_rule: Rule = staticmethod(roles.has_any_role)
    write_rule: Rule = staticmethod(roles.can_manage_master_data)
    action_rules: dict[str, Rule] = {}
    safe_actions = ("list", "retrieve", "history", "metadata", None)

    def rule_for(self, action_name: str | None) -> Rule:
        if action_name in self.action_rules:
            return self.action_rules[action_name]
        return self.read_rule if action_name in self.safe_actions else self.write_rule


def item_field() -> serializers.IntegerField:
    """A line's item id; the lines' items are then fetched in one query by ``resolve_items``."""
    return serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="item id")


def resolve_items(lines: list[dict], list_name: str) -> None:
    """Replace each line's item id by its Item, one query for all lines; unknown ids are line errors."""
    found = rows.by_pk(Item, {line["item"] for line in lines})
    errors = {
        str(i): {"item": [f'Invalid pk "{line["item"]}" - object does not exist.']}
        for i, line in enumerate(lines)
        if line["item"] not in found
    }
    if errors:
        raise serializers.ValidationError({list_name: errors})
    for line in lines:
        line["item"] = found[line["item"]]


def require_flag(lines: list[dict], list_name: str, flag: str, what: str) -> None:
    """Each line's item is one this document offers (``inventory.item_flags``): a bill takes sold
    items, a purchase bought ones; the others are line errors naming the item."""
    errors = {
        str(i): {"item": [f"{line['item'].sku} is not {what} (see the item's flags)."]}
        for i, line in enumerate(lines)
        if not getattr(line["item"], flag)
    }
    if errors:
        raise serializers.ValidationError({list_name: errors})


def check_amount_fits(total: Decimal) -> None:
    if abs(total) >= MAX_DOCUMENT_TOTAL:
        raise serializers.ValidationError(
            {"lines": [f"The document's amount must stay below {MAX_DOCUMENT_TOTAL:,}."]}
        )


# History -------------------------------------------------------------------------------------

HistoryEntrySerializer = inline_serializer(
    "HistoryEntry",
    fields={
        "at": serializers.DateTimeField(),
        "user": serializers.CharField(allow_null=True),
        "action": serializers.ChoiceField(choices=["created", "changed", "deleted"]),
        "changes": inline_serializer(
            "HistoryChange",
            fields={
                "field": serializers.CharField(),
                "old": serializers.CharField(allow_null=True),
                "new": serializers.CharField(allow_null=True),
            },
            many=True,
        ),
    },
    many=True,
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def history_of(instance: Model, *, hide_costs: bool) -> list[dict]:
    """Every history row of ``instance``, oldest first, with what each one changed."""
    return [
        {
            "at": entry.record.history_date,
            "user": entry.record.history_user.username if entry.record.history_user else None,
            "action": entry.action,
            "changes": [
                {"field": change.name, "old": _text(change.old), "new": _text(change.new)}
                for change in entry.changes
                if not (hide_costs and costs.is_cost(entry.record.instance_type, change.name))
            ],
        }
        for entry in history.history_of(instance)
    ]


class HistoryMixin:
    @extend_schema(responses=HistoryEntrySerializer, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Who changed this record, when, and what changed (oldest first)."""
        instance = self.get_object()
        return Response(history_of(instance, hide_costs=hides_costs({"request": request})))


class HeldLines(serializers.ListSerializer):
    """A read-only list of a document's lines (``HeldLines(child=LineSerializer())``): the lines
    the serializer's context holds in memory for its relation (``context["held_lines"]``, set by a
    create's answer, see ``as_created``), else the relation its source names, read as usual."""

    def get_attribute(self, instance: Any) -> Any:
        held = self.context.get("held_lines", {})
        if self.source in held:
            return held[self.source]
        return super().get_attribute(instance)


# Documents -----------------------------------------------------------------------------------


class ReasonSerializer(InputSerializer):
    # Refusing, rejecting and cancelling need a reason (the lifecycle refuses a blank one); saying
    # so here puts it in the schema.
    reason = CharField(
        max_length=300, error_messages={"blank": "Give a reason.", "required": "Give a reason."}
    )


class DocumentFilter(FilterSet):
    date = filters.DateFromToRangeFilter(label="business date from (date_after) to (date_before)")
    status = filters.MultipleChoiceFilter(choices=DocumentStatus.choices)
    created_by = IdFilter(field_name="created_by_id")


class DocumentOutMixin(serializers.Serializer):
    """The lifecycle fields every document shows."""

    created_by = serializers.CharField(source="created_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True)
    cancelled_by = serializers.CharField(source="cancelled_by.username", read_only=True, allow_null=True)


DOCUMENT_FIELDS = (
    "id",
    "number",
    "date",
    "status",
    "total",
    "notes",
    "created_by",
    "created_at",
    "submitted_at",
    "decided_by",
    "decided_at",
    "rejection_reason",
    "posted_at",
    "cancelled_by",
    "cancelled_at",
    "cancel_reason",
)
DOCUMENT_USERS = ("created_by", "decided_by", "cancelled_by")


class DocumentViewSetBase(
    RoleRulesMixin,
    HistoryMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Read, create, history and cancel: what every document type offers."""

    model: type[Model]
    input_serializer_class: type[serializers.Serializer]
    filter_backends = API_FILTERS
    filterset_class = DocumentFilter
    ordering_fields = ["date", "number", "total", "created_at", "id", "status"]
    ordering = ["-date", "-id"]
    search_fields = ["number", "notes"]
    line_field = "lines"

    def get_input_serializer_class(self) -> type[serializers.Serializer] | None:
        if self.action in ("create", "update"):
            return self.input_serializer_class
        return None

    def rule_for(self, action_name: str | None) -> Rule:
        rules = lifecycle.rules_for(self.model)
        by_action = {
            "create": rules.may_enter,
            "update": rules.may_enter,
            "destroy": rules.may_enter,
            "submit": rules.may_enter,
            "approve": roles.can_approve,
            "reject": roles.can_approve,
            "cancel": roles.can_cancel,
        }
        if action_name in by_action:
            return by_action[action_name]
        return super().rule_for(action_name)

    def parse(self, instance: Any = None) -> dict:
        serializer = self.input_serializer_class(
            data=self.request.data, context=self.get_serializer_context(), instance=instance
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def read_back(self, document: Any) -> Any:
        """The document as ``get_queryset()`` returns it (with its annotations and lines)."""
        return self.get_queryset().get(pk=document.pk)

    def answer(self, document: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.read_back(document)).data, status=code)

    def as_created(self, made: Any) -> tuple[Any, dict[str, list[Model]]]:
        """The document a create made, shaped as ``get_queryset()`` returns it, and the lines its
        answer shows from memory, by relation (for ``HeldLines``).

        Read back by default; a view whose service hands back everything its serializer shows
        overrides this to answer from memory instead.
        """
        return self.read_back(made), {}

    def create_document(self, by: Any, data: dict) -> Any:  # pragma: no cover - each type's own
        raise NotImplementedError

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document, lines = self.as_created(self.create_document(request.user, self.parse()))
        context = {**self.get_serializer_context(), "held_lines": lines}
        return Response(self.get_serializer(document, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a posted document (Manager): its stock movements are reversed."""
        reason = self._reason()
        document = lifecycle.cancel(document=self.get_object(), by=request.user, reason=reason)
        return self.answer(document)

    def _reason(self) -> str:
        serializer = ReasonSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["reason"]


class DecideMixin:
    """Approve or reject a pending document: every type that can wait for approval."""

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a pending document (Manager or Owner, never one who created or changed it): it is
        posted."""
        return self.answer(lifecycle.approve(document=self.get_object(), by=request.user))

    @extend_schema(request=ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject a pending document, with a reason."""
        reason = self._reason()
        return self.answer(lifecycle.reject(document=self.get_object(), by=request.user, reason=reason))


class CreateDocumentViewSet(DecideMixin, IdempotentCreateMixin, DocumentViewSetBase):
    """A document that is created and posted (or sent for approval) in one step: a payment."""

    keyed_documents = True  # the document carries the Idempotency-Key as its request_key


class DraftDocumentViewSet(DecideMixin, IdempotentCreateMixin, mixins.DestroyModelMixin, DocumentViewSetBase):
    """A document with a draft stage: edit and delete while draft, submit, approve or reject."""

    keyed_documents = True  # the document carries the Idempotency-Key as its request_key

    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def update_document(self, document: Any, by: Any, data: dict) -> Any:  # pragma: no cover
        raise NotImplementedError

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        return self.answer(self.update_document(document, request.user, self.parse(instance=document)))

    def perform_destroy(self, instance: Any) -> None:
        lifecycle.delete_draft(document=instance, by=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Post a draft, or send it for approval when its type's rule says so (by value)."""
        return self.answer(lifecycle.submit(document=self.get_object(), by=request.user))


# The approvals queue --------------------------------------------------------------------------


class ApprovalSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="e.g. sales.sale")
    kind = serializers.CharField(help_text="e.g. sales bill")
    id = serializers.IntegerField()
    number = serializers.CharField()
    date = serializers.DateField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    created_by = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="why it waits: the rule and the figures that decided it")


class ApprovalsView(ListAPIView):
    """Documents waiting for approval, oldest first (Managers and the Owner)."""

    serializer_class = ApprovalSerializer
    filter_backends: list = []

    permission_classes = [RolePermission]

    def rule_for(self, action_name: str | None) -> Rule:
        return roles.can_approve

    def get_queryset(self) -> list[dict]:
        rows = []
        for model in lifecycle.registered_models():
            kind = lifecycle.rules_for(model).verbose
            pending = model.objects.filter(status=DocumentStatus.PENDING).select_related("created_by")
            for document in pending.order_by("submitted_at", "id")[:1000]:
                rows.append(
                    {
                        "type": model._meta.label_lower,
                        "kind": kind,
                        "id": document.pk,
                        "number": document.display_number,
                        "date": document.date,
                        "total": document.total,
                        "created_by": document.created_by.username,
                        "submitted_at": document.submitted_at,
                        "reason": lifecycle.waiting_reason(document, self.request.user),
                    }
                )
        rows.sort(key=lambda row: (row["submitted_at"] is None, row["submitted_at"] or 0, row["id"]))
        return rows


# Mounted under /api/v1/ by config/api_urls.py.
urlpatterns = [
    path("approvals/", ApprovalsView.as_view(), name="api-approvals"),
]
