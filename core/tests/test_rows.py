"""The plain INSERT of the posting path writes what the ORM and simple-history would write."""

from decimal import Decimal

import pytest
from simple_history.utils import bulk_create_with_history

from core.rows import first, insert_with_history
from sales.models import Sale, SaleLine

pytestmark = pytest.mark.django_db


def _lines(sale, plant):
    return [
        SaleLine(
            sale=sale, item=plant.bottle, quantity=3, unit_price=Decimal("5.10"), amount=Decimal("15.30")
        ),
        SaleLine(
            sale=sale,
            item=plant.cap,
            quantity=2,
            unit_price=Decimal("0.45"),
            discount=Decimal("0.10"),
            amount=Decimal("0.80"),
            cost=Decimal("0.62"),
            unit_cost=Decimal("0.3100"),
        ),
    ]


def _values(row, skip=()):
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if f.attname not in skip}


def test_lines_and_their_history_rows_match_what_the_orm_writes(plant, staff_user):
    ours = Sale.objects.create(customer=plant.customer, created_by=staff_user)
    theirs = Sale.objects.create(customer=plant.customer, created_by=staff_user)
    mine, orm = _lines(ours, plant), _lines(theirs, plant)

    insert_with_history(mine, staff_user)
    bulk_create_with_history(orm, SaleLine, default_user=staff_user)

    assert all(line.pk for line in mine)
    skip = ("id", "sale_id")
    for made, reference in zip(mine, orm, strict=True):
        stored = SaleLine.objects.get(pk=made.pk)
        assert _values(stored, skip) == _values(SaleLine.objects.get(pk=reference.pk), skip)
        assert stored.sale_id == ours.pk
    history_skip = ("id", "sale_id", "history_id", "history_date")
    mine_history = [SaleLine.history.get(id=line.pk) for line in mine]
    orm_history = [SaleLine.history.get(id=line.pk) for line in orm]
    assert [_values(h, history_skip) for h in mine_history] == [_values(h, history_skip) for h in orm_history]
    assert {h.history_type for h in mine_history} == {"+"}
    assert {h.history_user_id for h in mine_history} == {staff_user.pk}


def test_first_finds_a_row_by_its_values_and_only_that_row(plant, staff_user, manager_user):
    import uuid

    key = uuid.uuid4()
    made = Sale.objects.create(customer=plant.customer, created_by=staff_user, request_key=key)
    found = first(Sale, request_key=key)
    assert found == made and _values(found) == _values(Sale.objects.get(pk=made.pk))
    assert first(Sale, request_key=key, created_by=staff_user.pk) == made
    assert first(Sale, request_key=key, created_by=manager_user.pk) is None
    assert first(Sale, request_key=uuid.uuid4()) is None


def test_by_pk_makes_the_rows_the_orm_makes_and_skips_impossible_keys(plant, staff_user):
    from core.rows import by_pk
    from inventory.models import Item

    wanted = [plant.cap.pk, plant.bottle.pk, str(plant.preform.pk)]
    found = by_pk(Item, [*wanted, "abc", 2**70, -1, None])
    reference = Item.objects.in_bulk([plant.cap.pk, plant.bottle.pk, plant.preform.pk])
    assert list(found) == sorted(reference)
    for pk, item in found.items():
        assert _values(item) == _values(reference[pk])
        assert not item._state.adding
    assert by_pk(Item, []) == {} and by_pk(Item, ["x"]) == {}


def test_insert_of_many_rows_keeps_their_order_and_every_value(plant, staff_user):
    sale = Sale.objects.create(customer=plant.customer, created_by=staff_user)
    lines = [
        SaleLine(sale=sale, item=plant.bottle, quantity=n, unit_price=Decimal("1.05"), amount=Decimal(n) * 1)
        for n in range(1, 8)
    ]
    insert_with_history(lines, staff_user)
    stored = SaleLine.objects.in_bulk([line.pk for line in lines])
    assert [stored[line.pk].quantity for line in lines] == list(range(1, 8))
    assert {stored[line.pk].unit_price for line in lines} == {Decimal("1.05")}
    assert [h.quantity for h in SaleLine.history.filter(sale_id=sale.pk).order_by("id")] == list(range(1, 8))


def test_an_error_inside_a_pipeline_is_a_django_error_and_nothing_stays(plant, staff_user):
    import uuid

    from django.db import IntegrityError, transaction

    from core.rows import pipelined

    key = uuid.uuid4()
    first, twin = (Sale(customer=plant.customer, created_by=staff_user, request_key=key) for _ in range(2))
    with pytest.raises(IntegrityError), transaction.atomic(), pipelined():
        insert_with_history([first], staff_user)
        insert_with_history([twin], staff_user)  # the same one-time key: refused
    assert not Sale.objects.filter(request_key=key).exists()
    assert not Sale.history.filter(request_key=key).exists()


def test_rows_written_in_a_pipeline_are_all_there_with_their_keys(plant, staff_user):
    from django.db import transaction

    from core.rows import pipelined

    with transaction.atomic(), pipelined():
        sale = Sale(customer=plant.customer, created_by=staff_user)
        insert_with_history([sale], staff_user)
        lines = _lines(sale, plant)
        insert_with_history(lines, staff_user)
    assert sale.pk and all(line.pk for line in lines)
    assert list(SaleLine.objects.filter(sale=sale).order_by("id").values_list("pk", flat=True)) == [
        line.pk for line in lines
    ]
    assert SaleLine.history.filter(sale_id=sale.pk).count() == 2
    assert Sale.history.filter(id=sale.pk, history_type="+").count() == 1


