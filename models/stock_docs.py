"""Paperwork around stock movements: expected deliveries, transfers between locations, stock counts."""

from __future__ import annotations

from decimal import Decimal

import peewee

from . import clock
from .catalog import Product, lines_with_products
from .db import BaseModel
from .errors import NotFound
from .fields import QuantityField
from .places import Location

OPEN, DONE, CANCELLED = "open", "done", "cancelled"


class Delivery(BaseModel):
    """Goods a supplier (or head office) said will arrive at a location."""

    number = peewee.CharField(unique=True, max_length=64)
    location = peewee.ForeignKeyField(Location, backref="deliveries")
    supplier = peewee.CharField(default="")
    expected_at = peewee.DateTimeField(null=True)
    status = peewee.CharField(max_length=16, default=OPEN)
    received_at = peewee.DateTimeField(null=True)


class DeliveryLine(BaseModel):
    delivery = peewee.ForeignKeyField(Delivery, backref="lines", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="+")
    expected = QuantityField()
    received = QuantityField(default=Decimal(0))


class Transfer(BaseModel):
    number = peewee.CharField(unique=True, max_length=64)
    source = peewee.ForeignKeyField(Location, backref="+")
    destination = peewee.ForeignKeyField(Location, backref="+")
    status = peewee.CharField(max_length=16, default="sent")  # sent | received
    sent_at = peewee.DateTimeField(default=clock.now)
    received_at = peewee.DateTimeField(null=True)
    sent_by = peewee.CharField(default="")


class TransferLine(BaseModel):
    transfer = peewee.ForeignKeyField(Transfer, backref="lines", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="+")
    lot = peewee.CharField(default="")
    expiry = peewee.DateField(null=True)  # the lot's, as the sender knew it
    quantity = QuantityField()
    received = QuantityField(default=Decimal(0))


class StockCount(BaseModel):
    number = peewee.CharField(unique=True, max_length=64)
    location = peewee.ForeignKeyField(Location, backref="+")
    scope = peewee.CharField(default="")  # "bin A-01", "category Dairy", "list"
    blind = peewee.BooleanField(default=True)
    status = peewee.CharField(max_length=16, default=OPEN)  # open | done | cancelled
    started_at = peewee.DateTimeField(default=clock.now)
    started_by = peewee.CharField(default="")
    approved_by = peewee.CharField(default="")


class StockCountLine(BaseModel):
    count = peewee.ForeignKeyField(StockCount, backref="lines", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="+")
    bin = peewee.CharField(default="")
    lot = peewee.CharField(default="")
    expected = QuantityField(null=True)
    counted = QuantityField(null=True)
    counted_at = peewee.DateTimeField(null=True)
    recounts = peewee.IntegerField(default=0)


def open_deliveries(location: Location) -> list[Delivery]:
    """Deliveries expected at this location and not received yet, the soonest first."""
    return list(Delivery.select().where((Delivery.location == location) & (Delivery.status == OPEN))
                .order_by(Delivery.expected_at, Delivery.id))


def delivery_by_number(number: str) -> Delivery:
    """The delivery with this number, as the database has it now (its status may have changed)."""
    delivery = Delivery.get_or_none(Delivery.number == number.strip())
    if delivery is None:
        raise NotFound("No delivery {number}: choose it again from the list (F2).", number=number)
    return delivery


def delivery_lines(delivery: Delivery) -> list[DeliveryLine]:
    """A delivery's lines with their products, in the order they were written down."""
    return lines_with_products(DeliveryLine.delivery, delivery, DeliveryLine.id)


def transfer_by_id(transfer_id: int) -> Transfer:
    """A transfer with where it came from, as the database has it now (it may have been booked in)."""
    transfer = (Transfer.select(Transfer, Location).join(Location, on=(Transfer.source == Location.id))
                .where(Transfer.id == transfer_id).first())
    if transfer is None:
        raise NotFound("No transfer {transfer_id} here: choose it again from the incoming list (F3).", transfer_id=transfer_id)
    return transfer


def transfer_lines(transfer_id: int) -> list[TransferLine]:
    """A transfer's lines with their products, in the order they were sent."""
    return lines_with_products(TransferLine.transfer, transfer_id, TransferLine.id)
