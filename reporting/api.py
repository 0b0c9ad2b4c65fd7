"""Reports as JSON under /api/v1/reports/: the same figures as the pages, money as strings."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from reporting.catalogue import REPORTS
from reporting.exports import as_json, plain
from reporting.reports import dashboard
from reporting.routers import reading_replica, report_reads


class CanSeeReports(BasePermission):
    message = "Reports are for Managers and the Owner."

    def has_permission(self, request, view) -> bool:
        return roles.can_see_costs(request.user)


class HasRole(BasePermission):
    message = "Your account has no role yet."

    def has_permission(self, request, view) -> bool:
        return roles.has_any_role(request.user)


def _plain_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_tree(v) for v in value]
    return plain(value)


PERIOD_PARAMETERS = [
    OpenApiParameter("preset", str, enum=["today", "this_month", "last_month", "this_year", "last_year"]),
    OpenApiParameter("start", OpenApiTypes.DATE),
    OpenApiParameter("end", OpenApiTypes.DATE),
    OpenApiParameter("group", str, enum=["day", "week", "month", "year"]),
    OpenApiParameter("by", str, enum=["item", "machine", "shift", "period"]),
    OpenApiParameter("check", str, description="exceptions only: one check's key (e.g. after-hours)"),
]


class ReportView(APIView):
    permission_classes = [IsAuthenticated, CanSeeReports]
    pagination_class = None

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request, name: str):
        spec = REPORTS.get(name)
        if spec is None:
            raise NotFound("No such report.")
        form = spec.form(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        with report_reads():
            report = spec.build(form.cleaned_data)
        return Response(as_json(report))


class DashboardView(APIView):
    """The dashboard's figures; cost, value and profit figures only for Managers and the Owner."""

    permission_classes = [IsAuthenticated, HasRole]
    # It answers JSON only (its errors too), so there is no Accept header worth weighing.
    renderer_classes = [JSONRenderer]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        user = request.user
        with reading_replica():
            # The finished JSON document is cached, not only the figures: a hit converts nothing.
            body = dashboard.cached(
                user, "api", lambda: JSONRenderer().render(_dashboard_tree(dashboard.compute(user)))
            )
        return HttpResponse(body, content_type="application/json")


def _dashboard_tree(data: dict[str, Any]) -> Any:
    data.pop("approvals_url", None)
    for entry in data["recent"]:
        entry.pop("when", None)
    return _plain_tree(data)


urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="reports-dashboard"),
    path("<slug:name>/", ReportView.as_view(), name="report"),
]
