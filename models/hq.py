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
from .catalog import Product
from .db import BaseModel
from .fields import QuantityField
from .ledger import on_hand
from .places import Location

CURSOR, LAST_SYNC, LAST_ERROR, LAST_ERROR_AT, CLOCK_OFFSET = (
    "cursor", "last_sync_at", "last_error", "last_error_at", "clock_offset_us")


class SyncState(BaseModel):
    name = peewee.CharField(primary_key=True, max_length=32)
    value = peewee.TextField(default="")


def get_state(name: str, default: str = "") -> str:
    row = SyncState.get_or_none(SyncState.name == name)
    return row.value if row is not None else default


def set_state(name: str, value: str) -> None:
    SyncState.insert(name=name, value=value).on_conflict(
        conflict_target=[SyncState.name], update={SyncState.value: value}).execute()


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


def store_remote_level(location_code: str, sku: str, on_hand: Decimal, available: Decimal,
                       as_of: dt.datetime) -> None:
    RemoteLevel.insert(location_code=location_code, sku=sku, on_hand=on_hand, available=available,
                       as_of=as_of).on_conflict(
        conflict_target=[RemoteLevel.location_code, RemoteLevel.sku],
        update={RemoteLevel.on_hand: on_hand, RemoteLevel.available: available, RemoteLevel.as_of: as_of},
    ).execute()


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
