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

from models.fields import QuantityField
from models.ledger import StockLevel
from models.oms.availability import location_atp
from models.oms.lifecycle import HOLDS_STOCK, SHORT
from models.statements import AnyOf, Statement

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


# Read for every order an intake allocates: compiled once (models/statements.py).
_on_hand = Statement(lambda: StockLevel.select(
    StockLevel.location, StockLevel.product, peewee.fn.SUM(StockLevel.on_hand), peewee.fn.MAX(StockLevel.count_at))
    .where(AnyOf(StockLevel.product, "ids")).group_by(StockLevel.location, StockLevel.product))
# Reserved and short in one read: a short part keeps its reason and time (for the count that lifts
# it). The CASE is literal SQL, not a parameter, so PostgreSQL sees the same expression in GROUP BY.
_SHORT_AT = peewee.SQL(f"CASE WHEN state = '{SHORT}' THEN updated_at END")  # one table: no alias needed
_allocated = Statement(lambda: Allocation.select(
    Allocation.location, Allocation.product, Allocation.state, Allocation.short_reason, _SHORT_AT,
    peewee.fn.SUM(Allocation.quantity))
    .where(AnyOf(Allocation.product, "ids") & Allocation.state.in_((*HOLDS_STOCK, SHORT)))
    .group_by(Allocation.location, Allocation.product, Allocation.state, Allocation.short_reason, _SHORT_AT))
_safety = Statement(lambda: SafetyStock.select(SafetyStock.location, SafetyStock.product, SafetyStock.quantity)
                    .where(AnyOf(SafetyStock.product, "ids") | SafetyStock.product.is_null()))


def _when(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def standings(product_ids: set[int]) -> dict[tuple[int, int], Standing]:
    ids = sorted(product_ids)
    on_hand: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    counted: dict[tuple[int, int], dt.datetime] = {}
    for loc, prod, qty, count_at in _on_hand.tuples(ids=ids):
        on_hand[(loc, prod)] = _scaled(qty)
        if count_at:
            counted[(loc, prod)] = _when(count_at)
    reserved: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    short: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    emptied: set[tuple[int, int]] = set()
    for loc, prod, state, reason, at, qty in _allocated.tuples(ids=ids):
        if state != SHORT:
            reserved[(loc, prod)] += _scaled(qty)
        elif (loc, prod) in counted and counted[(loc, prod)] >= _when(at):
            continue
        elif reason == NOT_FOUND:
            emptied.add((loc, prod))
        else:
            short[(loc, prod)] += _scaled(qty)
    safety, default = {}, {}
    for loc, prod, quantity in _safety.tuples(ids=ids):
        if prod is None:
            default[loc] = quantity
        else:
            safety[(loc, prod)] = quantity
    out = {}
    for key in set(on_hand) | set(reserved):
        keep = safety.get(key, default.get(key[0], Decimal(0)))
        held = short[key] if key not in emptied else on_hand[key]
        out[key] = Standing(on_hand[key], reserved[key], keep, held,
                            location_atp(on_hand[key] - held, reserved[key], keep))
    return out
