"""The Manager's import page: upload, read the dry run's report, confirm to write all rows."""

from __future__ import annotations

import base64
import hashlib

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from accounts import roles
from accounts.views import role_required
from core.errors import DomainError
from golive import importing
from golive.forms import ImportForm

PENDING = "golive_pending_import"


def _render(request, form, result=None, problem=None, status=200):
    context = {
        "form": form,
        "result": result,
        "problem": problem,
        "kinds": importing.KINDS.values(),
        "pending": request.session.get(PENDING),
    }
    return render(request, "golive/import.html", context, status=status)


@role_required(roles.can_manage_master_data)
def import_page(request):
    """GET: the form. POST: a dry run of the uploaded file; a clean one waits for confirmation."""
    if request.method == "GET":
        return _render(request, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    kind = form.cleaned_data["kind"]
    try:
        result = importing.run_import(
            by=request.user, kind=kind, data=data, filename=upload.name, dry_run=True
        )
    except DomainError as problem:
        request.session.pop(PENDING, None)
        return _render(request, form, problem=problem.message, status=400)
    if result.errors:
        request.session.pop(PENDING, None)
        return _render(request, form, result=result, status=400)
    # The checked file waits in the session; confirming imports exactly these bytes.
    request.session[PENDING] = {
        "kind": kind,
        "filename": upload.name,
        "data": base64.b64encode(data).decode("ascii"),
        "digest": hashlib.sha256(data).hexdigest(),
    }
    return _render(request, ImportForm(initial={"kind": kind}), result=result)


@role_required(roles.can_manage_master_data)
def import_confirm(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    pending = request.session.get(PENDING)
    if not pending or request.POST.get("digest") != pending["digest"]:
        messages.error(request, "Nothing is waiting to be imported; upload the file again.")
        return redirect("golive:import")
    data = base64.b64decode(pending["data"])
    try:
        result = importing.run_import(
            by=request.user, kind=pending["kind"], data=data, filename=pending["filename"], dry_run=False
        )
    except DomainError as problem:
        return _render(request, ImportForm(), problem=problem.message, status=400)
    request.session.pop(PENDING, None)
    if result.errors:  # the data changed between the check and the confirmation
        return _render(request, ImportForm(initial={"kind": pending["kind"]}), result=result, status=409)
    messages.success(
        request,
        f"Imported {result.rows} rows: {result.created} new, {result.updated} changed, "
        f"{result.unchanged} unchanged.",
    )
    return redirect("golive:import")


@role_required(roles.can_manage_master_data)
def template_download(request, kind: str, fmt: str):
    """The current rows of a kind, in the columns the import reads (so it imports back unchanged)."""
    if kind not in importing.KINDS or fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "csv":
        response = HttpResponse(importing.export_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            importing.export_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{kind}.{fmt}"'
    return response
