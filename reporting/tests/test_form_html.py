"""The report pages write their period form in Python (``reporting.form_html``): the same HTML
Django's field templates write, for every report's fields, valid or not."""

from datetime import date

import pytest
from django.template import engines
from django.test.html import parse_html

from cashbook.models import Account
from reporting import form_html
from reporting.catalogue import REPORTS

DJANGO = engines["django"].from_string(
    '{% for field in form.visible_fields %}<div class="field{% if field.errors %} has-error{% endif %}">'
    "{{ field.as_field_group }}</div>{% endfor %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REPORTS))
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"preset": "last_month"},
        {"start": "2026-03-01", "end": "2026-02-01", "group": "week", "by": "shift"},
        {"start": "not a date", "end": "", "group": "fortnight", "by": "<b>", "account": "x"},
    ],
)
def test_the_period_form_reads_as_django_writes_it(name, params):
    Account.objects.create(name='Cash & "petty"', kind="cash", opening_date=date(2026, 1, 1))
    form = REPORTS[name].form(params)
    form.is_valid()
    assert parse_html(form_html.fields_html(form)) == parse_html(DJANGO.render({"form": form}))
