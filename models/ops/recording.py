"""The one way an operation moves stock: event, level and outbox row together.

`record_stock` books one event where it is told. `take_stock` and `put_stock` are for operations
that were not told a bin (or, for lot-tracked goods, a lot): they choose by `models.shelves`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import clock, outbox, shelves
from ..catalog import Product
from ..context import Actor
from ..ledger import EventData, post_event
from ..places import Location


def record_stock(
    actor: Actor, product: Product, quantity: Decimal, kind: str, *, reference: str = "",
    location: Location | None = None, bin: str = "", lot: str = "", expiry: dt.date | None = None,
    reason: str = "", occurred_at: dt.datetime | None = None, event_id: str = "", scope: str = "",
) -> EventData:
    location = location or actor.location
    event = EventData(
        location=location.code, sku=product.sku, quantity=quantity, kind=kind,
        occurred_at=occurred_at or clock.now(), bin=bin, lot=lot, expiry=expiry, reason=reason,
        terminal=actor.terminal.code, user=actor.user.code, reference=reference, scope=scope,
        # A caller-chosen id (e.g. derived from an imported file) makes a replay a no-op in post_event.
        **({"id": event_id} if event_id else {}),
    )
    post_event(event, location=location, product=product)
    outbox.enqueue(outbox.STOCK_EVENT, event.id, event.payload())
    return event


def take_stock(
    actor: Actor, product: Product, quantity: Decimal, kind: str, *, reference: str = "", lot: str = "",
    bin: str = "", reason: str = "", occurred_at: dt.datetime | None = None, location: Location | None = None,
) -> list[EventData]:
    """Book `quantity` (positive) out, one event per bin and lot it comes from (`shelves.takes`).

    A lot or bin given narrows where it comes from; lot-tracked goods without one go first expiry
    first. Whether the location may go below zero is the caller's check.
    """
    location = location or actor.location
    return [
        record_stock(actor, product, -part.quantity, kind, reference=reference, location=location, bin=part.bin,
                     lot=part.lot, reason=reason, occurred_at=occurred_at)
        for part in shelves.takes(location, product, quantity, lot=lot or None, bin=bin or None)
    ]


def put_stock(
    actor: Actor, product: Product, quantity: Decimal, kind: str, *, reference: str = "", lot: str = "",
    bin: str = "", expiry: dt.date | None = None, reason: str = "", occurred_at: dt.datetime | None = None,
    location: Location | None = None,
) -> EventData:
    """Book `quantity` (positive) in, to the bin given or else the product's home bin."""
    location = location or actor.location
    return record_stock(actor, product, quantity, kind, reference=reference, location=location,
                        bin=bin or shelves.put_away_bin(location, product), lot=lot, expiry=expiry,
                        reason=reason, occurred_at=occurred_at)
