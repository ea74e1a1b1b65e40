"""Taking in a channel's order: one transaction that checks every line, stores the order, reviews
it, and (if no rule holds it) allocates and reserves it. A refused order leaves nothing behind.

The same (channel, channel order id) is one order however often it is sent: a retry answers the
order already taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from peewee import ForeignKeyField

from models.bulk import insert_values
from models.catalog import Barcode, Product, normalize_code
from models.errors import DomainError
from models.limits import check_amount
from models.money import Money
from models.oms.lifecycle import RECEIVED, line_parts, shown_status
from models.oms.review import Hold
from models.orders import SALE_ORDER, Order, OrderLine
from models.people import Customer
from models.statements import AnyOf, RowInsert, Slot, Statement, as_models

from .. import hqclock
from . import review, settings, timeline, views
from .broker import broker_orders
from .document import OrderDocument, Refused
from .locking import write_transaction
from .settings import sells_in, to_reporting
from .tables import Channel, ChannelOrder


@dataclass(frozen=True)
class Taken:
    order: Order
    created: bool  # False: this channel order id was taken before, this is that order
    answer: dict | None = None  # where a new order stands (views.intake_answer), from what intake knows


def order_number(channel: Channel, channel_order_id: str) -> str:
    return f"{channel.code}-{channel_order_id}"


@dataclass(frozen=True)
class _Line:
    product: Product
    quantity: Decimal
    unit_price: Decimal


# Intake is head office's busiest transaction: its statements are compiled once (models/statements.py).
_taken_before = Statement(lambda: Order.select(*Order._meta.sorted_fields).join(ChannelOrder).where(
    (ChannelOrder.channel == Slot("channel")) & (ChannelOrder.channel_order_id == Slot("id"))))
_products = Statement(lambda: Product.select(*Product._meta.sorted_fields).where(AnyOf(Product.sku, "skus")))
_customer_id = Statement(lambda: Customer.select(Customer.id).where(Customer.code == Slot("code")))
_insert_customer = RowInsert(Customer)
_insert_order = RowInsert(Order)
_insert_head = RowInsert(ChannelOrder)


def _models(model: type, statement: Statement, **values: object) -> list:
    return as_models(model, statement.execute(**values))


def _resolve(doc: OrderDocument) -> list[_Line]:
    """Each line's product and quantity in the product's unit; every problem, by line, or nothing."""
    skus = {line.sku for line in doc.lines if line.sku}
    gtins = {normalize_code(line.gtin) for line in doc.lines if line.gtin}
    by_sku = {p.sku: p for p in _models(Product, _products, skus=sorted(skus))} if skus else {}
    by_gtin = {b.code: b for b in Barcode.select(Barcode, Product).join(Product).where(
        Barcode.code.in_(list(gtins)))} if gtins else {}
    errors, lines = [], []
    for index, line in enumerate(doc.lines):
        field = f"lines.{index}"
        pack = Decimal(1)
        if line.sku:
            product = by_sku.get(line.sku)
            if product is None:
                errors.append({"field": f"{field}.sku", "reason": f"unknown SKU {line.sku!r}: no such product"})
                continue
        else:
            barcode = by_gtin.get(normalize_code(line.gtin))
            if barcode is None:
                errors.append({"field": f"{field}.gtin", "reason": f"unknown GTIN {line.gtin}: no product has it"})
                continue
            product, pack = barcode.product, Decimal(barcode.pack_qty)
        if not product.active:
            errors.append({"field": field, "reason": f"{product.sku} is no longer sold"})
            continue
        try:
            quantity = product.quantity(line.quantity * pack)
        except DomainError as exc:
            errors.append({"field": f"{field}.quantity", "reason": str(exc)})
            continue
        lines.append(_Line(product, quantity, line.unit_price / pack))
    if errors:
        raise Refused(errors)
    return lines


def _customer(doc: OrderDocument) -> int | None:
    """The id of the order's customer (known by e-mail, else phone), added if new."""
    email = doc.customer.email.strip().lower()
    phone = "".join(c for c in doc.customer.phone if c.isdigit() or c == "+")
    code = (f"email:{email}" if email else f"phone:{phone}" if phone else "")[:64]
    if not code:
        return None
    found = _customer_id.first(code=code)
    if found is not None:
        return found[0]
    return _insert_customer(code=code, name=doc.customer.name or doc.ship_to.name or code, email=email,
                            phone=doc.customer.phone, created_at=hqclock.now())


