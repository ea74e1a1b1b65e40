"""Counter sales: lines with their price snapshot, discounts, tenders, a local order number."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .. import clock, outbox
from ..catalog import Product
from ..context import Actor
from ..db import db
from ..errors import DomainError, InsufficientStock, PermissionDenied
from ..ledger import SALE, on_hand
from ..limits import LARGE_LINE, MAX_UNIT_PRICE, check_amount
from ..money import Money, round_to_minor
from ..orders import (
    COUNTER,
    DELIVERED,
    PAID,
    SALE_ORDER,
    Order,
    OrderLine,
    OrderStatusChange,
    Tender,
    order_lines,
)
from ..people import SUPERVISOR, Customer, User
from ..statements import RowInsert
from .recording import take_stock

CASH, CARD, VOUCHER = "cash", "card", "voucher"
TENDER_KINDS = (CASH, CARD, VOUCHER)


@dataclass
class SaleLine:
    product: Product
    quantity: Decimal
    unit_price: Money  # the price when it was scanned: a price change mid-sale does not touch it
    discount: Money | None = None  # amount off this line
    lot: str = ""

    @property
    def gross(self) -> Money:
        return Money(self.gross_amount, self.unit_price.currency)

    @property
    def gross_amount(self) -> Decimal:
        return round_to_minor(self.unit_price.amount * self.quantity, self.unit_price.currency)

    @property
    def net(self) -> Money:
        return self.gross - self.discount if self.discount else self.gross


@dataclass
class Payment:
    kind: str
    amount: Money
    reference: str = ""


@dataclass
class SaleTotals:
    subtotal: Money
    discount: Money
    total: Money
    tax: Money
    paid: Money = field(default=None)  # type: ignore[assignment]
    change: Money = field(default=None)  # type: ignore[assignment]


def totals(lines: list[SaleLine], order_discount: Money | None, currency: str) -> SaleTotals:
    """What the customer pays, before tenders; also what the screen shows while scanning (after
    every scan, so the sums run on Decimals and become Money once)."""
    amounts = [line.unit_price for line in lines] + [line.discount for line in lines if line.discount]
    others = {money.currency for money in [*amounts, order_discount] if money} - {currency}
    if others:
        raise DomainError("Cannot combine {currency} with {others}.", currency=currency, others=', '.join(sorted(others)))
    gross = [line.gross_amount for line in lines]
    subtotal = sum(gross, Decimal(0))
    discount = sum((line.discount.amount for line in lines if line.discount), Decimal(0))
    if order_discount:
        discount += order_discount.amount
    total = subtotal - discount
    tax = Decimal(0)
    if subtotal:
        # Prices include tax: each line's share of the total carries its product's rate.
        factor = total / subtotal
        for line, amount in zip(lines, gross, strict=True):
            rate = line.product.tax_rate
            if rate:
                tax += amount * factor * rate / (100 + rate)
    return SaleTotals(Money(subtotal, currency), Money(discount, currency), Money(total, currency),
                      Money(round_to_minor(tax, currency), currency))


def discount_percent(lines: list[SaleLine], order_discount: Money | None, currency: str) -> Decimal:
    t = totals(lines, order_discount, currency)
    if not t.subtotal.amount:
        return Decimal(0)
    return (t.discount.amount * 100 / t.subtotal.amount).quantize(Decimal("0.01"), ROUND_HALF_UP)


def check_discount(user: User, pct: Decimal, approver: User | None, approved_pct: Decimal | None = None) -> str:
    """Who approved a discount: nobody needed within the clerk's limit, else a supervisor's PIN.

    An approval covers the percentage the supervisor saw (`approved_pct`): when the sale changes
    so that its discount is a larger share (a quantity dropped, a line removed, a bigger discount
    typed), the approval no longer holds and a supervisor must approve the new figure."""
    if pct <= user.discount_limit_pct:
        return ""
    if approver is None:
        raise PermissionDenied(
            "A {pct}% discount is above your {discount_limit_pct}% limit: a supervisor must approve it.", pct=pct, discount_limit_pct=user.discount_limit_pct)
    if not approver.at_least(SUPERVISOR) or pct > approver.discount_limit_pct:
        raise PermissionDenied("{name} may approve discounts up to {discount_limit_pct}%.", name=approver.name, discount_limit_pct=approver.discount_limit_pct)
    if approved_pct is not None and pct > approved_pct:
        raise PermissionDenied("The discount is now {pct}% of the sale; {name} approved {approved_pct}%: a supervisor must approve it again.", pct=pct, name=approver.name, approved_pct=approved_pct)
    return approver.code


def check_large_lines(lines: list[SaleLine], large_line: Decimal | None, approver: User | None) -> None:
    """A line of more than `large_line` units needs a supervisor's approval (None: no such limit)."""
    if large_line is None or approver is not None and approver.at_least(SUPERVISOR):
        return
    for line in lines:
        if line.quantity > large_line:
            raise PermissionDenied("{sku}: {quantity} in one line is more than {limit}: a supervisor must approve it.",
                                   sku=line.product.sku, quantity=line.quantity, limit=large_line)


