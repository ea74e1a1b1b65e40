"""What happens to allocations after brokering: released to the location, picked or short,
shipped, delivered; and cancellation, which is a handshake once a location has the work.

Each step is one transaction that moves allocations by the lifecycle's rules (an illegal move is
refused, nothing changes), records it on the timeline and refreshes the order's shown status. A
reservation is released or consumed exactly once: it is the allocation's state that holds stock,
so moving the state is the release.
"""

from __future__ import annotations

from decimal import Decimal

from models.errors import DomainError, NotFound
from models.oms.lifecycle import (
    ALLOCATION_CANCELLED,
    APPROVED,
    AT_LOCATION,
    CANCELLED,
    CANCELLING,
    CLOSED,
    DELIVERED,
    PACKED,
    PARTLY_CANCELLED,
    PICKED,
    RELEASED,
    RESERVED,
    RETURNED,
    SHIPPED,
    SHORT,
    check_allocation,
    check_header,
)
from models.orders import Order

from .. import hqclock
from . import timeline
from .locking import lock_products, write_transaction
from .review import order_head
from .tables import Allocation, ChannelOrder

SHORT_REASONS = ("not_found", "damaged", "wrong_item")


def _move(allocation: Allocation, to: str, **changes: object) -> None:
    check_allocation(allocation.state, to)
    Allocation.update(state=to, updated_at=hqclock.now(), **changes).where(Allocation.id == allocation.id).execute()
    allocation.state = to


def _allocation(allocation_id: int) -> Allocation:
    row = Allocation.get_or_none(Allocation.id == allocation_id)
    if row is None:
        raise NotFound("No allocation {id}.", id=allocation_id)
    return row


def allocations(order: Order) -> list[Allocation]:
    return list(Allocation.select().where(Allocation.order == order).order_by(Allocation.id))


def release(number: str, *, by: str) -> int:
    """Hand the order's reserved allocations to their locations to pick."""
    with write_transaction():
        order, head = order_head(number)
        if head.state != APPROVED or head.queue == CANCELLING:
            raise DomainError("Order {number} is {state}: only approved orders are released to pick.",
                              number=order.number, state=head.state if head.queue != CANCELLING else "being cancelled")
        rows = [a for a in allocations(order) if a.state == RESERVED]
        for row in rows:
            _move(row, RELEASED)
        if rows:
            timeline.record(order, "released", by=by, note=", ".join(sorted({str(r.location_id) for r in rows})))
        timeline.refresh_status(order)
    return len(rows)


def _step(allocation_id: int, to: str, *, by: str, note: str = "") -> Allocation:
    with write_transaction():
        row = _allocation(allocation_id)
        lock_products([row.product_id])
        order = Order.get_by_id(row.order_id)
        if row.cancel_requested and to in (PACKED, SHIPPED):
            raise DomainError("Order {number} is being cancelled: answer the cancel request first (put the goods "
                              "back, or say the parcel is packed).", number=order.number)
        _move(row, to)
        timeline.record(order, to, by=by, note=note, data={"allocation": row.id, "quantity": str(row.quantity)})
        _close_if_done(order)
    return row


def picked(allocation_id: int, *, by: str) -> Allocation:
    return _step(allocation_id, PICKED, by=by)


def packed(allocation_id: int, *, by: str) -> Allocation:
    return _step(allocation_id, PACKED, by=by)


def shipped(allocation_id: int, *, by: str, note: str = "") -> Allocation:
    return _step(allocation_id, SHIPPED, by=by, note=note)


def delivered(allocation_id: int, *, by: str) -> Allocation:
    return _step(allocation_id, DELIVERED, by=by)


def short(allocation_id: int, quantity: Decimal, *, reason: str, by: str) -> Allocation:
    """`quantity` of an allocation could not be picked: that part ends short (its reservation is
    released) and goes back to the line, which the next brokering run places elsewhere."""
    if reason not in SHORT_REASONS:
        raise DomainError("A short pick's reason is {reasons}, not {reason!r}.", reasons=", ".join(SHORT_REASONS),
                          reason=reason)
    with write_transaction():
        row = _allocation(allocation_id)
        lock_products([row.product_id])
        order = Order.get_by_id(row.order_id)
        check_allocation(row.state, SHORT)
        if not 0 < quantity <= row.quantity:
            raise DomainError("Short {quantity} of an allocation of {total}: give 1 to {total}.", quantity=quantity,
                              total=row.quantity)
        was_asked = False
        if quantity < row.quantity:
            Allocation.update(quantity=row.quantity - quantity, updated_at=hqclock.now()).where(
                Allocation.id == row.id).execute()
            row = Allocation.create(order=row.order_id, line=row.line_id, location=row.location_id,
                                    product=row.product_id, quantity=quantity, state=SHORT, short_reason=reason,
                                    created_at=hqclock.now(), updated_at=hqclock.now())
        else:
            was_asked = row.cancel_requested
            _move(row, SHORT, short_reason=reason, cancel_requested=False)
            row.cancel_requested = False
        timeline.record(order, "short", by=by, note=reason,
                        data={"allocation": row.id, "quantity": str(quantity), "location": row.location_id})
        if was_asked:
            _settle_cancel(order, by)  # nothing left here to put back: the request is answered
        timeline.refresh_status(order)
    return row


