"""Every table, and the migrations that build and upgrade them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import peewee
from playhouse.migrations import Runner

from .attention import Attention
from .catalog import Barcode, Price, Product
from .db import db, file_lock
from .hq import RemoteLevel, Reservation, SyncState
from .ledger import StockEvent, StockLevel
from .orders import Order, OrderLine, OrderStatusChange, Tender
from .outbox import LocalCounter, OutboxEntry
from .parked import ParkedSale
from .people import Customer, User
from .places import Bin, Location, Terminal
from .stock_docs import Delivery, DeliveryLine, StockCount, StockCountLine, Transfer, TransferLine

ALL_MODELS: list[type[peewee.Model]] = [
    Location, Bin, Terminal, Product, Barcode, Price, User, Customer, Order, OrderLine, Tender,
    OrderStatusChange, StockEvent, StockLevel, OutboxEntry, LocalCounter, Delivery, DeliveryLine,
    Transfer, TransferLine, StockCount, StockCountLine,
]
ALL_MODELS.append(ParkedSale)  # migration 0004
ALL_MODELS.extend([SyncState, Attention, RemoteLevel, Reservation])  # migration 0003

MIGRATIONS = Path(__file__).parent / "migrations"


def runner() -> Runner:
    return Runner(db.obj, directory=str(MIGRATIONS))


def migrate(target: str | None = None) -> list[str]:
    """Bring the open database up to date (or up to `target`); returns the migrations applied."""
    if target is None and not pending():
        return []  # nothing to do: no lock taken, no lock file beside a store opened only to read
    with migration_lock():
        return runner().up(target)


_MIGRATION_LOCK = 0x5C01  # PostgreSQL advisory lock key: "migrating this database"


@contextlib.contextmanager
def migration_lock() -> Iterator[None]:
    """One process at a time migrates a database; the others wait, then find nothing left to do.

    Head office instances that start together would otherwise each see a migration pending and
    each run it (the second fails on a table that already exists). PostgreSQL: a session advisory
    lock on the open connection. SQLite: `file_lock`. Not re-entrant: take it once.
    """
    database = db.obj
    if isinstance(database, peewee.PostgresqlDatabase):
        database.execute_sql("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            yield
        finally:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
        return
    with file_lock(".migrate.lock"):
        yield


def pending() -> list[str]:
    return [m.name for m in runner().status() if m.applied is None and m.path]