def test_a_statement_refused_at_the_end_of_a_pipeline_raises_djangos_error_and_nothing_stays(
    plant, staff_user
):
    from django.db import IntegrityError, transaction

    from core.rows import pipelined
    from inventory import ledger
    from inventory.models import StockBalance

    sale = Sale(customer=plant.customer, created_by=staff_user)
    negative = {plant.cap.pk: StockBalance(item_id=plant.cap.pk, quantity=-1, value=Decimal("0"))}
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.lock_balances([plant.cap.pk])  # the balance row exists, to be updated
        with pipelined():
            insert_with_history([sale], staff_user)
            ledger.write_balances(negative, [plant.cap.pk])  # no answer awaited: refused at the end
    assert not Sale.objects.filter(pk=sale.pk).exists()
    assert not StockBalance.objects.filter(quantity__lt=0).exists()


def test_a_line_given_its_document_before_the_document_was_saved_gets_its_key(plant, staff_user):
    sale = Sale(customer=plant.customer, created_by=staff_user)
    lines = _lines(sale, plant)  # assigned while the bill has no key yet
    sale.save()
    insert_with_history(lines, staff_user)
    assert {line.sale_id for line in lines} == {sale.pk}
    assert SaleLine.objects.filter(sale=sale).count() == 2


def test_a_line_of_an_unsaved_document_is_refused_and_nothing_is_written(plant, staff_user):
    sale = Sale(customer=plant.customer, created_by=staff_user)
    with pytest.raises(ValueError, match="unsaved related object 'sale'"):
        insert_with_history(_lines(sale, plant), staff_user)
    assert not SaleLine.objects.exists()


def test_an_orm_save_inside_a_pipeline_is_refused_before_it_is_sent(plant, staff_user):
    from django.db import transaction

    from core.rows import PipelineMisuse, pipelined

    customer = plant.customer
    customer.name = "Renamed inside"
    with (
        pytest.raises(PipelineMisuse, match="Only core.rows statements"),
        transaction.atomic(),
        pipelined(),
    ):
        customer.save()
    customer.refresh_from_db()
    assert customer.name != "Renamed inside"


def test_many_rows_of_every_kind_of_column_are_written_as_the_orm_writes_them(plant, staff_user):
    # Several rows whose keys are read go as one UNNEST of one array per column on PostgreSQL:
    # text, JSON (null, an object, a list), small integers, datetimes, uuids, dates, booleans,
    # and a column that is null in every row.
    import uuid

    from accounts.models import IdempotencyRecord
    from core.rows import insert

    bodies = [None, {"id": 1, "lines": [{"sku": "BTL-500", "price": "5.10"}]}, ["a", 'b"c', "ü"]]
    ours = [
        IdempotencyRecord(user=staff_user, key=f"ours-{n}", fingerprint="f" * 64, status_code=201, body=b)
        for n, b in enumerate(bodies)
    ]
    orm = [
        IdempotencyRecord(user=staff_user, key=f"orm-{n}", fingerprint="f" * 64, status_code=201, body=b)
        for n, b in enumerate(bodies)
    ]
    insert(ours)
    IdempotencyRecord.objects.bulk_create(orm)
    skip = ("id", "key", "created_at")
    for made, reference in zip(ours, orm, strict=True):
        assert _values(IdempotencyRecord.objects.get(pk=made.pk), skip) == _values(
            IdempotencyRecord.objects.get(pk=reference.pk), skip
        )
    assert [IdempotencyRecord.objects.get(pk=r.pk).body for r in ours] == bodies

    keys = [uuid.uuid4(), None, uuid.uuid4()]
    sales = [
        Sale(customer=plant.customer, created_by=staff_user, request_key=k, notes=f"n{i}")
        for i, k in enumerate(keys)
    ]
    insert(sales)
    stored = Sale.objects.in_bulk([s.pk for s in sales])
    assert [stored[s.pk].request_key for s in sales] == keys
    assert [stored[s.pk].notes for s in sales] == ["n0", "n1", "n2"]
    reference = Sale.objects.create(customer=plant.customer, created_by=staff_user, request_key=uuid.uuid4())
    sale_skip = ("id", "request_key", "notes", "created_at")
    assert {tuple(_values(stored[s.pk], sale_skip).items()) for s in sales} == {
        tuple(_values(Sale.objects.get(pk=reference.pk), sale_skip).items())
    }


def test_rows_and_their_history_go_as_one_statement_on_postgresql(plant, staff_user, manager_user):
    """The lines and their history rows in one statement (PostgreSQL) or two; a row whose history
    names its own user (``_history_user``) still gets it, through the two-statement path."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sale = Sale.objects.create(customer=plant.customer, created_by=staff_user)
    lines = _lines(sale, plant)
    with CaptureQueriesContext(connection) as together:
        insert_with_history(lines, staff_user)
    assert len(together) == (1 if connection.vendor == "postgresql" else 2)
    assert [h.history_user_id for h in SaleLine.history.filter(sale_id=sale.pk).order_by("id")] == [
        staff_user.pk,
        staff_user.pk,
    ]

    other = Sale.objects.create(customer=plant.customer, created_by=staff_user)
    own = _lines(other, plant)
    own[1]._history_user = manager_user  # one row's history by someone else: values differ per row
    with CaptureQueriesContext(connection) as apart:
        insert_with_history(own, staff_user)
    assert len(apart) == 2
    history = SaleLine.history.filter(sale_id=other.pk).order_by("id")
    assert [(h.id, h.history_user_id) for h in history] == [
        (own[0].pk, staff_user.pk),
        (own[1].pk, manager_user.pk),
    ]
    assert [h.quantity for h in history] == [3, 2]
