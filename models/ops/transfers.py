"""Transfers between locations: the sender books goods out, the receiver books what arrived in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import clock, outbox, shelves
from ..catalog import Product
from ..context import Actor
from ..db import db
from ..errors import Conflict, DomainError, InsufficientStock, NotFound
from ..ledger import TRANSFER_IN, TRANSFER_OUT, EventData, StockEvent, on_hand
from ..places import Location
from ..stock_docs import Transfer, TransferLine
from .recording import put_stock, take_stock

TRANSFER = "transfer"


@dataclass
class TransferItem:
    product: Product
    quantity: Decimal
    lot: str = ""


def transfer_document(transfer: Transfer) -> dict:
    return {
        "number": transfer.number, "source": transfer.source.code, "destination": transfer.destination.code,
        "status": transfer.status, "sent_at": clock.iso(transfer.sent_at), "sent_by": transfer.sent_by,
        "received_at": clock.iso(transfer.received_at) if transfer.received_at else None,
        "lines": [{"sku": line.product.sku, "lot": line.lot, "expiry": line.expiry.isoformat() if line.expiry else None,
                   "quantity": str(line.quantity), "received": str(line.received)} for line in transfer.lines],
    }


def transfer_out(actor: Actor, destination_code: str, items: list[TransferItem]) -> Transfer:
    source = actor.location
    destination = Location.get_or_none(Location.code == destination_code)
    if destination is None:
        raise NotFound("No location {destination_code!r}: pick one from the list.", destination_code=destination_code)
    if destination.id == source.id:
        raise DomainError("A transfer goes to another location.")
    if not items:
        raise DomainError("Nothing to send: scan the goods first.")
    for item in items:
        item.quantity = item.product.quantity(item.quantity)
        if item.quantity <= 0:
            raise DomainError("{sku}: send more than zero.", sku=item.product.sku)
        if not source.may_sell_below_zero:
            have = on_hand(source, item.product)
            if have < item.quantity:
                raise InsufficientStock("{sku}: {have} on hand, cannot send {quantity}.", sku=item.product.sku, have=have, quantity=item.quantity)
    with db.atomic():
        number = f"T-{actor.terminal.code}-{outbox.next_number('transfer'):06d}"
        transfer = Transfer.create(number=number, source=source, destination=destination, sent_by=actor.user.code)
        for item in items:
            # Lot-tracked goods travel with their lots: a line per lot that left, so the receiver
            # books in the same lots (with their expiry).
            events = take_stock(actor, item.product, item.quantity, TRANSFER_OUT, reference=number, lot=item.lot)
            by_lot: dict[str, Decimal] = {}
            for event in events:
                lot = event.lot if item.product.track_lot else item.lot
                by_lot[lot] = by_lot.get(lot, Decimal(0)) - event.quantity
            expiries = shelves.lot_expiries(source, item.product, {lot for lot in by_lot if lot})
            for lot, quantity in by_lot.items():
                TransferLine.create(transfer=transfer, product=item.product, lot=lot, quantity=quantity,
                                    expiry=expiries.get(lot))
        outbox.enqueue(TRANSFER, number, transfer_document(transfer))
    return transfer


def transfer_in(actor: Actor, transfer: Transfer, received: dict[int, Decimal] | None = None) -> Transfer:
    """Book in what arrived; `received` maps transfer line id to quantity (default: all that was sent)."""
    if transfer.destination_id != actor.location.id:
        raise DomainError("Transfer {number} is for {code}, not {here}.", number=transfer.number, code=transfer.destination.code, here=actor.location.code)
    if transfer.status == "received":
        raise DomainError("Transfer {number} was already received.", number=transfer.number)
    lines = list(transfer.lines)
    with db.atomic():
        for line in lines:
            qty = line.product.quantity(received.get(line.id, line.quantity) if received else line.quantity)
            if qty < 0:
                raise DomainError("{sku}: received cannot be negative.", sku=line.product.sku)
            line.received = qty
            line.save()
            if qty:
                put_stock(actor, line.product, qty, TRANSFER_IN, reference=transfer.number, lot=line.lot,
                          expiry=line.expiry)
        transfer.status = "received"
        transfer.received_at = clock.now()
        transfer.save()
        outbox.enqueue(TRANSFER, transfer.number, transfer_document(transfer))
    return transfer


# --- one booking-in per transfer ------------------------------------------------------------------
# `transfer_in` refuses a transfer this store already booked in, but two terminals of the
# destination can each book the same transfer in while offline. The ledger that decides, head
# office's, keeps the booking that reaches it first and refuses the others, so the goods count once.

def bookings(numbers: Iterable[str]) -> dict[str, str]:
    """Transfer number -> the terminal whose booking-in (transfer-in events) this ledger holds."""
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    return dict(StockEvent.select(StockEvent.reference, StockEvent.terminal).where(
        (StockEvent.kind == TRANSFER_IN) & StockEvent.reference.in_(wanted)).tuples())


def booked_elsewhere(number: str, terminal: str, booked: dict[str, str]) -> Conflict | None:
    """The refusal for `terminal` booking in transfer `number`, if another terminal's booking holds."""
    other = booked.get(number, terminal)
    if other == terminal:
        return None
    return Conflict("Transfer {number} was already booked in by terminal {other}: this booking does not count. Check the goods against that booking.", number=number, other=other)


def second_bookings(events: Sequence[EventData]) -> dict[int, Conflict]:
    """The refusals, by position, for transfer-in events of a transfer another terminal booked in."""
    booked = bookings(e.reference for e in events if e.kind == TRANSFER_IN and e.reference)
    refused = {}
    for i, event in enumerate(events):
        if event.kind == TRANSFER_IN and (conflict := booked_elsewhere(event.reference, event.terminal, booked)):
            refused[i] = conflict
    return refused
