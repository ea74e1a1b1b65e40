"""An order's timeline (who, when, what, why) and the status it shows, kept beside its lines."""

from __future__ import annotations

from decimal import Decimal

from models.oms.lifecycle import BACKORDERED, UNALLOCATED, UNFILLABLE, Part, line_parts, shown_status
from models.orders import Order, OrderLine

from .. import hqclock
from .tables import Allocation, ChannelOrder, OrderEvent


def record(order: Order, kind: str, *, by: str = "", note: str = "", data: dict | None = None) -> None:
    OrderEvent.create(order=order, at=hqclock.now(), by=by, kind=kind, note=note, data=data or {})


def parts_by_line(order: Order, queue: str = "") -> dict[int, list[Part]]:
    """Each line's quantity by state, from its allocations; the rest is `queue` (or unallocated)."""
    allocations: dict[int, list[tuple[str, Decimal]]] = {}
    for row in Allocation.select(Allocation.line, Allocation.state, Allocation.quantity).where(
            Allocation.order == order).tuples():
        allocations.setdefault(row[0], []).append((row[1], row[2]))
    rest = queue if queue in (BACKORDERED, UNFILLABLE) else UNALLOCATED
    return {line.id: line_parts(line.quantity, allocations.get(line.id, []), rest)
            for line in OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position)}


def refresh_status(order: Order) -> str:
    """Derive the shown status from the header and the lines, and store it on the order (where
    lists and the terminals read it)."""
    head = ChannelOrder.get(ChannelOrder.order == order)
    status = shown_status(head.state, list(parts_by_line(order, head.queue).values()))
    if status != order.status:
        Order.update(status=status).where(Order.id == order.id).execute()
        order.status = status
    return status
