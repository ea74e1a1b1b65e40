from __future__ import annotations

from pathlib import Path

import pytest

from models.catalog import Barcode, Price, Product
from models.ledger import StockEvent, StockLevel
from models.outbox import OutboxEntry
from models.people import Customer, User
from tests import factories

TABLES = (Product, Barcode, Price, Customer, StockEvent, StockLevel, OutboxEntry, User)


@pytest.fixture
def shop(store):
    """A store STORE1 (EUR) with terminal T01, a warehouse WH1, and two products."""
    actor = factories.actor()
    factories.actor(terminal="T02", location="WH1", kind="warehouse")
    factories.product("P1", price="2.50", barcode=factories.ean13("400638133393"))
    factories.product("P2", price="1.00")
    return actor


@pytest.fixture
def write(tmp_path):
    """Write a CSV as an old system would: given text, encoding and line ends."""

    def _write(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
        path = tmp_path / name
        path.write_bytes(text.replace("\n", newline).encode(encoding))
        return path

    return _write


def table_counts() -> dict[str, int]:
    return {model.__name__: model.select().count() for model in TABLES}
