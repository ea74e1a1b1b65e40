"""Physical counts: a count document per bin, category or list; posting writes count events stamped
with the time each line was counted, so sales rung up during the count are not lost."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .. import clock, outbox, shelves
from ..catalog import Product, lines_with_products
from ..context import Actor
from ..db import db
from ..errors import DomainError, PermissionDenied
from ..ledger import COUNT, LOCATION_SCOPE, StockLevel, on_hand
from ..people import SUPERVISOR, User
from ..places import Location
from ..stock_docs import DONE, OPEN, StockCount, StockCountLine
from .recording import record_stock

DEFAULT_RECOUNT_THRESHOLD = Decimal(2)  # units of difference that ask for a recount


@dataclass
class CountedLine:
    product: Product
    counted: Decimal
    counted_at: dt.datetime
    bin: str = ""  # the bin counted; none: the product's whole stock at the location was counted
    lot: str = ""
    location: Location | None = None  # default: the actor's location
    event_id: str = ""  # default: a fresh UUIDv7


def record_count(actor: Actor, lines: list[CountedLine], *, reference: str = "") -> list:
    """Post counted quantities as count events, each as of the moment it was counted.

    A line that names a bin states that bin. A line without one states the product's whole stock
    at the location (all bins; all lots unless it names one): what is counted sits in its home bin.
    """
    if not lines:
        raise DomainError("Nothing counted.")
    for line in lines:
        line.counted = line.product.quantity(line.counted)
        if line.counted < 0:
            raise DomainError("{sku}: a count cannot be negative.", sku=line.product.sku)
    with db.atomic():
        reference = reference or f"C-{actor.terminal.code}-{outbox.next_number('count'):06d}"
        events = [
            record_stock(actor, line.product, line.counted, COUNT, reference=reference,
                         bin=line.bin or shelves.home_bin(line.location or actor.location, line.product),
                         scope="" if line.bin else LOCATION_SCOPE, lot=line.lot, occurred_at=line.counted_at,
                         location=line.location, event_id=line.event_id)
            for line in lines
        ]
        flagged = [line.product.id for line in lines if line.product.needs_count]
        if flagged:
            Product.update(needs_count=False).where(Product.id.in_(flagged)).execute()
    return events


def start_count(actor: Actor, products: list[Product], *, scope: str = "list", blind: bool = True,
                bin: str = "") -> StockCount:
    """Open a count over the given products; expected quantities are kept for the variance check."""
    if not products:
        raise DomainError("No products in this count: choose a bin, a category or scan a list.")
    with db.atomic():
        count = StockCount.create(number=f"C-{actor.terminal.code}-{outbox.next_number('count'):06d}",
                                  location=actor.location, scope=scope, blind=blind, started_by=actor.user.code)
        for product in products:
            StockCountLine.create(count=count, product=product, bin=bin,
                                  expected=on_hand(actor.location, product, bin=bin or None))
    return count


def products_in_bin(actor: Actor, bin: str) -> list[Product]:
    return list(Product.select().join(StockLevel, on=(StockLevel.product == Product.id)).where(
        (StockLevel.location == actor.location) & (StockLevel.bin == bin)).distinct())


def products_in_category(category: str) -> list[Product]:
    return list(Product.select().where(Product.category == category).order_by(Product.sku))


def count_line(count: StockCount, product: Product, quantity: Decimal, *, add: bool = True) -> StockCountLine:
    """Record a counted quantity (scans add up by default). Stamped now: that is when it was seen."""
    if count.status != OPEN:
        raise DomainError("Count {number} is closed.", number=count.number)
    quantity = product.quantity(quantity)
    line = StockCountLine.get_or_none((StockCountLine.count == count) & (StockCountLine.product == product))
    with db.atomic():
        if line is None:
            line = StockCountLine.create(count=count, product=product, expected=on_hand(count.location, product))
        base = line.counted if (add and line.counted is not None) else Decimal(0)
        line.counted = base + quantity
        if line.counted < 0:
            raise DomainError("{sku}: a count cannot be negative.", sku=product.sku)
        line.counted_at = clock.now()
        line.save()
    return line


def count_lines(count: StockCount) -> list[StockCountLine]:
    """A count's lines with their products, in the order they joined the count."""
    return lines_with_products(StockCountLine.count, count, StockCountLine.id)


def needs_recount(count: StockCount, threshold: Decimal = DEFAULT_RECOUNT_THRESHOLD) -> list[StockCountLine]:
    """Lines whose variance is above the threshold and that were not recounted yet."""
    return [
        line for line in count.lines
        if line.counted is not None and line.expected is not None
        and abs(line.counted - line.expected) > threshold and line.recounts == 0
    ]


def recount(line: StockCountLine, quantity: Decimal) -> StockCountLine:
    line.counted = line.product.quantity(quantity)
    line.counted_at = clock.now()
    line.recounts += 1
    line.save()
    return line


def post_count(actor: Actor, count: StockCount, approver: User,
               threshold: Decimal = DEFAULT_RECOUNT_THRESHOLD) -> list:
    """A supervisor approves; lines never counted are left alone (not assumed zero)."""
    if not approver.at_least(SUPERVISOR):
        raise PermissionDenied("{name} is a {role}: a supervisor must approve the count.", name=approver.name, role=approver.role)
    if count.status != OPEN:
        raise DomainError("Count {number} is already {status}.", number=count.number, status=count.status)
    pending = needs_recount(count, threshold)
    if pending:
        skus = ", ".join(line.product.sku for line in pending[:5])
        raise DomainError("Recount first: {skus} differ by more than {threshold} from the books.", skus=skus, threshold=threshold)
    counted = [
        CountedLine(line.product, line.counted, line.counted_at, bin=line.bin, lot=line.lot)
        for line in count.lines if line.counted is not None
    ]
    with db.atomic():
        events = record_count(actor, counted, reference=count.number)
        count.status = DONE
        count.approved_by = approver.code
        count.save()
    return events
