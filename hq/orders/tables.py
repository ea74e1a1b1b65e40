"""Head office's order management tables (migration hq/migrations/0004_order_management.py).

An order itself is the domain's `Order` with its `OrderLine`s (so a location's terminal receives
it through the pull feed like any other); what only head office keeps sits here beside it: where it
came from and where it stands in review (`ChannelOrder`), its holds, its timeline, and its
allocations (which are the reservations: one row says "this much of this line is promised by that
location", so no second count can drift from it).
"""

from __future__ import annotations

import json
from decimal import Decimal

import peewee

from models import clock
from models.catalog import Product
from models.db import BaseModel
from models.fields import MoneyField, QuantityField, ScaledDecimalField
from models.oms.lifecycle import RECEIVED, RESERVED
from models.orders import Order, OrderLine
from models.places import Location


class JSONField(peewee.TextField):
    def db_value(self, value: object) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: object) -> object:
        return json.loads(value) if value else None


class RateField(ScaledDecimalField):
    scale = 10**9  # exchange rates need more places than money


class Channel(BaseModel):
    """A sales channel that sends orders: a web shop, a marketplace. Only its key's hash is kept."""

    code = peewee.CharField(unique=True, max_length=32)
    name = peewee.CharField(max_length=200, default="")
    key_hash = peewee.CharField(max_length=64, unique=True)
    shopify_secret = peewee.CharField(max_length=200, default="")  # signs Shopify's webhooks
    risky = peewee.BooleanField(default=False)
    online_buffer = QuantityField(default=Decimal(0))  # units kept back from what it may sell
    created_at = peewee.DateTimeField(default=clock.now)
    revoked_at = peewee.DateTimeField(null=True)


class ChannelExclusion(BaseModel):
    """A product a channel does not sell (review holds an order that has it)."""

    channel = peewee.ForeignKeyField(Channel, backref="exclusions", on_delete="CASCADE")
    sku = peewee.CharField(max_length=64)

    class Meta:
        indexes = ((("channel", "sku"), True),)


class ChannelOrder(BaseModel):
    """Head office's side of an order from a channel: its review state and what the channel said."""

    order = peewee.ForeignKeyField(Order, unique=True, backref="+", on_delete="CASCADE")
    channel = peewee.ForeignKeyField(Channel, backref="orders")
    channel_order_id = peewee.CharField(max_length=64)
    state = peewee.CharField(max_length=16, default=RECEIVED, index=True)
    queue = peewee.CharField(max_length=16, default="")  # backordered | unfillable | ""
    payment_status = peewee.CharField(max_length=16)
    service_level = peewee.CharField(max_length=32, default="standard")
    promised_at = peewee.DateTimeField(null=True)
    ship_to = JSONField(default=dict)
    contact = JSONField(default=dict)
    amount_reporting = MoneyField()  # the total in the reporting currency, on the day it came in
    received_at = peewee.DateTimeField(default=clock.now, index=True)
    updated_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("channel", "channel_order_id"), True),)


class Allocation(BaseModel):
    """A quantity of one order line promised by one location; in reserved, released or picking it
    holds stock there."""

    order = peewee.ForeignKeyField(Order, backref="+", on_delete="CASCADE")
    line = peewee.ForeignKeyField(OrderLine, backref="+", on_delete="CASCADE")
    location = peewee.ForeignKeyField(Location, backref="+")
    product = peewee.ForeignKeyField(Product, backref="+")
    quantity = QuantityField()
    state = peewee.CharField(max_length=16, default=RESERVED)
    cancel_requested = peewee.BooleanField(default=False)
    short_reason = peewee.CharField(max_length=32, default="")
    created_at = peewee.DateTimeField(default=clock.now)
    updated_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("product", "location", "state"), False), (("order", "line"), False),
                   (("location", "created_at"), False))