def sell(
    actor: Actor, lines: list[SaleLine], payments: list[Payment], *,
    order_discount: Money | None = None, approver: User | None = None, approved_pct: Decimal | None = None,
    customer: Customer | None = None, large_line: Decimal | None = LARGE_LINE, quantity_approver: User | None = None,
) -> Order:
    """Finish a counter sale in one transaction: order, lines, tenders, stock events and outbox rows."""
    location = actor.location
    currency = location.currency
    if not lines:
        raise DomainError("The sale has no lines: scan an item first.")
    for line in lines:
        if line.unit_price.currency != currency or (line.discount and line.discount.currency != currency):
            raise DomainError("{sku} is priced in {currency}; this till takes {till}.", sku=line.product.sku, currency=line.unit_price.currency, till=currency)
        if line.quantity <= 0:
            raise DomainError("{sku}: quantity must be more than zero.", sku=line.product.sku)
        line.quantity = line.product.quantity(line.quantity)
        check_amount(line.unit_price.amount, currency, line.product.sku, MAX_UNIT_PRICE)
        check_amount(line.gross_amount, currency, line.product.sku)
        if line.discount and not (Decimal(0) <= line.discount.amount <= line.gross.amount):
            raise DomainError("{sku}: a discount must be between 0 and the line's {gross}.", sku=line.product.sku, gross=line.gross)
    check_large_lines(lines, large_line, quantity_approver)
    t = totals(lines, order_discount, currency)
    check_amount(t.subtotal.amount, currency)
    if t.total.amount < 0:
        raise DomainError("The discount is larger than the sale.")
    approved_by = check_discount(actor.user, discount_percent(lines, order_discount, currency), approver, approved_pct)
    change = _settle(payments, t.total, currency)

    with db.atomic():
        number = f"S-{actor.terminal.code}-{outbox.next_number('sale'):06d}"
        now = clock.now()
        fields = dict(
            number=number, kind=SALE_ORDER, channel=COUNTER, location=location.id, terminal=actor.terminal.code,
            user=actor.user.code, customer=customer.id if customer else None, status=DELIVERED, currency=currency,
            subtotal=t.subtotal.amount, discount=t.discount.amount, tax=t.tax.amount, total=t.total.amount,
            original=None, created_at=now, approved_by=approved_by,
        )
        order = Order(id=_insert_order(**fields), **fields)
        order.location, order.customer = location, customer
        order_lines = [
            OrderLine(
                order=order.id, position=position, product=line.product.id, sku=line.product.sku,
                name=line.product.name, quantity=line.quantity, unit_price=line.unit_price.amount,
                discount=line.discount.amount if line.discount else Decimal(0), total=line.net.amount,
                lot=line.lot, reason="", condition="", original_line=None,
            )
            for position, line in enumerate(lines, 1)
        ]
        tenders = [
            Tender(order=order.id, kind=p.kind, amount=p.amount.amount, reference=p.reference,
                   change=change.amount if p.kind == CASH else Decimal(0))
            for p in payments
        ]
        for row in order_lines:
            row.id = _insert_line(**row.__data__)
        for row in tenders:
            row.id = _insert_tender(**row.__data__)
        for product, quantity, lot in _merged(lines):
            _take_from_shelf(product, quantity, location)
            take_stock(actor, product, quantity, SALE, reference=number, lot=lot, occurred_at=now)
        for status, note in ((PAID, ""), (DELIVERED, "handed over at the counter")):
            _insert_status(order=order.id, status=status, at=now, by=actor.user.code, note=note)
        outbox.enqueue(outbox.ORDER, number, order_document(order, order_lines, tenders))
    return order


