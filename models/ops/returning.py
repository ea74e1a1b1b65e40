"""Returns linked to the original sale: restock or write off, refund, and exchanges."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import peewee

from .. import outbox, shelves
from ..context import Actor
from ..db import db
from ..errors import DomainError
from ..fields import QuantityField
from ..ledger import ADJUSTMENT, RETURN, SALE
from ..money import Money
from ..orders import PARTLY_RETURNED, RETURN_ORDER, RETURNED, SALE_ORDER, Order, OrderLine, Tender, set_status
from ..people import User
from .recording import put_stock, record_stock
from .selling import Payment, SaleLine, _settle, order_document, sell

RESTOCK, WRITE_OFF = "restock", "write_off"


@dataclass
class ReturnLine:
    original_line: OrderLine
    quantity: Decimal
    reason: str
    condition: str = RESTOCK


def returnable(line: OrderLine) -> Decimal:
    """How much of a sold line can still come back."""
    already = (
        OrderLine.select(peewee.fn.COALESCE(peewee.fn.SUM(OrderLine.quantity), 0))
        .where(OrderLine.original_line == line)
        .scalar()
    )
    return line.quantity - Decimal(int(already)) / QuantityField.scale


def refund_value(line: OrderLine, quantity: Decimal) -> Decimal:
    """What the customer paid per unit, after line and order discounts, times the quantity returned."""
    order = line.order
    line_discounts = _line_discounts(order)
    order_discount = order.discount - line_discounts
    lines_total = order.subtotal - line_discounts
    paid_for_line = line.total
    if order_discount and lines_total:
        # The order-level discount is shared out over the lines by their value.
        paid_for_line -= order_discount * line.total / lines_total
    per_unit = paid_for_line / line.quantity
    return (per_unit * quantity).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _line_discounts(order: Order) -> Decimal:
    return sum((line.discount for line in order.lines), Decimal(0))


def return_goods(actor: Actor, original: Order, lines: list[ReturnLine], refunds: list[Payment],
                 *, approver: User | None = None) -> Order:
    """Take goods back against their sale. Restocked goods go back on the shelf; written-off ones
    come in and go straight out again with the reason, so the ledger shows both."""
    if original.kind != SALE_ORDER:
        raise DomainError("{number} is not a sale: scan the sale's receipt.", number=original.number)
    if not lines:
        raise DomainError("Choose at least one line to return.")
    currency = original.currency
    refund_total = Decimal(0)
    for rl in lines:
        line = rl.original_line
        if line.order_id != original.id:
            raise DomainError("{sku} is not on {number}.", sku=line.sku, number=original.number)
        qty = line.product.quantity(rl.quantity)
        if qty <= 0:
            raise DomainError("{sku}: the quantity returned must be more than zero.", sku=line.sku)
        left = returnable(line)
        if qty > left:
            raise DomainError("{sku}: {quantity} sold, only {left} can still be returned.", sku=line.sku, quantity=line.quantity, left=left)
        if not rl.reason.strip():
            raise DomainError("{sku}: give a reason for the return (damaged, wrong size, ...).", sku=line.sku)
        if rl.condition not in (RESTOCK, WRITE_OFF):
            raise DomainError("The condition is restock or write_off.")
        rl.quantity = qty
        refund_total += refund_value(line, qty)
    due = Money(refund_total, currency)
    if refunds:
        _settle(refunds, due, currency)  # tender kinds, currency, amounts
    paid_back = sum((p.amount.amount for p in refunds), Decimal(0))
    if paid_back != refund_total:
        raise DomainError("Refund {due}: the refund tenders add up to {paid_back}.", due=due, paid_back=paid_back)

    with db.atomic():
        number = f"R-{actor.terminal.code}-{outbox.next_number('return'):06d}"
        ret = Order.create(
            number=number, kind=RETURN_ORDER, channel=original.channel, location=actor.location,
            terminal=actor.terminal.code, user=actor.user.code, customer=original.customer,
            currency=currency, subtotal=-refund_total, total=-refund_total, original=original,
            approved_by=approver.code if approver else "",
        )
        for position, rl in enumerate(lines, 1):
            line = rl.original_line
            value = refund_value(line, rl.quantity)
            OrderLine.create(
                order=ret, position=position, product=line.product, sku=line.sku, name=line.name,
                quantity=rl.quantity, unit_price=line.unit_price, total=-value, lot=line.lot,
                reason=rl.reason, condition=rl.condition, original_line=line,
            )
            for lot, qty in _lots_coming_back(original, line, rl.quantity):
                back = put_stock(actor, line.product, qty, RETURN, reference=number, lot=lot, reason=rl.reason)
                if rl.condition == WRITE_OFF:
                    record_stock(actor, line.product, -qty, ADJUSTMENT, reference=number, bin=back.bin, lot=lot,
                                 reason=f"write-off on return: {rl.reason}")
        for p in refunds:
            Tender.create(order=ret, kind=p.kind, amount=-p.amount.amount, reference=p.reference)
        set_status(ret, RETURNED, by=actor.user.code)
        fully = all(returnable(line) == 0 for line in original.lines)
        set_status(original, RETURNED if fully else PARTLY_RETURNED, by=actor.user.code, note=number)
        outbox.enqueue(outbox.ORDER, number, order_document(ret))
    return ret


def _lots_coming_back(original: Order, line: OrderLine, quantity: Decimal) -> list[tuple[str, Decimal]]:
    """The lots a returned quantity goes back to: those the sale took the product from, less what
    earlier returns of the sale brought back to each (the line's own lot, if it names one)."""
    if line.lot:
        return [(line.lot, quantity)]
    by_lot = _per_lot(shelves.taken_by(original.number, line.product_id, (SALE,), original.location_id))
    back: list[shelves.Take] = []
    for number in [r.number for r in original.returns]:
        back += shelves.taken_by(number, line.product_id, (RETURN,), _location_of(number))
    parts = shelves.give_back(by_lot, _per_lot(back), quantity)
    return [(part.lot, part.quantity) for part in parts]


def _per_lot(parts: list[shelves.Take]) -> list[shelves.Take]:
    merged: dict[str, Decimal] = {}
    for part in parts:
        merged[part.lot] = merged.get(part.lot, Decimal(0)) + part.quantity
    return [shelves.Take("", lot, qty) for lot, qty in merged.items()]


def _location_of(number: str) -> int | None:
    return Order.select(Order.location).where(Order.number == number).scalar()


def exchange(actor: Actor, original: Order, returns: list[ReturnLine], new_lines: list[SaleLine],
             payments: list[Payment], *, approver: User | None = None) -> tuple[Order, Order]:
    """A return and a new sale as one transaction: the returned value pays part of the new sale."""
    currency = original.currency
    credit = Money(sum((refund_value(r.original_line, r.quantity) for r in returns), Decimal(0)), currency)
    with db.atomic():
        ret = return_goods(actor, original, returns, [Payment("voucher", credit, f"exchange {original.number}")]
                           if credit.amount else [], approver=approver)
        tenders = ([Payment("voucher", credit, ret.number)] if credit.amount else []) + payments
        sale = sell(actor, new_lines, tenders, approver=approver, customer=original.customer)
    return ret, sale
