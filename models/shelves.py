"""Which bin and lot a movement uses when the person did not name them.

Every stock event names its bin (see `models.ledger`), so an operation told only "sell 3 of X" or
"book this delivery in" chooses, by these rules, written down once:

* the **home bin** of a product at a location is the bin that holds most of it (ties: the first
  bin code); if no bin holds any, the first bin it was ever booked to; "no bin" ("") only if it
  was never in one;
* goods **leave** (sale, transfer, pick) from the bins that hold them: lot-tracked goods first
  expiry first (then lot, then bin), other goods from the home bin first, then the other bins in
  code order, "no bin" last. What the books do not cover (a store selling below zero) is taken
  from the home bin, in the last lot taken (or the lot expiring last);
* goods **arrive** (receipt, return, transfer in, put-back) in the home bin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import peewee

from .catalog import Product
from .ledger import StockEvent, StockLevel
from .places import Location


@dataclass(frozen=True, slots=True)
class Position:
    """Stock of one product at one bin and lot."""

    bin: str
    lot: str
    on_hand: Decimal
    expiry: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Take:
    """Part of an outgoing quantity, from one bin and lot (a positive quantity)."""

    bin: str
    lot: str
    quantity: Decimal
    expiry: dt.date | None = None


def positions(location: Location | int, product: Product | int) -> list[Position]:
    """Every bin and lot of the product at the location, with the expiry each lot carries."""
    rows = list(StockLevel.select(StockLevel.bin, StockLevel.lot, StockLevel.on_hand).where(
        (StockLevel.location == location) & (StockLevel.product == product)).tuples())
    expiries = lot_expiries(location, product, {lot for _, lot, _ in rows if lot})
    return [Position(b, lot, qty, expiries.get(lot)) for b, lot, qty in rows]


def lot_expiries(location: Location | int, product: Product | int, lots: set[str]) -> dict[str, dt.date]:
    """The expiry recorded for each lot: the latest one an event of that lot carried."""
    if not lots:
        return {}
    rows = (StockEvent.select(StockEvent.lot, peewee.fn.MAX(StockEvent.expiry))
            .where((StockEvent.product == product) & (StockEvent.location == location)
                   & StockEvent.lot.in_(sorted(lots)) & StockEvent.expiry.is_null(False))
            .group_by(StockEvent.lot).tuples())
    return {lot: _as_date(expiry) for lot, expiry in rows}


def _as_date(value: dt.date | str) -> dt.date:
    # An aggregate loses the field's conversion on SQLite, so MAX() comes back as text there.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def home_bin(location: Location | int, product: Product | int, held: list[Position] | None = None) -> str:
    """Where the product lives at the location (see the module's rules)."""
    held = positions(location, product) if held is None else held
    by_bin: dict[str, Decimal] = {}
    for p in held:
        if p.bin:
            by_bin[p.bin] = by_bin.get(p.bin, Decimal(0)) + p.on_hand
    if not by_bin:
        return ""
    stocked = [b for b, qty in by_bin.items() if qty > 0]
    if stocked:
        return min(stocked, key=lambda b: (-by_bin[b], b))
    return min(by_bin)


def takes(location: Location | int, product: Product, quantity: Decimal, *, lot: str | None = None,
          bin: str | None = None) -> list[Take]:
    """Where an outgoing `quantity` comes from, narrowed to a lot or a bin when given.

    The parts add up to `quantity`; whether the location may go below zero is the caller's rule.
    """
    held = positions(location, product)
    home = home_bin(location, product, held)
    candidates = [p for p in held if p.on_hand > 0 and (lot is None or p.lot == lot)
                  and (bin is None or p.bin == bin)]

    def bin_rank(b: str) -> tuple:
        return (b != home, b == "", b)

    if product.track_lot:
        candidates.sort(key=lambda p: (p.expiry is None, p.expiry or dt.date.max, p.lot == "", p.lot,
                                       bin_rank(p.bin)))
    else:
        candidates.sort(key=lambda p: (bin_rank(p.bin), p.lot))
    parts: dict[tuple[str, str], Take] = {}
    left = quantity
    for p in candidates:
        if left <= 0:
            break
        qty = min(p.on_hand, left)
        parts[(p.bin, p.lot)] = Take(p.bin, p.lot, qty, p.expiry)
        left -= qty
    if left > 0:
        short_bin = bin if bin is not None else home
        if lot is not None:
            short_lot = lot
        elif parts:
            short_lot = list(parts.values())[-1].lot
        else:
            short_lot = _latest_lot(held) if product.track_lot else ""
        before = parts.get((short_bin, short_lot))
        parts[(short_bin, short_lot)] = Take(short_bin, short_lot, left + (before.quantity if before else 0),
                                             before.expiry if before else None)
    return list(parts.values())


def _latest_lot(held: list[Position]) -> str:
    lots = [p for p in held if p.lot]
    if not lots:
        return ""
    return max(lots, key=lambda p: (p.expiry or dt.date.min, p.lot)).lot


def put_away_bin(location: Location | int, product: Product | int) -> str:
    """The bin incoming goods go to when the clerk did not say: the home bin."""
    return home_bin(location, product)


def taken_by(reference: str, product: Product | int, kinds: tuple[str, ...], location: Location | int) -> list[Take]:
    """Where the events of a document (`reference`) of these kinds moved the product, in the
    order they were booked: quantities as magnitudes, one part per bin and lot."""
    rows = (StockEvent.select(StockEvent.bin, StockEvent.lot, StockEvent.quantity, StockEvent.expiry)
            .where((StockEvent.reference == reference) & (StockEvent.product == product)
                   & (StockEvent.location == location) & StockEvent.kind.in_(kinds))
            .order_by(StockEvent.id).tuples())
    parts: dict[tuple[str, str], Take] = {}
    for b, lot, qty, expiry in rows:
        before = parts.get((b, lot))
        parts[(b, lot)] = Take(b, lot, abs(qty) + (before.quantity if before else 0), expiry or (
            before.expiry if before else None))
    return list(parts.values())


def give_back(taken: list[Take], already: list[Take], quantity: Decimal) -> list[Take]:
    """Where `quantity` coming back goes: into the bins and lots it was `taken` from, less what
    `already` came back to each, in the order taken; anything beyond goes where the last part went."""
    back = {(t.bin, t.lot): t.quantity for t in already}
    parts: list[Take] = []
    left = quantity
    for t in taken:
        room = t.quantity - back.get((t.bin, t.lot), Decimal(0))
        if left <= 0 or room <= 0:
            continue
        qty = min(room, left)
        parts.append(Take(t.bin, t.lot, qty, t.expiry))
        left -= qty
    if left > 0:
        last = parts[-1] if parts else (taken[-1] if taken else None)
        if last is None:
            return parts + [Take("", "", left)]
        if parts and (parts[-1].bin, parts[-1].lot) == (last.bin, last.lot):
            parts[-1] = Take(last.bin, last.lot, parts[-1].quantity + left, last.expiry)
        else:
            parts.append(Take(last.bin, last.lot, left, last.expiry))
    return parts