def _close_if_done(order: Order) -> None:
    status = timeline.refresh_status(order)
    if status in (DELIVERED, RETURNED):
        head = ChannelOrder.get(ChannelOrder.order == order)
        if head.state == APPROVED:
            timeline.set_head(head, state=CLOSED)
            timeline.record(order, "closed", by="head office")


def cancel(number: str, *, by: str, note: str) -> Order:
    """Cancel an order: at once for what no location has started on; a request to each location
    that has (it puts the goods back and accepts, or says the parcel is packed and it ships)."""
    if not note.strip():
        raise DomainError("A cancellation needs a note: why.")
    with write_transaction():
        order, head = order_head(number)
        check_header(head.state, CANCELLED)
        rows = allocations(order)
        lock_products({r.product_id for r in rows})
        gone = [r for r in rows if r.state in (PACKED, SHIPPED, DELIVERED, RETURNED)]
        if gone:
            raise DomainError("Order {number} has goods packed or shipped: it cannot be cancelled; take it back as a "
                              "return when it arrives.", number=order.number)
        asked = []
        for row in rows:
            if row.state == RESERVED:
                _move(row, ALLOCATION_CANCELLED)
            elif row.state in AT_LOCATION and not row.cancel_requested:
                Allocation.update(cancel_requested=True, updated_at=hqclock.now()).where(Allocation.id == row.id).execute()
                asked.append(row)
        timeline.record(order, "cancel_requested" if asked else "cancelled", by=by, note=note.strip(),
                        data={"asked": [r.id for r in asked]})
        if asked or any(r.cancel_requested and r.state in AT_LOCATION for r in rows):
            timeline.set_head(head, queue=CANCELLING)
        else:
            timeline.set_head(head, state=CANCELLED, queue="")
        timeline.refresh_status(order)
    return order


def answer_cancel(allocation_id: int, *, accepted: bool, by: str, note: str = "") -> Allocation:
    """A location's answer to a cancel request: accepted (goods put back) or rejected (packed)."""
    with write_transaction():
        row = _allocation(allocation_id)
        if not row.cancel_requested:
            raise DomainError("Allocation {id} has no cancel request to answer.", id=row.id)
        order = Order.get_by_id(row.order_id)
        lock_products([row.product_id])
        if accepted:
            _move(row, ALLOCATION_CANCELLED, cancel_requested=False)
        else:
            if row.state != PICKED:
                raise DomainError("A cancel is only refused for goods already packed; allocation {id} is {state}.",
                                  id=row.id, state=row.state)
            _move(row, PACKED, cancel_requested=False)
        timeline.record(order, "cancel_accepted" if accepted else "cancel_rejected", by=by, note=note,
                        data={"allocation": row.id})
        _settle_cancel(order, by)
        timeline.refresh_status(order)
    return row


def _settle_cancel(order: Order, by: str) -> None:
    """Once every location has answered a cancel request: cancelled, or (one had packed) it ships."""
    if Allocation.select().where((Allocation.order == order) & Allocation.cancel_requested).exists():
        return
    head = ChannelOrder.get(ChannelOrder.order == order)
    if head.queue != CANCELLING:
        return
    kept = Allocation.select().where((Allocation.order == order) & Allocation.state.in_(
        (RELEASED, PICKED, PACKED, SHIPPED))).exists()
    if kept:  # a location refused: the order ships, and comes back as a return
        timeline.set_head(head, queue=PARTLY_CANCELLED)
        timeline.record(order, "cancel_refused", by=by, note="packed: it ships and comes back as a return")
    else:
        timeline.set_head(head, state=CANCELLED, queue="")
        timeline.record(order, "cancelled", by=by, note="every location put the goods back")
