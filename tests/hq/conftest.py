"""Head office's order management on a real database: a SQLite file by default, PostgreSQL too
where a test asks for both (`office` is parametrised like tests/sync's `hq_url`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import peewee
import pytest

from hq.auth import add_location
from hq.orders import channels
from hq.orders.document import read_document
from hq.orders.intake import Taken, take_order
from hq.server import connect_database, prepare
from models.db import bind
from models.ledger import RECEIPT, EventData, post_event
from tests import factories
from tests.pg import fresh_database, postgres_url  # noqa: F401 - fixture

__all__ = ["postgres_url"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def office_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hq.db")
    return fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def office_db(tmp_path: Path) -> Iterator[peewee.Database]:
    """Head office on a SQLite file, bound and connected for the test's thread."""
    yield from _open(str(tmp_path / "hq.db"))


@pytest.fixture
def any_office_db(office_url: str) -> Iterator[peewee.Database]:
    yield from _open(office_url)


def _open(url: str) -> Iterator[peewee.Database]:
    database = connect_database(url)
    prepare(database)
    with bind(database), database.connection_context():
        yield database
    if isinstance(database, peewee.PostgresqlDatabase) and hasattr(database, "close_all"):
        database.close_all()


def stock(location: str, sku: str, quantity: str | int) -> None:
    post_event(EventData(location=location, sku=sku, quantity=Decimal(quantity), kind=RECEIPT,
                         occurred_at=dt.datetime.utcnow().replace(microsecond=0), reference="test"))


def shop(products: dict[str, str] | None = None, locations: tuple[str, ...] = ("WH1", "STORE1")) -> channels.NewChannel:
    """Locations, products (sku -> price) and a WEB channel; returns the channel and its key."""
    for code in locations:
        add_location(code, kind="warehouse" if code.startswith("WH") else "store")
    for n, (sku, price) in enumerate((products or {"P1": "10.00", "P2": "4.50"}).items(), start=1):
        factories.product(sku, price=price, barcode=gtin(n))
    return channels.add_channel("WEB", "Web shop")


def gtin(n: int) -> str:
    """The GTIN `shop` gives its n-th product."""
    return factories.ean13(f"4000000000{n:02d}")


def order_doc(oid: str = "1001", lines: list[tuple[str, str]] | None = None, **extra: object) -> dict:
    doc = {"channel_order_id": oid, "currency": "EUR",
           "lines": [{"sku": sku, "quantity": qty, "unit_price": "10.00"} for sku, qty in (lines or [("P1", "1")])],
           "customer": {"name": "Mia Wagner", "email": "mia@example.com"},
           "ship_to": {"name": "Mia Wagner", "street": "Torstrasse 1", "city": "Berlin", "postcode": "10119",
                       "country": "DE"}}
    doc.update(extra)
    return doc


def take(doc: dict, code: str = "WEB") -> Taken:
    return take_order(channels.channel(code), read_document(doc))
