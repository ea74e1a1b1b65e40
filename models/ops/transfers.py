"""Transfers between locations: the sender books goods out, the receiver books what arrived in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import clock, outbox
from ..catalog import Product
from ..context import Actor
from ..db import db
from ..errors import DomainError, InsufficientStock, NotFound
from ..ledger import TRANSFER_IN, TRANSFER_OUT, on_hand
from ..places import Location
from ..stock_docs import Transfer, TransferLine
from .recording import record_stock

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
        "lines": [{"sku": line.product.sku, "lot": line.lot, "quantity": str(line.quantity)} for line in transfer.lines],
    }


def transfer_out(actor: Actor, destination_code: str, items: list[TransferItem]) -> Transfer:
    source = actor.location
    destination = Location.get_or_none(Location.code == destination_code)
    if destination is None:
        raise NotFound(f"No location {destination_code!r}: pick one from the list.")
    if destination.id == source.id:
        raise DomainError("A transfer goes to another location.")
    if not items:
        raise DomainError("Nothing to send: scan the goods first.")
    for item in items:
        item.quantity = item.product.quantity(item.quantity)
        if item.quantity <= 0:
            raise DomainError(f"{item.product.sku}: send more than zero.")
        if not source.may_sell_below_zero:
            have = on_hand(source, item.product)
            if have < item.quantity:
                raise InsufficientStock(f"{item.product.sku}: {have} on hand, cannot send {item.quantity}.")
    with db.atomic():
        number = f"T-{actor.terminal.code}-{outbox.next_number('transfer'):06d}"
        transfer = Transfer.create(number=number, source=source, destination=destination, sent_by=actor.user.code)
        for item in items:
            TransferLine.create(transfer=transfer, product=item.product, lot=item.lot, quantity=item.quantity)
            record_stock(actor, item.product, -item.quantity, TRANSFER_OUT, reference=number, lot=item.lot)
        outbox.enqueue(TRANSFER, number, transfer_document(transfer))
    return transfer


def transfer_in(actor: Actor, transfer: Transfer, received: dict[int, Decimal] | None = None) -> Transfer:
    """Book in what arrived; `received` maps transfer line id to quantity (default: all that was sent)."""
    if transfer.destination_id != actor.location.id:
        raise DomainError(f"Transfer {transfer.number} is for {transfer.destination.code}, not {actor.location.code}.")
    if transfer.status == "received":
        raise DomainError(f"Transfer {transfer.number} was already received.")
    lines = list(transfer.lines)
    with db.atomic():
        for line in lines:
            qty = line.product.quantity(received.get(line.id, line.quantity) if received else line.quantity)
            if qty < 0:
                raise DomainError(f"{line.product.sku}: received cannot be negative.")
            line.received = qty
            line.save()
            if qty:
                record_stock(actor, line.product, qty, TRANSFER_IN, reference=transfer.number, lot=line.lot)
        transfer.status = "received"
        transfer.received_at = clock.now()
        transfer.save()
        outbox.enqueue(TRANSFER, transfer.number, transfer_document(transfer))
    return transfer
