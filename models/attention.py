"""Things a person at the terminal must look at: what sync could not settle by itself.

Head office refused an event (with its reason), an order was cancelled while it was being picked
(put the goods back), a product changed while a sale was open (the sale keeps its price snapshot).
"""

from __future__ import annotations

import peewee

from . import clock
from .db import BaseModel

REJECTED = "rejected"  # head office refused something this terminal sent
PUT_BACK = "put_back"  # an order was cancelled at head office while being picked here
PRODUCT_CHANGED = "product_changed"  # a product changed at head office while a sale was open
PULL_FAILED = "pull_failed"  # something head office sent could not be applied here


class Attention(BaseModel):
    kind = peewee.CharField(max_length=32, index=True)
    ref = peewee.CharField(max_length=64, default="")  # event id, order number, SKU
    message = peewee.TextField()
    payload = peewee.TextField(default="")  # what was refused, so nothing is lost
    created_at = peewee.DateTimeField(default=clock.now)
    resolved = peewee.BooleanField(default=False, index=True)
    resolved_at = peewee.DateTimeField(null=True)
    resolved_by = peewee.CharField(max_length=32, default="")


def add(kind: str, ref: str, message: str, payload: str = "") -> Attention:
    return Attention.create(kind=kind, ref=ref, message=message, payload=payload, created_at=clock.now())


def open_items(kind: str | None = None) -> list[Attention]:
    query = Attention.select().where(Attention.resolved == False)  # noqa: E712
    if kind:
        query = query.where(Attention.kind == kind)
    return list(query.order_by(Attention.created_at, Attention.id))


def open_count() -> int:
    return Attention.select().where(Attention.resolved == False).count()  # noqa: E712


def resolve(item_id: int, by: str = "") -> None:
    """Mark an item dealt with; it stays in the table as a record."""
    Attention.update(resolved=True, resolved_at=clock.now(), resolved_by=by).where(
        Attention.id == item_id).execute()
