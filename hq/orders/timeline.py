"""An order's timeline (who, when, what, why) and the status it shows, kept beside its lines."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from decimal import Decimal

import peewee

from models.bulk import insert_values
from models.oms.lifecycle import Part, check_header, line_parts, rest_state, shown_status
from models.orders import Order, OrderLine
from models.statements import Slot, Statement

from .. import hqclock
from .tables import Allocation, ChannelOrder, OrderEvent

EVENT_FIELDS = (OrderEvent.order, OrderEvent.at, OrderEvent.by, OrderEvent.kind, OrderEvent.note, OrderEvent.data)
_batch: contextvars.ContextVar[list[dict] | None] = contextvars.ContextVar("timeline_batch", default=None)


def record(order: Order | int, kind: str, *, by: str = "", note: str = "", data: dict | None = None) -> None:
    row = {"order": order if isinstance(order, int) else order.id, "at": hqclock.now(), "by": by, "kind": kind,
           "note": note, "data": data or {}}
    pending = _batch.get()
    if pending is None:
        OrderEvent.insert(**row).execute()
    else:
        pending.append(row)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Record the block's timeline entries in one statement at its end (inside its transaction)."""
    if _batch.get() is not None:
        yield
        return
    pending: list[dict] = []
    token = _batch.set(pending)
    try:
        yield
        insert_values(EVENT_FIELDS, [(r["order"], r["at"], r["by"], r["kind"], r["note"], r["data"]) for r in pending])
    finally:
        _batch.reset(token)


def parts_by_line(order: Order, queue: str = "", lines: list[OrderLine] | None = None) -> dict[int, list[Part]]:
    """Each line's quantity by state, from its allocations; the rest shows the order's queue.
    `lines`: the order's lines if the caller has them already."""
    allocations: dict[int, list[tuple[str, Decimal]]] = {}
    for row in Allocation.select(Allocation.line, Allocation.state, Allocation.quantity).where(
            Allocation.order == order).tuples():
        allocations.setdefault(row[0], []).append((row[1], row[2]))
    rest = rest_state(queue)
    if lines is None:
        lines = list(OrderLine.select().where(OrderLine.order == order).order_by(OrderLine.position))
    return {line.id: line_parts(line.quantity, allocations.get(line.id, []), rest) for line in lines}


# A column bound to NULL keeps its value: what is not changed is not written back from memory.
_set_head = Statement(lambda: ChannelOrder.update(
    state=peewee.fn.COALESCE(Slot("state"), ChannelOrder.state),
    queue=peewee.fn.COALESCE(Slot("queue"), ChannelOrder.queue),
    updated_at=Slot("at", ChannelOrder.updated_at)).where(ChannelOrder.id == Slot("id")))


def set_head(head: ChannelOrder, *, state: str | None = None, queue: str | None = None) -> None:
    """Move an order's header (checked against the lifecycle) and/or its queue, in one write."""
    if state is not None:
        check_header(head.state, state)
    _set_head.execute(state=state, queue=queue, at=hqclock.now(), id=head.id)
    if state is not None:
        head.state = state
    if queue is not None:
        head.queue = queue


def refresh_status(order: Order) -> str:
    """Derive the shown status from the header and the lines, and store it on the order (where
    lists and the terminals read it)."""
    head = ChannelOrder.get(ChannelOrder.order == order)
    status = shown_status(head.state, list(parts_by_line(order, head.queue).values()))
    if status != order.status:
        Order.update(status=status).where(Order.id == order.id).execute()
        order.status = status
    return status
