"""Dashboard and report pages. Each report page also answers ?export=csv|xlsx and ?print=1."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from accounts import roles
from reporting import display, exports, form_html
from reporting.catalogue import REPORTS
from reporting.periods import parse
from reporting.reports import dashboard as dashboard_figures
from reporting.reports import trend
from reporting.routers import reading_replica, report_reads


@login_required
def dashboard(request):
    with reading_replica():
        data = dashboard_figures.figures(request.user)
        charts = dashboard_figures.cached(request.user, "trend", trend.charts)
    return render(request, "reporting/dashboard.html", {"data": data, "trend": charts})


def _require_reports(user) -> None:
    if not roles.can_see_costs(user):
        raise PermissionDenied("Reports are for Managers and the Owner.")


@login_required
def index(request):
    _require_reports(request.user)
    return render(request, "reporting/index.html", {"reports": REPORTS.values()})


def _query_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
def report_page(request, name: str):
    _require_reports(request.user)
    spec = REPORTS.get(name)
    if spec is None:
        raise Http404("No such report.")
    form = spec.form(request.GET)
    export = request.GET.get("export", "")
    if not form.is_valid():
        if export in ("csv", "xlsx"):
            messages = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in form.errors.items())
            return HttpResponse(f"Check the dates: {messages}", status=400, content_type="text/plain")
        context = {"spec": spec, "form": form, "report": None, "reports": REPORTS.values()}
        context["form_fields"] = form_html.fields_html(form)
        return render(request, "reporting/report.html", context, status=400)
    printing = bool(request.GET.get("print"))
    # On the screen a report may list only the top of a long table (``on_page``); the print view
    # and the exports always hold every row.
    on_page = export not in ("csv", "xlsx") and not printing
    with report_reads():
        report = spec.build({**form.cleaned_data, "on_page": on_page})
    if export == "csv":
        return exports.csv_response(report)
    if export == "xlsx":
        return exports.xlsx_response(report)
    query = _query_without(request, "export", "print")
    context = {
        "spec": spec,
        "form": form,
        "form_fields": form_html.fields_html(form),
        "report": report,
        "tables_html": display.tables_html(display.shaped(report)),
        "query": query,
        "next_query": _query_without(request, "export", "print", "after"),
        "reports": REPORTS.values(),
    }
    template = "reporting/report_print.html" if printing else "reporting/report.html"
    return render(request, template, context)


@login_required
def bill_lines_csv(request):
    """Every posted bill line of a period, streamed as CSV (a year is a million lines)."""
    _require_reports(request.user)
    form = parse(request.GET)
    if not form.is_valid():
        return HttpResponse("Check the dates.", status=400, content_type="text/plain")
    return exports.sale_lines_csv(form.cleaned_data["period"])
