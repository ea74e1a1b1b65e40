"""Batch writes and reads (`models.bulk`) on both engines: SQLite builds VALUES lists, PostgreSQL
sends the rows as one JSON document; both must store exactly what a plain INSERT would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import peewee
import pytest

from hq.server import connect_database
from models import schema
from models.bulk import insert_values, select_in
from models.db import bind
from models.ledger import StockEvent, StockLevel
from models.places import Location
from tests.factories import product
from tests.pg import fresh_database, postgres_url  # noqa: F401 - fixture


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[peewee.Database]:
    url = str(tmp_path / "bulk.db") if request.param == "sqlite" else fresh_database(
        request.getfixturevalue("postgres_url"))
    database = connect_database(url)
    with bind(database), database.connection_context():
        schema.migrate()
        yield database
    if hasattr(database, "close_all"):
        database.close_all()


def _event(event_id: str, location: Location, sku_id: int, **extra: object) -> tuple:
    row = {"id": event_id, "location": location.id, "product": sku_id, "quantity": Decimal("2.5"),
           "kind": "receipt", "occurred_at": dt.datetime(2026, 11, 30, 9, 15, 7, 123456), "digest": "d" * 64} | extra
    return tuple(row.values())


FIELDS = [StockEvent.id, StockEvent.location, StockEvent.product, StockEvent.quantity, StockEvent.kind,
          StockEvent.occurred_at, StockEvent.digest]


def test_rows_are_stored_as_given_with_defaults_for_the_rest(database: peewee.Database) -> None:
    location = Location.create(code="STORE1", name="Store 1")
    sku = product("P1").id
    rows = [_event(f"e{i}", location, sku) for i in range(3)]
    rows.append(_event("e-zh", location, sku, kind="count", quantity=Decimal("0.001")))

    returned = insert_values(FIELDS, rows, [StockEvent.id])

    assert sorted(r[0] for r in returned) == ["e-zh", "e0", "e1", "e2"]
    stored = StockEvent.get_by_id("e-zh")
    assert (stored.quantity, stored.kind, stored.occurred_at) == (
        Decimal("0.001"), "count", dt.datetime(2026, 11, 30, 9, 15, 7, 123456))
    assert (stored.bin, stored.lot, stored.expiry, stored.received_at) == ("", "", None, None)


def test_skip_conflicts_returns_only_the_new_rows(database: peewee.Database) -> None:
    location = Location.create(code="STORE1", name="Store 1")
    sku = product("P1").id
    insert_values(FIELDS, [_event("a", location, sku), _event("b", location, sku)])

    returned = insert_values(FIELDS, [_event("b", location, sku, kind="sale"), _event("c", location, sku)],
                             [StockEvent.id], skip_conflicts=True)

    assert returned == [("c",)]
    assert StockEvent.get_by_id("b").kind == "receipt"


def test_add_on_conflict_adds_to_the_stored_row(database: peewee.Database) -> None:
    location = Location.create(code="STORE1", name="Store 1")
    skus = [product("P1").id, product("P2").id]
    key = [StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot]
    insert_values([*key, StockLevel.on_hand], [(location.id, skus[0], "", "", Decimal(5))],
                  add_on_conflict=(key, StockLevel.on_hand))

    insert_values([*key, StockLevel.on_hand], [(location.id, skus[0], "", "", Decimal("-1.5")),
                                                 (location.id, skus[1], "A1", "", Decimal(2))],
                  add_on_conflict=(key, StockLevel.on_hand))

    levels = select_in([StockLevel.product, StockLevel.bin, StockLevel.on_hand], StockLevel.product, skus,
                       order_by=[StockLevel.product])
    assert levels == [(skus[0], "", Decimal("3.5")), (skus[1], "A1", Decimal(2))]


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite does not enforce a length
def test_a_value_too_long_for_its_column_is_refused_not_cut(database: peewee.Database) -> None:
    location = Location.create(code="STORE1", name="Store 1")
    sku = product("P1").id

    with pytest.raises(peewee.DataError), database.atomic():
        insert_values(FIELDS, [_event("ok", location, sku), _event("long", location, sku, kind="k" * 17)])

    assert StockEvent.select().count() == 0
