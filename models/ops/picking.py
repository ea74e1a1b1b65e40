"""Warehouse fulfilment of orders allocated to this location: pick, pack, ship; and putting goods
back when head office cancels an order that was being picked.

What was picked is read from the ledger (pick events referencing the order), so there is no second
count to drift from the stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import peewee

from .. import attention, outbox, shelves
from ..attention import Attention
from ..catalog import Product
from ..context import Actor
from ..db import db
from ..errors import DomainError, InsufficientStock
from ..fields import QuantityField
from ..ledger import ADJUSTMENT, PICK, StockEvent, on_hand
from ..orders import ALLOCATED, CANCELLED, PACKED, PICKING, SHIPPED, Order, order_by_number, set_status
from .recording import record_stock, take_stock
from .selling import order_document


@dataclass
class PickedLine:
    product: Product
    quantity: Decimal
    bin: str = ""
    lot: str = ""


def picked(order: Order) -> dict[int, Decimal]:
    """Net quantity picked per product id for an order (put-backs subtracted)."""
    rows = (StockEvent.select(StockEvent.product, peewee.fn.SUM(StockEvent.quantity).alias("total"))
            .where((StockEvent.reference == order.number) & StockEvent.kind.in_([PICK, ADJUSTMENT]))
            .group_by(StockEvent.product).tuples())
    return {product_id: -Decimal(int(total)) / QuantityField.scale for product_id, total in rows}


def outstanding(order: Order) -> dict[int, Decimal]:
    """What is still to pick, per product id."""
    done = picked(order)
    wanted: dict[int, Decimal] = {}
    for line in order.lines:
        wanted[line.product_id] = wanted.get(line.product_id, Decimal(0)) + line.quantity
    return {pid: qty - done.get(pid, Decimal(0)) for pid, qty in wanted.items() if qty > done.get(pid, Decimal(0))}


def _check_here(actor: Actor, order: Order) -> None:
    if order.location_id != actor.location.id:
        raise DomainError("Order {number} is allocated to another location, not {code}.", number=order.number, code=actor.location.code)
    if order.status == CANCELLED:
        raise DomainError("Order {number} was cancelled: do not pick it; put back what was picked.", number=order.number)


def _changed(actor: Actor, order: Order, status: str, note: str = "") -> None:
    set_status(order, status, by=actor.user.code, note=note)
    outbox.enqueue(outbox.ORDER, order.number, order_document(order))


def pick(actor: Actor, order: Order, lines: list[PickedLine]) -> list:
    """Take goods off the shelf for an order. A pick never exceeds what the bin holds."""
    _check_here(actor, order)
    if order.status not in (ALLOCATED, PICKING):
        raise DomainError("Order {number} is {status}: only allocated orders are picked.", number=order.number, status=order.status)
    if not lines:
        raise DomainError("Nothing picked: scan the goods first.")
    todo = outstanding(order)
    asked: dict[int, Decimal] = {}
    for line in lines:
        line.quantity = line.product.quantity(line.quantity)
        if line.quantity <= 0:
            raise DomainError("{sku}: pick more than zero.", sku=line.product.sku)
        asked[line.product.id] = asked.get(line.product.id, Decimal(0)) + line.quantity
        if asked[line.product.id] > todo.get(line.product.id, Decimal(0)):
            raise DomainError("{sku}: order {number} needs only {needed} more.", sku=line.product.sku, number=order.number, needed=todo.get(line.product.id, Decimal(0)))
        have = on_hand(actor.location, line.product, bin=line.bin or None, lot=line.lot or None)
        if have < line.quantity:
            where = f"bin {line.bin}" if line.bin else actor.location.code
            raise InsufficientStock("{sku}: {have} on hand in {where}, {quantity} to pick. Pick from another bin or report the shortage.", sku=line.product.sku, have=have, where=where, quantity=line.quantity)
    with db.atomic():
        events = [event for line in lines
                  for event in take_stock(actor, line.product, line.quantity, PICK, reference=order.number,
                                          bin=line.bin, lot=line.lot)]
        if order.status == ALLOCATED:
            _changed(actor, order, PICKING)
    return events


def pack(actor: Actor, order: Order) -> None:
    _check_here(actor, order)
    left = outstanding(order)
    if order.status != PICKING or left:
        raise DomainError("Order {number} is not fully picked: {left} line(s) still to pick.", number=order.number, left=len(left))
    with db.atomic():
        _changed(actor, order, PACKED)


def ship(actor: Actor, order: Order, carrier: str, tracking: str) -> None:
    _check_here(actor, order)
    if order.status != PACKED:
        raise DomainError("Order {number} is {status}: pack it before shipping.", number=order.number, status=order.status)
    if not carrier.strip() or not tracking.strip():
        raise DomainError("Give the carrier and the tracking number from the shipping label.")
    with db.atomic():
        _changed(actor, order, SHIPPED, note=f"{carrier.strip()} {tracking.strip()}")


def put_back_list(actor: Actor, order: Order) -> list[PickedLine]:
    """What is still to go back to the shelf for an order, by the bin and lot it was picked from."""
    done = {pid: qty for pid, qty in picked(order).items() if qty > 0}
    if not done:
        return []
    products = {p.id: p for p in Product.select().where(Product.id.in_(list(done)))}
    out = []
    for pid, qty in done.items():
        taken = shelves.taken_by(order.number, pid, (PICK,), actor.location.id)
        back = shelves.taken_by(order.number, pid, (ADJUSTMENT,), actor.location.id)
        out += [PickedLine(products[pid], part.quantity, part.bin, part.lot) for part in shelves.give_back(taken, back, qty)]
    return out


def finish_put_back(actor: Actor, item: Attention) -> list:
    """The clerk put a cancelled order's picked goods back: post them to their bins and close the
    "put back" item, in one transaction (an order not here, or not cancelled, only closes it)."""
    order = order_by_number(item.ref)
    with db.atomic():
        events = put_back(actor, order, put_back_list(actor, order)) if order and order.status == CANCELLED else []
        attention.resolve(item.id, actor.user.code)
    return events


def deal_with(actor: Actor, item_id: int) -> list:
    """Mark a Needs-attention item dealt with; a put-back also books its goods back in."""
    item = Attention.get_or_none(Attention.id == item_id)
    if item is None:
        raise DomainError("Item {item_id} is no longer on this terminal's list: refresh the list (F6).", item_id=item_id)
    if item.kind == attention.PUT_BACK:
        return finish_put_back(actor, item)
    attention.resolve(item.id, actor.user.code)
    return []


def put_back(actor: Actor, order: Order, lines: list[PickedLine]) -> list:
    """Return picked goods of a cancelled order to the shelf (the put-back task's work): to the bin
    named, else to the bins and lots they were picked from."""
    if order.status != CANCELLED:
        raise DomainError("Order {number} is {status}: only a cancelled order's goods go back.", number=order.number, status=order.status)
    done = picked(order)
    with db.atomic():
        events = []
        for line in lines:
            qty = line.product.quantity(line.quantity)
            if qty <= 0 or qty > done.get(line.product.id, Decimal(0)):
                raise DomainError("{sku}: {picked} was picked for {number}; cannot put back {qty}.", sku=line.product.sku, picked=done.get(line.product.id, Decimal(0)), number=order.number, qty=qty)
            done[line.product.id] -= qty
            reason = f"put back: {order.number} cancelled"
            if line.bin:
                events.append(record_stock(actor, line.product, qty, ADJUSTMENT, reference=order.number,
                                           bin=line.bin, lot=line.lot, reason=reason))
                continue
            taken = shelves.taken_by(order.number, line.product.id, (PICK,), actor.location.id)
            back = shelves.taken_by(order.number, line.product.id, (ADJUSTMENT,), actor.location.id)
            for part in shelves.give_back(taken, back, qty):
                events.append(record_stock(actor, line.product, part.quantity, ADJUSTMENT, reference=order.number,
                                           bin=part.bin, lot=part.lot, expiry=part.expiry, reason=reason))
    return events
