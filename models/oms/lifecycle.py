"""An order's life at head office: the header's states, each allocation's, and the shown status.

The header says where the order stands in review: received, in review, on hold, approved,
cancelled, closed. Fulfilment happens per line and location: an *allocation* is a quantity of one
line promised by one location, and moves reserved -> released -> picking -> picked -> packed ->
shipped -> delivered (or returned); a short pick ends it as short, a cancellation as cancelled. What
the order shows (partly allocated, backordered, partly shipped, ...) is derived from its lines, so
it can never disagree with them.

Illegal moves are refused here, whoever asks (API, CLI, a terminal's push): `check_header` and
`check_allocation` raise a DomainError that names the state and the move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..errors import DomainError

# The header.
RECEIVED, IN_REVIEW, ON_HOLD, APPROVED, CANCELLED, CLOSED = (
    "received", "in_review", "on_hold", "approved", "cancelled", "closed")
HEADER_STATES = (RECEIVED, IN_REVIEW, ON_HOLD, APPROVED, CANCELLED, CLOSED)

HEADER_MOVES: dict[str, tuple[str, ...]] = {
    RECEIVED: (IN_REVIEW, CANCELLED),
    IN_REVIEW: (ON_HOLD, APPROVED, CANCELLED),
    ON_HOLD: (ON_HOLD, APPROVED, CANCELLED),  # ON_HOLD -> ON_HOLD: another hold is added
    APPROVED: (ON_HOLD, CLOSED, CANCELLED),  # held again: only before anything is allocated
    CANCELLED: (),
    CLOSED: (),
}

# An allocation: a quantity of one line at one location.
RESERVED, RELEASED, PICKING, PICKED, SHORT, PACKED, SHIPPED, DELIVERED, RETURNED = (
    "reserved", "released", "picking", "picked", "short", "packed", "shipped", "delivered", "returned")
ALLOCATION_CANCELLED = "cancelled"
ALLOCATION_STATES = (RESERVED, RELEASED, PICKING, PICKED, SHORT, PACKED, SHIPPED, DELIVERED, RETURNED,
                     ALLOCATION_CANCELLED)

ALLOCATION_MOVES: dict[str, tuple[str, ...]] = {
    RESERVED: (RELEASED, ALLOCATION_CANCELLED),
    RELEASED: (PICKING, PICKED, SHORT, ALLOCATION_CANCELLED),
    PICKING: (PICKED, SHORT, ALLOCATION_CANCELLED),
    PICKED: (PACKED, SHIPPED, ALLOCATION_CANCELLED),  # cancelled once picked: the goods are put back
    PACKED: (SHIPPED,),  # packed goods are not cancelled: they ship and come back as a return
    SHIPPED: (DELIVERED, RETURNED),
    DELIVERED: (RETURNED,),
    SHORT: (),
    RETURNED: (),
    ALLOCATION_CANCELLED: (),
}

# Holding stock: an allocation in one of these keeps its quantity reserved at its location.
HOLDS_STOCK = (RESERVED, RELEASED, PICKING)
# Still the location's work (a cancel is a request to it, not a decision head office makes alone).
AT_LOCATION = (RELEASED, PICKING, PICKED)
# Spent: the quantity went out of the door (or came back), it is no longer the line's to allocate.
DONE = (PICKED, PACKED, SHIPPED, DELIVERED, RETURNED)
# Gone back to the line: short and cancelled allocations free their quantity for another location.
GIVEN_BACK = (SHORT, ALLOCATION_CANCELLED)

# What a line shows besides an allocation state.
UNALLOCATED, BACKORDERED, UNFILLABLE = "unallocated", "backordered", "unfillable"

# An approved order's queue: where its unplaced rest waits, or why it is not placed. Cancelling:
# locations are answering a cancel request; partly cancelled: one refused (packed), what it has
# ships, and the rest stays cancelled.
CANCELLING, PARTLY_CANCELLED = "cancelling", "partly_cancelled"


def rest_state(queue: str) -> str:
    """The state a line's unplaced rest shows, for the order's queue."""
    if queue in (BACKORDERED, UNFILLABLE):
        return queue
    return ALLOCATION_CANCELLED if queue == PARTLY_CANCELLED else UNALLOCATED


def check_header(state: str, to: str) -> None:
    if state not in HEADER_MOVES:
        raise DomainError("{state!r} is not an order state.", state=state)
    if to not in HEADER_MOVES[state]:
        raise DomainError("An order that is {state} cannot become {to}.", state=_words(state), to=_words(to))


def check_allocation(state: str, to: str) -> None:
    if state not in ALLOCATION_MOVES:
        raise DomainError("{state!r} is not an allocation state.", state=state)
    if to not in ALLOCATION_MOVES[state]:
        raise DomainError("A line that is {state} cannot become {to}.", state=_words(state), to=_words(to))


def _words(state: str) -> str:
    return state.replace("_", " ")


@dataclass(frozen=True)
class Part:
    """A quantity of a line in one state (an allocation's, or the unallocated rest)."""

    state: str
    quantity: Decimal


def line_parts(ordered: Decimal, allocations: Iterable[tuple[str, Decimal]], queue: str = UNALLOCATED) -> list[Part]:
    """A line's quantity by state: its live allocations, and the rest in `queue` (unallocated,
    backordered or unfillable). Short and cancelled allocations are given back to the rest."""
    parts: dict[str, Decimal] = {}
    placed = Decimal(0)
    for state, quantity in allocations:
        if state in GIVEN_BACK:
            continue
        parts[state] = parts.get(state, Decimal(0)) + quantity
        placed += quantity
    if placed > ordered:
        raise DomainError("A line of {ordered} has {placed} allocated: more than it ordered.", ordered=ordered,
                          placed=placed)
    if ordered - placed:
        parts[queue] = ordered - placed
    return [Part(state, qty) for state, qty in parts.items()]


def line_state(parts: list[Part]) -> str:
    """One word for a line: its only state, or the least advanced of its parts."""
    if not parts:
        return ALLOCATION_CANCELLED
    return min((p.state for p in parts), key=_progress)


_ORDER = (UNFILLABLE, BACKORDERED, UNALLOCATED, RESERVED, RELEASED, PICKING, PICKED, PACKED, SHIPPED, DELIVERED,
          RETURNED)


def _progress(state: str) -> int:
    return _ORDER.index(state) if state in _ORDER else len(_ORDER)


# What an order shows.
AWAITING_REVIEW, HELD, ALLOCATED, PARTLY_ALLOCATED, IN_FULFILMENT, PARTLY_SHIPPED, SHIPPED_ALL = (
    "awaiting_review", "on_hold", "allocated", "partly_allocated", "in_fulfilment", "partly_shipped", "shipped")


def shown_status(header: str, lines: list[list[Part]]) -> str:
    """The status an order shows, from its header and its lines' parts.

    Before approval the header speaks (awaiting review, on hold, cancelled); after it, the lines
    do: backordered or unfillable if nothing could be placed, partly allocated if some could, then
    allocated, in fulfilment, partly shipped, shipped, delivered, returned.
    """
    if header in (RECEIVED, IN_REVIEW):
        return AWAITING_REVIEW
    if header in (ON_HOLD, CANCELLED):
        return header
    totals: dict[str, Decimal] = {}
    for parts in lines:
        for part in parts:
            totals[part.state] = totals.get(part.state, Decimal(0)) + part.quantity
    if not totals:
        return CANCELLED
    waiting = sum((totals.get(s, Decimal(0)) for s in (UNALLOCATED, BACKORDERED, UNFILLABLE)), Decimal(0))
    out = sum((totals.get(s, Decimal(0)) for s in (SHIPPED, DELIVERED, RETURNED)), Decimal(0))
    everything = sum(totals.values(), Decimal(0))
    if set(totals) == {RETURNED}:
        return RETURNED
    if set(totals) <= {DELIVERED, RETURNED}:
        return DELIVERED
    if out == everything:
        return SHIPPED_ALL
    if out:
        return PARTLY_SHIPPED
    if waiting == everything:
        return UNFILLABLE if set(totals) == {UNFILLABLE} else BACKORDERED if BACKORDERED in totals else UNALLOCATED
    if waiting:
        return PARTLY_ALLOCATED
    if set(totals) == {RESERVED}:
        return ALLOCATED
    return IN_FULFILMENT