_insert_order = RowInsert(Order)
_insert_line = RowInsert(OrderLine)
_insert_tender = RowInsert(Tender)
_insert_status = RowInsert(OrderStatusChange)


def _merged(lines: list[SaleLine]) -> list[tuple[Product, Decimal, str]]:
    """One stock event per product and lot, however many lines scanned it."""
    merged: dict[tuple[int, str], list] = {}
    for line in lines:
        key = (line.product.id, line.lot)
        if key in merged:
            merged[key][1] += line.quantity
        else:
            merged[key] = [line.product, line.quantity, line.lot]
    return [tuple(v) for v in merged.values()]


def _take_from_shelf(product: Product, quantity: Decimal, location) -> None:
    available = on_hand(location, product)
    if available >= quantity:
        return
    if not location.may_sell_below_zero:
        raise InsufficientStock(
            "{sku} {name}: only {available} {unit} on hand at {code}, {quantity} asked. Sell less or receive stock first.", sku=product.sku, name=product.name, available=available, unit=product.unit, code=location.code, quantity=quantity)
    if not product.needs_count:
        # The goods are in the customer's hand, so the books are wrong: ask for a count.
        Product.update(needs_count=True).where(Product.id == product.id).execute()


def _settle(payments: list[Payment], total: Money, currency: str) -> Money:
    """Check the tenders cover the total; return the cash change."""
    if not payments:
        raise DomainError("Take a payment of {total}: cash, card or voucher.", total=total)
    paid = Money.zero(currency)
    cash = Money.zero(currency)
    for p in payments:
        if p.kind not in TENDER_KINDS:
            raise DomainError("Unknown tender {kind!r}: use cash, card or voucher.", kind=p.kind)
        if p.amount.currency != currency:
            raise DomainError("Payment in {currency}; this till takes {till}.", currency=p.amount.currency, till=currency)
        if p.amount.amount <= 0:
            raise DomainError("A payment must be more than zero.")
        check_amount(p.amount.amount, currency)
        if p.kind == CARD and not p.reference.strip():
            raise DomainError("A card payment needs the terminal's reference from the card slip.")
        paid += p.amount
        if p.kind == CASH:
            cash += p.amount
    if paid < total:
        raise DomainError("Paid {paid} of {total}: {left} still to pay.", paid=paid, total=total, left=total - paid)
    change = paid - total
    if cash < change:
        raise DomainError("Only cash can be given back: card and voucher payments exceed the total by {excess}.", excess=change - cash)
    return change


def order_document(order: Order, lines: list[OrderLine] | None = None,
                   tenders: list[Tender] | None = None) -> dict:
    """An order as head office receives it (lines and tenders read from the order unless given)."""
    if lines is None:
        lines = order_lines(order)
    if tenders is None:
        tenders = list(order.tenders)
    return {
        "number": order.number, "kind": order.kind, "channel": order.channel,
        "location": order.location.code if order.location else None, "terminal": order.terminal,
        "user": order.user, "currency": order.currency, "subtotal": str(order.subtotal),
        "discount": str(order.discount), "tax": str(order.tax), "total": str(order.total),
        "status": order.status, "created_at": order.created_at.isoformat(),
        "customer": order.customer.code if order.customer else None,
        "original": order.original.number if order.original else None,
        "lines": [
            {"sku": line.sku, "name": line.name, "quantity": str(line.quantity),
             "unit_price": str(line.unit_price), "discount": str(line.discount), "total": str(line.total),
             "lot": line.lot, "reason": line.reason, "condition": line.condition}
            for line in lines
        ],
        "tenders": [
            {"kind": t.kind, "amount": str(t.amount), "reference": t.reference, "change": str(t.change)}
            for t in tenders
        ],
    }
