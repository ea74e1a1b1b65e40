"""What head office answers about an order and about stock (the API's and the CLI's reads)."""

from __future__ import annotations

from decimal import Decimal

from models.catalog import Product, product_by_sku
from models.errors import NotFound
from models.oms.availability import channel_atp
from models.oms.lifecycle import line_state
from models.orders import Order, OrderLine
from models.places import Location

from . import timeline
from .stock import standings
from .tables import Allocation, Channel, ChannelOrder, OrderEvent, OrderHold


def order_view(number: str) -> dict:
    order = Order.get_or_none(Order.number == number.strip())
    head = ChannelOrder.select(ChannelOrder, Channel).join(Channel).where(
        ChannelOrder.order == order).first() if order is not None else None
    if head is None:
        raise NotFound("No channel order {number!r} at head office.", number=number.strip()[:64])
    codes = dict(Location.select(Location.id, Location.code).tuples())
    lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position))
    parts = timeline.parts_by_line(order, head.queue, lines)
    skus = {line.id: line.sku for line in lines}
    return {
        "number": order.number, "channel": head.channel.code, "channel_order_id": head.channel_order_id,
        "state": head.state, "status": order.status, "queue": head.queue, "currency": order.currency,
        "total": str(order.total), "total_reporting": str(head.amount_reporting),
        "payment_status": head.payment_status, "service_level": head.service_level,
        "promised_at": head.promised_at.isoformat() + "Z" if head.promised_at else None,
        "placed_at": order.created_at.isoformat() + "Z", "customer": head.contact or {}, "ship_to": head.ship_to or {},
        "lines": [{"position": line.position, "sku": line.sku, "name": line.name, "quantity": str(line.quantity),
                   "unit_price": str(line.unit_price), "total": str(line.total),
                   "state": line_state(parts[line.id]),
                   "parts": [{"state": p.state, "quantity": str(p.quantity)} for p in parts[line.id]]}
                  for line in lines],
        "holds": [{"reason": h.reason, "detail": h.detail, "rule": h.rule_id or None,
                   "placed_at": h.placed_at.isoformat() + "Z", "placed_by": h.placed_by,
                   "released_at": h.released_at.isoformat() + "Z" if h.released_at else None,
                   "released_by": h.released_by, "note": h.note}
                  for h in OrderHold.select().where(OrderHold.order == order).order_by(OrderHold.id)],
        "allocations": [{"id": a.id, "line": a.line_id, "location": codes.get(a.location_id, ""),
                         "sku": skus.get(a.line_id, ""), "quantity": str(a.quantity), "state": a.state,
                         "cancel_requested": a.cancel_requested, "short_reason": a.short_reason or None}
                        for a in Allocation.select().where(Allocation.order == order).order_by(Allocation.id)],
        "shipments": [],  # parcels come with the warehouse terminal's pack and ship
        "timeline": [{"at": e.at.isoformat() + "Z", "by": e.by, "kind": e.kind, "note": e.note, "data": e.data or {}}
                     for e in OrderEvent.select().where(OrderEvent.order == order).order_by(OrderEvent.id)],
    }


def taken_view(order: Order) -> dict:
    """The answer to an intake (and what an Idempotency-Key replays): where the order stands now.
    `GET /v1/orders/{number}` has the whole of it, with the timeline."""
    head = ChannelOrder.get(ChannelOrder.order == order)
    codes = dict(Location.select(Location.id, Location.code).tuples())
    holds = [(h.reason, h.detail) for h in OrderHold.select(OrderHold.reason, OrderHold.detail)
             .where(OrderHold.order == order).order_by(OrderHold.id)]
    allocations = [(a.line_id, codes.get(a.location_id, ""), a.quantity, a.state)
                   for a in Allocation.select().where(Allocation.order == order).order_by(Allocation.id)]
    return intake_answer(order, head, holds, allocations)


def intake_answer(order: Order, head: ChannelOrder, holds: list[tuple[str, str]],
                  allocations: list[tuple[int, str, Decimal, str]]) -> dict:
    """An intake's answer from what it knows: holds as (reason, detail), allocations as (line id,
    location code, quantity, state)."""
    return {"number": order.number, "channel_order_id": head.channel_order_id, "state": head.state,
            "status": order.status, "queue": head.queue, "currency": order.currency, "total": str(order.total),
            "holds": [{"reason": reason, "detail": detail} for reason, detail in holds],
            "allocations": [{"line": line, "location": location, "quantity": str(quantity), "state": state}
                            for line, location, quantity, state in allocations]}


def availability(sku: str, channel: Channel | None = None) -> dict:
    """What each location may promise of a product, and what `channel` may sell of it."""
    product: Product = product_by_sku(sku.strip())
    codes = dict(Location.select(Location.id, Location.code).tuples())
    locations = [{"location": codes[loc], "on_hand": str(s.on_hand), "reserved": str(s.reserved),
                  "safety_stock": str(s.safety), "short_until_counted": str(s.short), "atp": str(s.atp)}
                 for (loc, _), s in sorted(standings({product.id}).items(), key=lambda kv: codes[kv[0][0]])]
    buffer = channel.online_buffer if channel is not None else Decimal(0)
    total = channel_atp([Decimal(x["atp"]) for x in locations], buffer)
    return {"sku": product.sku, "channel": channel.code if channel else None, "channel_buffer": str(buffer),
            "available": str(total), "locations": locations}
