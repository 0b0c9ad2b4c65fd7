from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, Value
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy

from accounts import roles, services
from accounts.forms import LoginForm
from accounts.models import User
from core import history as record_history


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Logout is a POST (Django 5): a link cannot log someone out behind their back."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user changes their own password here, with Django's form (old password, new twice).

    This browser stays logged in; every other session of the user and every API token end. The
    form checks the fields as Django's own page does; the change itself is the service's, which
    checks the old password again (the API calls it too).
    """

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change")

    def form_valid(self, form):
        try:
            user = services.change_password(
                user=self.request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except services.PasswordRefused as refused:  # e.g. changed meanwhile elsewhere
            form.add_error(
                "old_password" if refused.field == "old_password" else "new_password2", refused.messages
            )
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(
            self.request,
            "Your password was changed. You are still logged in here; every other login has ended.",
        )
        return HttpResponseRedirect(self.get_success_url())


def role_required(predicate: Callable[[User], bool]):
    """Let in users the predicate accepts; send the anonymous to login, refuse the rest with 403.

    The predicate only decides what a page shows; the services enforce the rule again.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Audit trail ----------------------------------------------------------------------------------

AUDITED_APPS = ("inventory", "purchasing", "production", "sales", "tax", "company")
AUDIT_PAGE_SIZE = 50


def audited_models() -> dict[str, type]:
    """label → historical model, for every business model that keeps simple-history rows."""
    found = {}
    for app_label in AUDITED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            manager = getattr(model, "history", None)
            if (
                manager is not None
                and hasattr(manager, "model")
                and not model.__name__.startswith("Historical")
            ):
                found[model._meta.label_lower] = manager.model
    return dict(sorted(found.items()))


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.all(), required=False, empty_label="Anyone")
    model = forms.ChoiceField(required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, models: dict[str, type], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", "Every record type")] + [
            (label, history.instance_type._meta.verbose_name.capitalize())
            for label, history in models.items()
        ]


def _history_rows(models: dict[str, type], filters: dict):
    """One union of every history table's (id, date, model) rows, newest first."""
    queries = []
    for label, history in models.items():
        qs = history.objects.all()
        if filters.get("user"):
            qs = qs.filter(history_user=filters["user"])
        if filters.get("date_from"):
            qs = qs.filter(history_date__date__gte=filters["date_from"])
        if filters.get("date_to"):
            qs = qs.filter(history_date__date__lte=filters["date_to"])
        queries.append(
            # No ordering inside the parts: SQLite refuses ORDER BY in a compound statement's parts.
            qs.order_by()
            .annotate(label=Value(label, output_field=CharField()))
            .values_list("history_id", "history_date", "label")
        )
    if not queries:
        return []
    first, *rest = queries
    return (
        first.union(*rest, all=True).order_by("-history_date", "-history_id")
        if rest
        else first.order_by("-history_date", "-history_id")
    )


# What a created row's list leaves out: the same on every row, or meant for no reader.
_NOT_SHOWN_ON_CREATE = ("id", "created_at", "request_key")


def _describe(record) -> list[tuple[str, str, str]]:
    """(field, old, new) for a history row: the diff against the row before it."""
    if record.history_type == "-":
        return []
    if record.history_type == "+":
        changes = [c for c in record_history.changes(record, None) if c.name not in _NOT_SHOWN_ON_CREATE]
    else:
        previous = record.prev_record
        if previous is None:
            return []
        changes = record_history.changes(record, previous)
    return [(c.label, _text(c.old), _text(c.new)) for c in changes]


def _text(value) -> str:
    return "" if value is None else str(value)


@role_required(lambda user: roles.is_manager(user) or roles.is_owner(user))
def audit(request):
    models = audited_models()
    form = AuditFilterForm(request.GET or None, models=models)
    filters = form.cleaned_data if form.is_valid() else {}
    chosen = filters.get("model")
    scope = {chosen: models[chosen]} if chosen else models
    page = Paginator(_history_rows(scope, filters), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    # Fetch the page's rows per table in one query each, then describe them in page order.
    wanted: dict[str, list[int]] = {}
    for history_id, _date, label in page.object_list:
        wanted.setdefault(label, []).append(history_id)
    records = {}
    for label, ids in wanted.items():
        for record in scope[label].objects.filter(history_id__in=ids).select_related("history_user"):
            records[(label, record.history_id)] = record
    entries = []
    for history_id, _date, label in page.object_list:
        record = records.get((label, history_id))
        if record is None:
            continue
        entries.append(
            {
                "record": record,
                "model": record.instance_type._meta.verbose_name.capitalize(),
                "object": record.history_object,
                "changes": _describe(record),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode()},
    )
