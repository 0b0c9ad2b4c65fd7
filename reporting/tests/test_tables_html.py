# ruff: noqa: E501 - the old template's markup, line for line
"""The report pages write their tables in Python (``display.tables_html``): the same HTML the
table template's loops wrote, for tables with totals, phone-hidden columns, links, no rows and
text that must be escaped."""

from datetime import date
from decimal import Decimal

from django.template import engines
from django.test.html import parse_html

from reporting import display
from reporting.periods import Period
from reporting.tables import Column, Report, Table

# The markup of the template the pages looped over before (templates/reporting/_tables.html).
TEMPLATE = engines["django"].from_string(
    """{% for table in tables %}
<section class="card report-table" aria-labelledby="t-{{ table.name }}">
  <h2 id="t-{{ table.name }}">{{ table.title }}</h2>
  {% if table.has_extra %}<details class="all-columns"><summary>All columns</summary><p class="muted">Every column of the table is shown below; swipe it sideways.</p></details>{% endif %}
  <div class="table-wrap">
    <table>
      <thead><tr>{% for h in table.headers %}<th scope="col" class="{% if h.numeric %}num{% endif %}{% if h.extra %} extra{% endif %}">{{ h.label }}</th>{% endfor %}</tr></thead>
      <tbody>
        {% for row in table.rows %}
        <tr>{{ row }}</tr>
        {% empty %}
        <tr><td colspan="{{ table.headers|length }}" class="muted">Nothing in this period.</td></tr>
        {% endfor %}
      </tbody>
      {% if table.totals %}
      <tfoot><tr>{{ table.totals }}</tr></tfoot>
      {% endif %}
    </table>
  </div>
</section>
{% endfor %}"""
)


def _report() -> Report:
    columns = [
        Column("item", "Item <&>"),
        Column("date", "Date", "date"),
        Column("sold", "Sold", "int"),
        Column("price", "Price", "unit"),
        Column("share", "Share", "percent"),
        Column("bill", "Bills", "link"),
        Column("bill_url", "Address", "url"),
        Column("revenue", "Revenue", "money"),
    ]
    rows = [
        {
            "item": '1 L "Aqua" <b>',
            "date": date(2026, 3, 1),
            "sold": 1234567,
            "price": Decimal("4.5"),
            "share": Decimal("12.345"),
            "bill": "S-1",
            "bill_links": [("S-1", "/sales/1/?a=1&b=2"), ("S<2>", "/sales/2/")],
            "revenue": Decimal("-123456.785"),
        },
        {"item": "", "date": None, "sold": None, "price": None, "share": None, "revenue": None},
    ]
    totals = {"item": "Total", "sold": 1234567, "revenue": Decimal("-123456.79")}
    return Report(
        name="demo",
        title="Demo & co",
        period=Period(date(2026, 3, 1), date(2026, 3, 31)),
        tables=[
            Table("items", "Items <sold>", columns, rows, totals),
            Table("empty", "Nothing", [Column("name", "Name"), Column("n", "N", "int")], []),
            Table("plain", "Plain", [Column("name", "Name")], [{"name": "one"}]),
        ],
    )


def test_the_tables_read_as_the_template_wrote_them():
    tables = display.shaped(_report())
    assert tables[0]["has_extra"] and tables[0]["totals"]
    assert parse_html(display.tables_html(tables)) == parse_html(TEMPLATE.render({"tables": tables}))


def test_no_tables_write_nothing():
    assert display.tables_html([]) == ""
