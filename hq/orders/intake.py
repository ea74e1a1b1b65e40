"""Taking in a channel's order: one transaction that checks every line, stores the order, reviews
it, and (if no rule holds it) allocates and reserves it. A refused order leaves nothing behind.

The same (channel, channel order id) is one order however often it is sent: a retry answers the
order already taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from models.bulk import insert_values
from models.catalog import Barcode, Product, normalize_code
from models.errors import DomainError
from models.limits import check_amount
from models.money import Money
from models.oms.lifecycle import RECEIVED
from models.orders import SALE_ORDER, Order, OrderLine
from models.people import Customer

from .. import hqclock
from . import review, settings, timeline
from .broker import broker_orders
from .document import OrderDocument, Refused
from .locking import write_transaction
from .settings import sells_in, to_reporting
from .tables import Channel, ChannelOrder


@dataclass(frozen=True)
class Taken:
    order: Order
    created: bool  # False: this channel order id was taken before, this is that order


def order_number(channel: Channel, channel_order_id: str) -> str:
    return f"{channel.code}-{channel_order_id}"


@dataclass(frozen=True)
class _Line:
    product: Product
    quantity: Decimal
    unit_price: Decimal


def _resolve(doc: OrderDocument) -> list[_Line]:
    """Each line's product and quantity in the product's unit; every problem, by line, or nothing."""
    skus = {line.sku for line in doc.lines if line.sku}
    gtins = {normalize_code(line.gtin) for line in doc.lines if line.gtin}
    by_sku = {p.sku: p for p in Product.select().where(Product.sku.in_(list(skus)))} if skus else {}
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


def _customer(doc: OrderDocument) -> Customer | None:
    email = doc.customer.email.strip().lower()
    phone = "".join(c for c in doc.customer.phone if c.isdigit() or c == "+")
    code = f"email:{email}" if email else f"phone:{phone}" if phone else ""
    if not code:
        return None
    customer = Customer.get_or_none(Customer.code == code[:64])
    if customer is None:
        customer = Customer.create(code=code[:64], name=doc.customer.name or doc.ship_to.name or code,
                                   email=email, phone=doc.customer.phone, created_at=hqclock.now())
    return customer


def take_order(channel: Channel, doc: OrderDocument, *, by: str = "") -> Taken:
    """Store, review and (once approved) allocate an order; the one already taken on a retry."""
    with write_transaction():
        existing = (ChannelOrder.select(ChannelOrder, Order).join(Order)
                    .where((ChannelOrder.channel == channel) & (ChannelOrder.channel_order_id == doc.channel_order_id))
                    .first())
        if existing is not None:
            return Taken(existing.order, created=False)
        reporting = settings.reporting_currency()
        with timeline.batch():
            order, head, lines = _store(channel, doc, by or f"channel:{channel.code}", reporting)
            if review.review_order(order, head, lines, reporting):
                order.status = timeline.refresh_status(order)
            else:
                order.status = broker_orders([order.id], new=(head, lines)).statuses[order.id]
    return Taken(order, created=True)


def _store(channel: Channel, doc: OrderDocument, by: str, reporting: str
           ) -> tuple[Order, ChannelOrder, list[OrderLine]]:
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
    order = Order.create(number=order_number(channel, doc.channel_order_id), kind=SALE_ORDER, channel=channel.code,
                         location=None, status=RECEIVED, currency=doc.currency, subtotal=total, total=total,
                         customer=_customer(doc), created_at=placed)
    rows = [OrderLine(order=order, position=n, product=line.product, sku=line.product.sku, name=line.product.name,
                      quantity=line.quantity, unit_price=line.unit_price, total=line_total.amount)
            for n, (line, line_total) in enumerate(zip(lines, totals, strict=True), start=1)]
    insert_lines(rows)
    head = ChannelOrder.create(order=order, channel=channel, channel_order_id=doc.channel_order_id, state=RECEIVED,
                        payment_status=doc.payment_status, service_level=doc.service_level,
                        promised_at=doc.promised_at, ship_to=doc.ship_to.model_dump(exclude_defaults=True),
                        contact=doc.customer.model_dump(exclude_defaults=True),
                        amount_reporting=amount_reporting.amount, received_at=now, updated_at=now)
    timeline.record(order, "received", by=by, note=f"{len(lines)} lines, {total} {doc.currency} from {channel.code}",
                    data={"channel_order_id": doc.channel_order_id})
    return order, head, rows


LINE_FIELDS = (OrderLine.order, OrderLine.position, OrderLine.product, OrderLine.sku, OrderLine.name,
               OrderLine.quantity, OrderLine.unit_price, OrderLine.total)


def insert_lines(rows: list[OrderLine]) -> None:
    """Insert an order's lines in one statement and give each its id."""
    ids = dict((position, row_id) for row_id, position in insert_values(
        LINE_FIELDS, [(row.order_id, row.position, row.product_id, row.sku, row.name, row.quantity, row.unit_price,
                       row.total) for row in rows], returning=(OrderLine.id, OrderLine.position)))
    for row in rows:
        row.id = ids[row.position]
