"""Parked sales: a sale put aside at the counter, kept on disk so it survives a restart.

A parked sale is not an order: no number, no stock, no outbox row. It only remembers the lines as
they were scanned (with their price snapshot) until the clerk resumes or discards it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import peewee

from . import clock
from .catalog import Product
from .context import Actor
from .db import BaseModel, db
from .errors import DomainError, NotFound
from .money import Money
from .ops.selling import SaleLine


class ParkedSale(BaseModel):
    terminal = peewee.CharField(max_length=16, index=True)
    user = peewee.CharField(max_length=32)
    label = peewee.CharField(default="")
    payload = peewee.TextField()  # JSON: lines (sku, quantity, unit price, discount, lot), order discount
    parked_at = peewee.DateTimeField(default=clock.now)


@dataclass
class Parked:
    """A parked sale back in memory: what resume() returns."""

    id: int
    label: str
    user: str
    parked_at: dt.datetime
    lines: list[SaleLine]
    order_discount: Money | None


def _line_doc(line: SaleLine) -> dict:
    return {
        "sku": line.product.sku, "quantity": str(line.quantity), "unit_price": str(line.unit_price.amount),
        "currency": line.unit_price.currency,
        "discount": str(line.discount.amount) if line.discount else None, "lot": line.lot,
    }


def park(actor: Actor, lines: list[SaleLine], *, order_discount: Money | None = None, label: str = "") -> ParkedSale:
    """Put an open sale aside. An empty sale has nothing to park."""
    if not lines:
        raise DomainError("The sale has no lines: there is nothing to park.")
    doc = {
        "lines": [_line_doc(line) for line in lines],
        "order_discount": str(order_discount.amount) if order_discount else None,
        "currency": lines[0].unit_price.currency,
    }
    return ParkedSale.create(terminal=actor.terminal.code, user=actor.user.code,
                             label=label or f"{len(lines)} lines", payload=json.dumps(doc),
                             parked_at=clock.now())


def parked_sales(terminal_code: str) -> list[ParkedSale]:
    """This terminal's parked sales, oldest first."""
    return list(ParkedSale.select().where(ParkedSale.terminal == terminal_code)
                .order_by(ParkedSale.parked_at, ParkedSale.id))


def _load(row: ParkedSale) -> Parked:
    doc = json.loads(row.payload)
    skus = {line["sku"] for line in doc["lines"]}
    products = {p.sku: p for p in Product.select().where(Product.sku.in_(skus))}
    lines = []
    for item in doc["lines"]:
        product = products.get(item["sku"])
        if product is None:
            raise NotFound("Parked sale {id}: product {sku} no longer exists; discard it.", id=row.id, sku=item['sku'])
        currency = item["currency"]
        lines.append(SaleLine(
            product=product, quantity=Decimal(item["quantity"]),
            unit_price=Money(Decimal(item["unit_price"]), currency),
            discount=Money(Decimal(item["discount"]), currency) if item.get("discount") else None,
            lot=item.get("lot") or "",
        ))
    disc = doc.get("order_discount")
    return Parked(row.id, row.label, row.user, row.parked_at, lines,
                  Money(Decimal(disc), doc["currency"]) if disc else None)


def resume(parked_id: int) -> Parked:
    """Take a parked sale back: its lines (prices as scanned) come back and the parked copy goes."""
    with db.atomic():
        row = ParkedSale.get_or_none(ParkedSale.id == parked_id)
        if row is None:
            raise NotFound("No parked sale {parked_id}: another clerk may have resumed it.", parked_id=parked_id)
        parked = _load(row)
        row.delete_instance()
    return parked


def discard(parked_id: int) -> None:
    deleted = ParkedSale.delete().where(ParkedSale.id == parked_id).execute()
    if not deleted:
        raise NotFound("No parked sale {parked_id}.", parked_id=parked_id)