def take_order(channel: Channel, doc: OrderDocument, *, by: str = "") -> Taken:
    """Store, review and (once approved) allocate an order; the one already taken on a retry."""
    with write_transaction():
        existing = _models(Order, _taken_before, channel=channel.id, id=doc.channel_order_id)
        if existing:
            return Taken(existing[0], created=False)
        reporting = settings.reporting_currency()
        with timeline.batch():
            order, head, lines, holds = _store(channel, doc, by or f"channel:{channel.code}", reporting)
            reserved = []
            if not holds:
                run = broker_orders([order.id], new=(head, lines))
                order.status, reserved = run.statuses[order.id], run.reserved[order.id]
    answer = views.intake_answer(order, head, [(h.reason, h.detail) for h in holds], reserved)
    return Taken(order, created=True, answer=answer)


def _store(channel: Channel, doc: OrderDocument, by: str, reporting: str
           ) -> tuple[Order, ChannelOrder, list[OrderLine], list[Hold]]:
    """Check, review and store an order: each row is written once, in its reviewed state."""
    if not sells_in(doc.currency, reporting):
        raise Refused([{"field": "currency", "reason": f"this shop does not sell in {doc.currency}: send the "
                                                       "order in its currency, or import a rate for it"}])
    lines = _resolve(doc)
    now = hqclock.now()
    placed = doc.placed_at or now
    totals = [Money(line.quantity * line.unit_price, doc.currency).rounded() for line in lines]
    total = sum((t.amount for t in totals), Decimal(0))
    try:
        check_amount(total, doc.currency)
        amount_reporting = to_reporting(Money(total, doc.currency), placed.date(), reporting)
    except DomainError as exc:
        raise Refused([{"field": "lines", "reason": str(exc)}]) from None
    order_values = dict(number=order_number(channel, doc.channel_order_id), kind=SALE_ORDER, channel=channel.code,
                        location=None, status=RECEIVED, currency=doc.currency, subtotal=total, total=total,
                        customer=_customer(doc), created_at=placed)
    head_values = dict(channel=channel.id, channel_order_id=doc.channel_order_id, state=RECEIVED, queue="",
                       payment_status=doc.payment_status, service_level=doc.service_level,
                       promised_at=doc.promised_at, ship_to=doc.ship_to.model_dump(exclude_defaults=True),
                       contact=doc.customer.model_dump(exclude_defaults=True),
                       amount_reporting=amount_reporting.amount, received_at=now, updated_at=now)
    order, head = _unsaved(Order, order_values), _unsaved(ChannelOrder, head_values)
    head.channel = channel
    rows = [OrderLine(position=n, product=line.product, sku=line.product.sku, name=line.product.name,
                      quantity=line.quantity, unit_price=line.unit_price, total=line_total.amount)
            for n, (line, line_total) in enumerate(zip(lines, totals, strict=True), start=1)]
    holds = review.review_new(order, head, rows, reporting)
    # A held order shows its status from the start; an approved one gets it from brokering, below.
    order_values["status"] = order.status = shown_status(head.state, [line_parts(r.quantity, [])
                                                                      for r in rows])
    order.id = _insert_order(**order_values)
    for row in rows:
        row.order = order
    insert_lines(rows)
    head_values |= {"order": order.id, "state": head.state}
    head.id = _insert_head(**head_values)
    head.order = order  # known: reading it back would cost a query
    timeline.record(order, "received", by=by, note=f"{len(lines)} lines, {total} {doc.currency} from {channel.code}",
                    data={"channel_order_id": doc.channel_order_id})
    review.record_review(order, holds)
    return order, head, rows, holds


def _unsaved(model: type, values: dict) -> Any:
    """The model instance of a row about to be inserted with `values` (ids, not instances, for foreign keys)."""
    instance = model(**{(f"{k}_id" if isinstance(model._meta.fields[k], ForeignKeyField) else k): v
                        for k, v in values.items()})
    instance._dirty.clear()
    return instance


LINE_FIELDS = (OrderLine.order, OrderLine.position, OrderLine.product, OrderLine.sku, OrderLine.name,
               OrderLine.quantity, OrderLine.unit_price, OrderLine.total)


def insert_lines(rows: list[OrderLine]) -> None:
    """Insert an order's lines in one statement and give each its id."""
    ids = dict((position, row_id) for row_id, position in insert_values(
        LINE_FIELDS, [(row.order_id, row.position, row.product_id, row.sku, row.name, row.quantity, row.unit_price,
                       row.total) for row in rows], returning=(OrderLine.id, OrderLine.position)))
    for row in rows:
        row.id = ids[row.position]
