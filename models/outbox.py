"""The outbox: what this terminal still owes head office, written in the same transaction as the change.

Sync reads rows in id order, sends them, and deletes them only after head office answered.
"""

from __future__ import annotations

import json

import peewee

from . import clock
from .db import BaseModel
from .statements import RowInsert, Slot, Statement

STOCK_EVENT = "stock_event"
ORDER = "order"


class OutboxEntry(BaseModel):
    kind = peewee.CharField(max_length=32)
    ref = peewee.CharField(max_length=64, index=True)  # event id or order number
    payload = peewee.TextField()
    created_at = peewee.DateTimeField(default=clock.now)
    attempts = peewee.IntegerField(default=0)


def enqueue(kind: str, ref: str, payload: dict) -> None:
    _insert(kind=kind, ref=ref, payload=json.dumps(payload, separators=(",", ":")), created_at=clock.now())


def pending_count() -> int:
    return OutboxEntry.select().count()


class LocalCounter(BaseModel):
    """Gap-free numbers a terminal hands out without asking anyone (order numbers, count ids)."""

    name = peewee.CharField(primary_key=True, max_length=32)
    value = peewee.BigIntegerField(default=0)


def next_number(name: str) -> int:
    """Take the next number of a counter; call inside the transaction that uses it."""
    (value,) = _take_number.execute(name=name).fetchone()
    return value


_insert = RowInsert(OutboxEntry)
_take_number = Statement(lambda: LocalCounter.insert(name=Slot("name"), value=1).on_conflict(
    conflict_target=[LocalCounter.name], update={LocalCounter.value: LocalCounter.value + 1},
).returning(LocalCounter.value))
