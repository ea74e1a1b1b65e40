"""What each location may promise, read in a fixed number of queries for a set of products.

On hand is the ledger's (StockLevel); reserved is what live allocations hold; safety stock is kept
back. A short pick changes what a location may promise until the shelf is counted again (the
notes' HotWax rule): "not found" makes that product's stock there count as nothing, "damaged" and
"wrong item" keep the short quantity back. The short allocations are the record of it, so a count
(a later `count_at` on the level) lifts it without anything else to clear.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import peewee

from models.bulk import among
from models.fields import QuantityField
from models.ledger import StockLevel
from models.oms.availability import location_atp
from models.oms.lifecycle import HOLDS_STOCK, SHORT

from .tables import Allocation, SafetyStock

NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Standing:
    on_hand: Decimal
    reserved: Decimal
    safety: Decimal
    short: Decimal  # kept back after a short pick, until counted
    atp: Decimal


def _scaled(value: object) -> Decimal:
    return Decimal(int(value or 0)) / QuantityField.scale


def standings(product_ids: set[int]) -> dict[tuple[int, int], Standing]:
    ids = list(product_ids)
    on_hand: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    counted: dict[tuple[int, int], dt.datetime] = {}
    for loc, prod, qty, count_at in (
            StockLevel.select(StockLevel.location, StockLevel.product, peewee.fn.SUM(StockLevel.on_hand),
                              peewee.fn.MAX(StockLevel.count_at))
            .where(among(StockLevel.product, ids)).group_by(StockLevel.location, StockLevel.product).tuples()):
        on_hand[(loc, prod)] = _scaled(qty)
        if count_at:
            counted[(loc, prod)] = count_at if isinstance(count_at, dt.datetime) else dt.datetime.fromisoformat(
                str(count_at))
    reserved: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for loc, prod, qty in (Allocation.select(Allocation.location, Allocation.product, peewee.fn.SUM(Allocation.quantity))
                           .where(among(Allocation.product, ids) & Allocation.state.in_(HOLDS_STOCK))
                           .group_by(Allocation.location, Allocation.product).tuples()):
        reserved[(loc, prod)] = _scaled(qty)
    short: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    emptied: set[tuple[int, int]] = set()
    for loc, prod, qty, reason, at in (Allocation.select(Allocation.location, Allocation.product, Allocation.quantity,
                                                         Allocation.short_reason, Allocation.updated_at)
                                       .where(among(Allocation.product, ids) & (Allocation.state == SHORT)).tuples()):
        if (loc, prod) in counted and counted[(loc, prod)] >= at:
            continue
        if reason == NOT_FOUND:
            emptied.add((loc, prod))
        else:
            short[(loc, prod)] += qty
    safety, default = {}, {}
    for row in SafetyStock.select().where(among(SafetyStock.product, ids) | SafetyStock.product.is_null()):
        if row.product_id is None:
            default[row.location_id] = row.quantity
        else:
            safety[(row.location_id, row.product_id)] = row.quantity
    out = {}
    for key in set(on_hand) | set(reserved):
        keep = safety.get(key, default.get(key[0], Decimal(0)))
        held = short[key] if key not in emptied else on_hand[key]
        out[key] = Standing(on_hand[key], reserved[key], keep, held,
                            location_atp(on_hand[key] - held, reserved[key], keep))
    return out
