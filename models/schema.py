"""Every table, and the migrations that build and upgrade them."""

from __future__ import annotations

from pathlib import Path

import peewee
from playhouse.migrations import Runner

from .attention import Attention
from .catalog import Barcode, Price, Product
from .db import db
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
    return runner().up(target)


def pending() -> list[str]:
    return [m.name for m in runner().status() if m.applied is None and m.path]
