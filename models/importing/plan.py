"""Checking the good rows against the store and deciding, per row, what would change (reads only).

The plan is what a dry run reports and what `apply` writes: each row is created, updated (with the
fields that differ, before and after) or unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import peewee

from .. import clock
from ..bulk import select_in
from ..catalog import Barcode, Price, Product
from ..errors import DomainError
from ..ledger import StockEvent, on_hand
from ..people import Customer
from ..places import Location
from .columns import CUSTOMERS, PRICES, PRODUCTS, STOCK
from .rows import CustomerRecord, PriceRecord, ProductRecord, Record, Rejection, StockRecord, shown

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Stock count event ids are uuid5(this, file content + row key): importing the same content again
# yields the same ids, and the ledger stores an id only once.
STOCK_NAMESPACE = uuid.UUID("6f1c4f57-3c55-4a8e-9d0e-6d1b8f3e2a10")


@dataclass
class Change:
    line: int
    key: str
    action: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (before, after)
    record: Record | None = None
    target: Any = None  # the row to update, or what a create needs (product, location, event id)

    @property
    def changed(self) -> dict[str, tuple[Any, Any]]:
        """The fields that change, before and after (a new product's from its record, on demand)."""
        if self.fields or self.action != CREATED or not isinstance(self.record, ProductRecord):
            return self.fields
        out: dict[str, tuple[Any, Any]] = {name: (None, value) for name, value in self.record.fields.items()}
        out.update({f"barcode {shown(c)}": (None, q) for c, q in self.record.barcodes.items()})
        return out


@dataclass
class Plan:
    changes: list[Change]
    rejections: list[Rejection]


@dataclass(frozen=True)
class Context:
    digest: str  # content hash of the file (reading.Table.digest)
    default_location: Location | None  # the importing terminal's location, if it is set up


def _chunks(items: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start: start + size]


def _by(model: type[peewee.Model], column: peewee.Field, keys: Iterable[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(sorted(set(keys))):
        for row in model.select().where(column.in_(chunk)):
            found[getattr(row, column.name)] = row
    return found


def _reject(record: Record, reason: str, cells: dict[int, list[str]]) -> Rejection:
    return Rejection(record.line, [reason], cells[record.line])


def _products(records: list[ProductRecord], cells: dict[int, list[str]]) -> Plan:
    # Which SKUs and codes exist, as plain rows in big chunks; model rows only for the products that
    # will be compared field by field (on a first import, none).
    known = {sku for (sku,) in select_in([Product.sku], Product.sku, sorted({r.sku for r in records}))}
    existing = _by(Product, Product.sku, known) if known else {}
    codes = sorted({c for r in records for c in r.barcodes})
    found = select_in([Barcode.code, Barcode.product, Barcode.pack_qty], Barcode.code, codes)
    skus = dict(select_in([Product.id, Product.sku], Product.id, sorted({pid for _, pid, _ in found})))
    owners = {code: (skus[pid], qty) for code, pid, qty in found}
    plan = Plan([], [])
    for record in records:
        taken = [f"barcode {shown(code)} already belongs to SKU {owners[code][0]}"
                 for code in record.barcodes if code in owners and owners[code][0] != record.sku]
        if taken:
            plan.rejections.append(Rejection(record.line, taken, cells[record.line]))
            continue
        product = existing.get(record.sku)
        if product is None:
            # What a new product sets is its record: `Change.changed` spells it out when a report asks.
            plan.changes.append(Change(record.line, record.sku, CREATED, {}, record))
            continue
        changed = {name: (getattr(product, name), value) for name, value in record.fields.items()
                   if getattr(product, name) != value}
        for code, qty in record.barcodes.items():
            before = owners[code][1] if code in owners else None
            if before != qty:
                changed[f"barcode {shown(code)}"] = (before, qty)
        plan.changes.append(Change(record.line, record.sku, UPDATED if changed else UNCHANGED, changed,
                                   record, product))
    return plan


def _prices(records: list[PriceRecord], cells: dict[int, list[str]], ctx: Context) -> Plan:
    # Product ids only: 100,000 model rows cost 100 MB to compare nothing.
    products = dict(select_in([Product.sku, Product.id], Product.sku, sorted({r.sku for r in records})))
    now = clock.now()
    # Every price of the file's products, read in chunks and matched in memory (a query per row
    # made 100,000 prices take half a minute).
    known: dict[tuple[int, str], list[Price]] = {}
    for chunk in _chunks(sorted(products.values())):
        for row in Price.select().where(Price.product.in_(chunk)):
            known.setdefault((row.product_id, row.currency), []).append(row)
    plan = Plan([], [])
    for record in records:
        product = products.get(record.sku)
        if product is None:
            plan.rejections.append(_reject(record, f"unknown SKU {record.sku} (import products first)", cells))
            continue
        currency = record.currency or (ctx.default_location.currency if ctx.default_location else None)
        if currency is None:
            plan.rejections.append(_reject(
                record, "no currency column and this terminal has no location to take it from", cells))
            continue
        record.currency = currency
        candidates = known.get((product, currency), [])
        if record.valid_from is not None:
            price = next((p for p in candidates if p.valid_from == record.valid_from), None)
        else:
            # Without a start date the file states today's price: a no-op if that is already current.
            current = [p for p in candidates if p.valid_from <= now and (p.valid_to is None or p.valid_to > now)]
            price = max(current, key=lambda p: (p.valid_from, p.id), default=None)
        key = f"{record.sku} {currency}" + (f" from {record.valid_from:%Y-%m-%d %H:%M}" if record.valid_from else "")
        if price is not None and price.amount == record.amount:
            plan.changes.append(Change(record.line, key, UNCHANGED, {}, record, price))
        elif price is not None and record.valid_from is not None:
            plan.changes.append(Change(record.line, key, UPDATED, {"price": (price.amount, record.amount)},
                                       record, price))
        else:
            before = price.amount if price is not None else None
            plan.changes.append(Change(record.line, key, CREATED, {"price": (before, record.amount)},
                                       record, product))
    return plan


def stock_event_id(digest: str, location: str, sku: str, bin: str, lot: str) -> str:
    return str(uuid.uuid5(STOCK_NAMESPACE, "\x1f".join(("stock", digest, location, sku, bin, lot))))


def _location(code: str, locations: dict[str, Location]) -> Location | None:
    if code in locations:
        return locations[code]
    # Old systems often lower-case codes; accept that when it names exactly one location.
    matches = [loc for c, loc in locations.items() if c.casefold() == code.casefold()]
    return matches[0] if len(matches) == 1 else None


def places(default: Location | None) -> Callable[[str | None], str | None]:
    """A stock row's location cell -> the code of the location it names (the cell as it is if none)."""
    locations = {loc.code: loc for loc in Location.select()}

    def place(cell: str | None) -> str | None:
        location = _location(cell, locations) if cell else default
        return location.code if location is not None else cell

    return place


def _stock(records: list[StockRecord], cells: dict[int, list[str]], ctx: Context) -> Plan:
    products = _by(Product, Product.sku, (r.sku for r in records))
    locations = {loc.code: loc for loc in Location.select()}
    resolved: list[tuple[StockRecord, Location, Product, Decimal]] = []
    plan = Plan([], [])
    for record in records:
        problems = []
        location = _location(record.location, locations) if record.location else ctx.default_location
        if location is None:
            problems.append(
                f"unknown location {record.location!r} (known: {', '.join(sorted(locations)) or 'none'})"
                if record.location else "no location given and this terminal is not set up (run counter init)")
        product = products.get(record.sku)
        quantity = record.quantity
        if product is None:
            problems.append(f"unknown SKU {record.sku} (import products first)")
        else:
            try:
                quantity = product.quantity(record.quantity)
            except DomainError as exc:
                problems.append(str(exc))
            if product.track_lot and not record.lot:
                problems.append(f"{record.sku} is tracked by lot: give the lot")
        if problems:
            plan.rejections.append(Rejection(record.line, problems, cells[record.line]))
        else:
            resolved.append((record, location, product, quantity))

    # Rows naming one place twice ("STORE1" and an empty cell) were refused with the file's keys.
    ids = {record.line: stock_event_id(ctx.digest, location.code, record.sku, record.bin, record.lot)
           for record, location, _, _ in resolved}
    known = set()
    for chunk in _chunks(sorted(ids.values())):
        known.update(e.id for e in StockEvent.select(StockEvent.id).where(StockEvent.id.in_(chunk)))
    for record, location, product, quantity in resolved:
        event_id = ids[record.line]
        label = " ".join(p for p in (location.code, record.sku, record.bin and f"bin {record.bin}",
                                     record.lot and f"lot {record.lot}") if p)
        if event_id in known:
            plan.changes.append(Change(record.line, label, UNCHANGED, {}, record))
            continue
        before = on_hand(location, product, bin=record.bin, lot=record.lot)
        record.quantity = quantity
        plan.changes.append(Change(record.line, label, CREATED, {"on_hand": (before, quantity)}, record,
                                   (location, product, event_id)))
    return plan


def _customers(records: list[CustomerRecord]) -> Plan:
    existing = _by(Customer, Customer.code, (r.code for r in records))
    plan = Plan([], [])
    for record in records:
        customer = existing.get(record.code)
        if customer is None:
            changed = {name: (None, value) for name, value in record.fields.items()}
            plan.changes.append(Change(record.line, record.code, CREATED, changed, record))
            continue
        changed = {name: (getattr(customer, name), value) for name, value in record.fields.items()
                   if getattr(customer, name) != value}
        plan.changes.append(Change(record.line, record.code, UPDATED if changed else UNCHANGED, changed,
                                   record, customer))
    return plan


def build(kind: str, records: list[Record], cells: dict[int, list[str]], ctx: Context) -> Plan:
    """What importing these records would do. `cells` maps a line to its original values."""
    if kind == PRODUCTS:
        return _products(records, cells)  # type: ignore[arg-type]
    if kind == PRICES:
        return _prices(records, cells, ctx)  # type: ignore[arg-type]
    if kind == STOCK:
        return _stock(records, cells, ctx)  # type: ignore[arg-type]
    if kind == CUSTOMERS:
        return _customers(records)  # type: ignore[arg-type]
    raise DomainError("Unknown import kind {kind!r}.", kind=kind)
