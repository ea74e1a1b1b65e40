"""Goods intake: against an expected delivery or blind, with lots and expiry for tracked products."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .. import clock, outbox
from ..catalog import Product
from ..context import Actor
from ..db import db
from ..errors import DomainError, PermissionDenied
from ..ledger import RECEIPT
from ..people import SUPERVISOR, User
from ..stock_docs import DONE, Delivery, DeliveryLine
from .recording import put_stock

DEFAULT_TOLERANCE_PCT = Decimal(5)


@dataclass
class ReceivedLine:
    product: Product
    quantity: Decimal
    lot: str = ""
    expiry: dt.date | None = None
    bin: str = ""


@dataclass
class Discrepancy:
    sku: str
    name: str
    expected: Decimal
    received: Decimal

    @property
    def difference(self) -> Decimal:
        return self.received - self.expected


@dataclass
class ReceivingResult:
    reference: str
    events: list = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)


def over_receipts(delivery: Delivery, lines: list[ReceivedLine], tolerance_pct: Decimal) -> list[Discrepancy]:
    """Lines received beyond the expected quantity plus tolerance (these need a supervisor)."""
    received = _by_product(lines)
    over = []
    for dl in delivery.lines:
        got = dl.received + received.get(dl.product_id, Decimal(0))
        if got > dl.expected * (1 + tolerance_pct / 100):
            over.append(Discrepancy(dl.product.sku, dl.product.name, dl.expected, got))
    return over


def _by_product(lines: list[ReceivedLine]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for line in lines:
        totals[line.product.id] = totals.get(line.product.id, Decimal(0)) + line.quantity
    return totals


def receive_goods(
    actor: Actor, lines: list[ReceivedLine], *, delivery: Delivery | None = None,
    tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT, approver: User | None = None, close: bool = True,
) -> ReceivingResult:
    """Put received goods on the books in one transaction and report what differs from the delivery."""
    if not lines:
        raise DomainError("Nothing received: scan the goods first.")
    for line in lines:
        p = line.product
        line.quantity = p.quantity(line.quantity)
        if line.quantity <= 0:
            raise DomainError("{sku}: the quantity received must be more than zero.", sku=p.sku)
        if p.track_lot and not line.lot.strip():
            raise DomainError("{sku} {name} is lot-tracked: scan or type the lot number.", sku=p.sku, name=p.name)
        if p.track_expiry and line.expiry is None:
            raise DomainError("{sku} {name} needs its expiry date (from the GS1 label or the pack).", sku=p.sku, name=p.name)
    if delivery is not None:
        if delivery.location_id != actor.location.id:
            raise DomainError("Delivery {number} is for {code}, not {here}.", number=delivery.number, code=delivery.location.code, here=actor.location.code)
        if delivery.status == DONE:
            raise DomainError("Delivery {number} was already received.", number=delivery.number)
        over = over_receipts(delivery, lines, tolerance_pct)
        if over and (approver is None or not approver.at_least(SUPERVISOR)):
            first = over[0]
            raise PermissionDenied(
                "{sku}: {received} received, {expected} expected (over the {tolerance_pct}% tolerance): a supervisor must approve.", sku=first.sku, received=first.received, expected=first.expected, tolerance_pct=tolerance_pct)

    with db.atomic():
        reference = delivery.number if delivery else f"B-{actor.terminal.code}-{outbox.next_number('blind'):06d}"
        result = ReceivingResult(reference)
        for line in lines:
            result.events.append(put_stock(actor, line.product, line.quantity, RECEIPT, reference=reference,
                                           bin=line.bin.strip(), lot=line.lot.strip(), expiry=line.expiry))
        if delivery is not None:
            received = _by_product(lines)
            expected_ids = set()
            for dl in delivery.lines:
                expected_ids.add(dl.product_id)
                dl.received = dl.received + received.get(dl.product_id, Decimal(0))
                dl.save()
                if dl.received != dl.expected:
                    result.discrepancies.append(Discrepancy(dl.product.sku, dl.product.name, dl.expected, dl.received))
            for line in lines:
                if line.product.id not in expected_ids:
                    result.discrepancies.append(Discrepancy(line.product.sku, line.product.name, Decimal(0),
                                                            received[line.product.id]))
                    expected_ids.add(line.product.id)
                    DeliveryLine.create(delivery=delivery, product=line.product, expected=0,
                                        received=received[line.product.id])
            if close:
                delivery.status = DONE
                delivery.received_at = clock.now()
                delivery.save()
    return result
