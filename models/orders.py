"""Orders from every channel, their lines, tenders and the history of their status."""

from __future__ import annotations

from decimal import Decimal

import peewee

from . import clock
from .catalog import Product, lines_with_products
from .db import BaseModel
from .fields import MoneyField, QuantityField
from .money import Money
from .people import Customer
from .places import Location

# An order's life. Counter sales go straight from ordered to paid to delivered (handed over).
ORDERED, PAID, ALLOCATED, PICKING, PACKED, SHIPPED, DELIVERED = (
    "ordered", "paid", "allocated", "picking", "packed", "shipped", "delivered")
CANCELLED, RETURNED, PARTLY_RETURNED = "cancelled", "returned", "partly_returned"
STATUSES = (ORDERED, PAID, ALLOCATED, PICKING, PACKED, SHIPPED, DELIVERED, CANCELLED, RETURNED, PARTLY_RETURNED)

COUNTER, WEB, MARKETPLACE = "counter", "web", "marketplace"
SALE_ORDER, RETURN_ORDER = "sale", "return"


class Order(BaseModel):
    number = peewee.CharField(unique=True, max_length=64)
    kind = peewee.CharField(max_length=16, default=SALE_ORDER)  # sale | return
    channel = peewee.CharField(max_length=32, default=COUNTER)
    location = peewee.ForeignKeyField(Location, backref="orders", null=True)
    terminal = peewee.CharField(max_length=16, default="")
    user = peewee.CharField(max_length=32, default="")
    customer = peewee.ForeignKeyField(Customer, backref="orders", null=True)
    status = peewee.CharField(max_length=16, default=ORDERED, index=True)
    currency = peewee.CharField(max_length=3)
    subtotal = MoneyField(default=Decimal(0))
    discount = MoneyField(default=Decimal(0))
    tax = MoneyField(default=Decimal(0))
    total = MoneyField(default=Decimal(0))
    original = peewee.ForeignKeyField("self", null=True, backref="returns")  # for a return
    created_at = peewee.DateTimeField(default=clock.now, index=True)
    approved_by = peewee.CharField(max_length=32, default="")

    def money(self, amount: Decimal) -> Money:
        return Money(amount, self.currency)


class OrderLine(BaseModel):
    order = peewee.ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    position = peewee.IntegerField()
    product = peewee.ForeignKeyField(Product, backref="+")
    sku = peewee.CharField(max_length=64)  # snapshot: the product may be renamed later
    name = peewee.CharField()
    quantity = QuantityField()
    unit_price = MoneyField()
    discount = MoneyField(default=Decimal(0))
    total = MoneyField()
    lot = peewee.CharField(default="")
    reason = peewee.CharField(default="")  # returns: why
    condition = peewee.CharField(default="")  # returns: restock | write_off
    original_line = peewee.ForeignKeyField("self", null=True, backref="returned_by")


class Tender(BaseModel):
    order = peewee.ForeignKeyField(Order, backref="tenders", on_delete="CASCADE")
    kind = peewee.CharField(max_length=16)  # cash | card | voucher
    amount = MoneyField()
    reference = peewee.CharField(default="")
    change = MoneyField(default=Decimal(0))


class OrderStatusChange(BaseModel):
    order = peewee.ForeignKeyField(Order, backref="history", on_delete="CASCADE")
    status = peewee.CharField(max_length=16)
    at = peewee.DateTimeField(default=clock.now)
    by = peewee.CharField(default="")
    note = peewee.CharField(default="")


def set_status(order: Order, status: str, by: str = "", note: str = "") -> None:
    order.status = status
    order.save(only=[Order.status])
    OrderStatusChange.create(order=order, status=status, at=clock.now(), by=by, note=note)


def order_by_number(number: str) -> Order | None:
    return Order.get_or_none(Order.number == number.strip())


def recent_sales(location: Location | int, limit: int = 20) -> list[Order]:
    """The latest sales rung up at this location, newest first (to find one to take back)."""
    return list(Order.select().where((Order.kind == SALE_ORDER) & (Order.location == location))
                .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit))


def order_lines(order: Order) -> list[OrderLine]:
    """An order's lines with their products, in receipt order."""
    return lines_with_products(OrderLine.order, order, OrderLine.position)