class OrderEvent(BaseModel):
    """The order's timeline: what happened, when, who did it and why. Never edited."""

    id = peewee.BigAutoField()
    order = peewee.ForeignKeyField(Order, backref="+", on_delete="CASCADE")
    at = peewee.DateTimeField(default=clock.now)
    by = peewee.CharField(max_length=64, default="")
    kind = peewee.CharField(max_length=32)
    note = peewee.TextField(default="")
    data = JSONField(default=dict)

    class Meta:
        table_name = "order_event"
        indexes = ((("order", "id"), False),)


class OrderHold(BaseModel):
    order = peewee.ForeignKeyField(Order, backref="+", on_delete="CASCADE")
    reason = peewee.CharField(max_length=32)
    detail = peewee.TextField(default="")
    rule_id = peewee.IntegerField(default=0)
    placed_at = peewee.DateTimeField(default=clock.now)
    placed_by = peewee.CharField(max_length=64, default="")
    released_at = peewee.DateTimeField(null=True)
    released_by = peewee.CharField(max_length=64, default="")
    note = peewee.TextField(default="")

    class Meta:
        indexes = ((("order", "released_at"), False),)


class ReviewRule(BaseModel):
    position = peewee.IntegerField(default=100)
    kind = peewee.CharField(max_length=32)
    params = JSONField(default=dict)
    enabled = peewee.BooleanField(default=True)


class AllocationRuleRow(BaseModel):
    channel = peewee.CharField(max_length=32, default="")  # "" for every channel
    position = peewee.IntegerField(default=100)
    name = peewee.CharField(max_length=100)
    locations = JSONField(default=list)
    split = peewee.BooleanField(default=False)
    split_min_value = MoneyField(default=Decimal(0))
    when_unplaced = peewee.CharField(max_length=16, default="next")
    partial = peewee.BooleanField(default=False)
    enabled = peewee.BooleanField(default=True)

    class Meta:
        table_name = "allocation_rule"


class LocationSetup(BaseModel):
    """What brokering knows of a location: where it is and how many orders a day it takes."""

    location = peewee.ForeignKeyField(Location, unique=True, backref="+", on_delete="CASCADE")
    country = peewee.CharField(max_length=2, default="")
    postcode = peewee.CharField(max_length=16, default="")
    lat = peewee.DoubleField(null=True)  # coordinates are not money: a float is right here
    lon = peewee.DoubleField(null=True)
    daily_capacity = peewee.IntegerField(null=True)
    fulfils = peewee.BooleanField(default=True)  # may ship channel orders at all


class SafetyStock(BaseModel):
    """Kept back from what a location may promise; product None: the location's default."""

    location = peewee.ForeignKeyField(Location, backref="+", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="+", null=True, on_delete="CASCADE")
    quantity = QuantityField()

    class Meta:
        indexes = ((("location", "product"), True),)


class ExchangeRate(BaseModel):
    """On `day`, one unit of `currency` was worth `rate` units of the reporting currency."""

    day = peewee.DateField()
    currency = peewee.CharField(max_length=3)
    rate = RateField()

    class Meta:
        indexes = ((("currency", "day"), True),)


class HqSetting(BaseModel):
    name = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField(default="")


class IdempotencyRecord(BaseModel):
    """The first answer to a channel's request with an Idempotency-Key, replayed on a retry."""

    channel = peewee.ForeignKeyField(Channel, backref="+", on_delete="CASCADE")
    key = peewee.CharField(max_length=255)
    body_hash = peewee.CharField(max_length=64)
    status = peewee.IntegerField()
    response = peewee.TextField()
    created_at = peewee.DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("channel", "key"), True),)


ORDER_TABLES: list[type[peewee.Model]] = [
    Channel, ChannelExclusion, ChannelOrder, Allocation, OrderEvent, OrderHold, ReviewRule, AllocationRuleRow,
    LocationSetup, SafetyStock, ExchangeRate, HqSetting, IdempotencyRecord]
