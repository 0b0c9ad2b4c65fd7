"""REPORTING_DATABASE_URL: report reads go to the 'reporting' alias, every write stays on default.

The replica here is a second connection to the test database (what Django calls a TEST MIRROR), so
the routing is visible per connection while the data is the same.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from inventory.models import Item, ItemKind
from reporting.routers import ALIAS, reading_replica, report_reads


@pytest.fixture
def replica_alias(settings):
    # settings.py adds the alias and the router when REPORTING_DATABASE_URL is set; here the alias
    # comes from conftest.py, as a mirror of the test database.
    settings.DATABASE_ROUTERS = ["reporting.routers.ReportingRouter"]
    return connections[ALIAS]


both_databases = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


def _selects(context: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in context.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


def _writes(context: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@both_databases
def test_reads_inside_reading_replica_go_to_the_reporting_alias(replica_alias):
    Item.objects.create(sku="PF-500", name="Preform", kind=ItemKind.PREFORM)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica_alias) as replica,
    ):
        with reading_replica():
            skus = list(Item.objects.values_list("sku", flat=True))
        outside = Item.objects.count()
    assert skus == ["PF-500"] and outside == 1
    assert len(_selects(replica)) == 1 and "inventory_item" in _selects(replica)[0]
    assert len(_selects(primary)) == 1  # only the count outside the block


@both_databases
def test_writes_inside_reading_replica_stay_on_the_primary(replica_alias):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica_alias) as replica,
        reading_replica(),
    ):
        item = Item.objects.create(sku="CAP-28", name="Cap", kind=ItemKind.CAP)
    assert _writes(primary) and not _writes(replica)
    assert item._state.db == "default"
    assert Item.objects.filter(sku="CAP-28").exists()


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_without_a_replica_configured_reads_stay_on_default(settings, db):
    settings.DATABASES = {alias: value for alias, value in settings.DATABASES.items() if alias != ALIAS}
    settings.DATABASE_ROUTERS = ["reporting.routers.ReportingRouter"]
    Item.objects.create(sku="BTL-500", name="Bottle", kind=ItemKind.BOTTLE)
    with CaptureQueriesContext(connections["default"]) as primary, reading_replica():
        assert Item.objects.count() == 1
    assert len(_selects(primary)) == 1


@both_databases
def test_a_report_plans_its_statements_on_the_replica_it_reads_and_on_the_primary(replica_alias):
    def planning(alias: str) -> str:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT current_setting('plan_cache_mode')")
            return cursor.fetchone()[0]

    if connections["default"].vendor != "postgresql":
        pytest.skip("the planning settings are PostgreSQL's")
    with report_reads():
        assert list(Item.objects.values_list("sku", flat=True)) == []
        assert (planning("default"), planning(ALIAS)) == ("force_custom_plan", "force_custom_plan")
    assert (planning("default"), planning(ALIAS)) == ("auto", "auto")
