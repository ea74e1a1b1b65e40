"""What a terminal knows of head office, and head office's view of available stock.

* `SyncState`: the terminal's small key/value memory of sync (cursor, last sync, last error, clock
  offset), written in the same transaction as the data a pull applied, so a crash never moves the
  cursor without the data or the data without the cursor.
* `RemoteLevel`: a read-only snapshot of stock at other locations, "as of" the pull that brought it.
* `Reservation`: stock promised to an order but not yet picked; available = on hand - reserved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee

from . import clock
from .bulk import insert_rows
from .catalog import Product
from .db import BaseModel
from .fields import QuantityField
from .ledger import on_hand
from .places import Location
from .statements import Slot, Statement

CURSOR, LAST_SYNC, LAST_ERROR, LAST_ERROR_AT, CLOCK_OFFSET = (
    "cursor", "last_sync_at", "last_error", "last_error_at", "clock_offset_us")


class SyncState(BaseModel):
    name = peewee.CharField(primary_key=True, max_length=32)
    value = peewee.TextField(default="")


# Every sync reads the cursor and writes the cursor, last sync, last error and clock offset:
# compiled once, not built by peewee each time (building cost more than running).
_read_state = Statement(lambda: SyncState.select(SyncState.value).where(SyncState.name == Slot("name")))


def get_state(name: str, default: str = "") -> str:
    row = _read_state.execute(name=name).fetchone()
    return row[0] if row is not None else default


def _replace_state(query: peewee.Insert) -> peewee.Insert:
    return query.on_conflict(conflict_target=[SyncState.name], update={SyncState.value: peewee.EXCLUDED.value})


def set_states(values: dict[str, str]) -> None:
    """Store each name's value, in one prepared statement."""
    insert_rows("sync_state_upsert", [SyncState.name, SyncState.value], list(values.items()), _replace_state)


def set_state(name: str, value: str) -> None:
    set_states({name: value})


def last_pull() -> dt.datetime | None:
    """When this terminal last took in what head office sent (survives a restart)."""
    value = get_state(LAST_SYNC)
    return clock.parse(value) if value else None


def restore_clock_offset() -> dt.timedelta:
    """Re-apply the offset the last sync measured (call after opening the store)."""
    raw = get_state(CLOCK_OFFSET)
    offset = dt.timedelta(microseconds=int(raw)) if raw else dt.timedelta(0)
    clock.set_offset(offset)
    return offset


class RemoteLevel(BaseModel):
    location_code = peewee.CharField(max_length=32)
    sku = peewee.CharField(max_length=64, index=True)
    on_hand = QuantityField(default=Decimal(0))
    available = QuantityField(default=Decimal(0))
    as_of = peewee.DateTimeField()

    class Meta:
        indexes = ((("location_code", "sku"), True),)


def remote_levels(sku: str) -> list[RemoteLevel]:
    return list(RemoteLevel.select().where(RemoteLevel.sku == sku).order_by(RemoteLevel.location_code))


def _replace_level(query: peewee.Insert) -> peewee.Insert:
    return query.on_conflict(conflict_target=[RemoteLevel.location_code, RemoteLevel.sku], update={
        RemoteLevel.on_hand: peewee.EXCLUDED.on_hand, RemoteLevel.available: peewee.EXCLUDED.available,
        RemoteLevel.as_of: peewee.EXCLUDED.as_of})


def store_remote_levels(levels: list[tuple[str, str, Decimal, Decimal]], as_of: dt.datetime) -> None:
    """Replace the snapshot of (location code, sku, on hand, available), with one prepared statement:
    every pull of a busy chain brings dozens of them."""
    insert_rows("remote_level_upsert", [RemoteLevel.location_code, RemoteLevel.sku, RemoteLevel.on_hand,
                                        RemoteLevel.available, RemoteLevel.as_of],
                [(*level, as_of) for level in levels], _replace_level)


class Reservation(BaseModel):
    location = peewee.ForeignKeyField(Location, backref="+", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="CASCADE")
    quantity = QuantityField()
    reference = peewee.CharField(max_length=64, index=True)  # the order number
    created_at = peewee.DateTimeField(default=clock.now)


def reserve(location: Location, product: Product, quantity: Decimal, reference: str) -> Reservation:
    return Reservation.create(location=location, product=product, quantity=quantity, reference=reference,
                              created_at=clock.now())


def release(reference: str) -> int:
    """Drop the reservations of an order (picked, shipped or cancelled)."""
    return Reservation.delete().where(Reservation.reference == reference).execute()


def reserved(location: Location, product: Product) -> Decimal:
    total = Reservation.select(peewee.fn.COALESCE(peewee.fn.SUM(Reservation.quantity), 0)).where(
        (Reservation.location == location) & (Reservation.product == product)).scalar()
    return Decimal(int(total)) / QuantityField.scale


def available(location: Location, product: Product) -> Decimal:
    """What can still be promised: on hand (the ledger's one rule) minus what is reserved."""
    return on_hand(location, product) - reserved(location, product)
