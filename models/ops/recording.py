"""The one way an operation moves stock: event, level and outbox row together."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .. import clock, outbox
from ..catalog import Product
from ..context import Actor
from ..ledger import EventData, post_event
from ..places import Location


def record_stock(
    actor: Actor, product: Product, quantity: Decimal, kind: str, *, reference: str = "",
    location: Location | None = None, bin: str = "", lot: str = "", expiry: dt.date | None = None,
    reason: str = "", occurred_at: dt.datetime | None = None, event_id: str = "",
) -> EventData:
    location = location or actor.location
    event = EventData(
        location=location.code, sku=product.sku, quantity=quantity, kind=kind,
        occurred_at=occurred_at or clock.now(), bin=bin, lot=lot, expiry=expiry, reason=reason,
        terminal=actor.terminal.code, user=actor.user.code, reference=reference,
        # A caller-chosen id (e.g. derived from an imported file) makes a replay a no-op in post_event.
        **({"id": event_id} if event_id else {}),
    )
    post_event(event, location=location, product=product)
    outbox.enqueue(outbox.STOCK_EVENT, event.id, event.payload())
    return event
