"""The stock ledger: immutable events, and the levels they fold into.

On-hand is a pure function of the *set* of events, whatever order they arrive in (the Square
Inventory rule):

* a physical count states the quantity of its key (location, bin, product, lot) as of its
  `occurred_at`; the latest count wins (ties broken by event id);
* any other event after the latest count applies on top of it;
* any other event at or before the latest count is absorbed by it, even if it arrives later.

`fold` is that rule as a pure function (the specification). `post_event` keeps the cached
`StockLevel` row equal to `fold` of the stored events, incrementally, inside the caller's
transaction. `verify_levels` re-derives every level in SQL and reports any difference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import peewee
import uuid_utils

from . import clock
from .bulk import insert_values, select_in
from .catalog import Product
from .db import BaseModel, db
from .errors import Conflict, DomainError
from .fields import QuantityField
from .places import Location
from .statements import RowInsert, Slot, Statement

RECEIPT, SALE, PICK, RETURN = "receipt", "sale", "pick", "return"
TRANSFER_OUT, TRANSFER_IN, ADJUSTMENT, COUNT = "transfer_out", "transfer_in", "adjustment", "count"
KINDS = (RECEIPT, SALE, PICK, RETURN, TRANSFER_OUT, TRANSFER_IN, ADJUSTMENT, COUNT)
# The sign each kind's quantity must have; a count states a level, so it may be any non-negative.
_SIGN = {RECEIPT: 1, SALE: -1, PICK: -1, RETURN: 1, TRANSFER_OUT: -1, TRANSFER_IN: 1}


def new_id() -> str:
    """A UUIDv7: unique without coordination, and sorted by creation time."""
    return str(uuid_utils.uuid7())


class StockEvent(BaseModel):
    id = peewee.CharField(primary_key=True, max_length=36)
    location = peewee.ForeignKeyField(Location, backref="+", on_delete="RESTRICT")
    bin = peewee.CharField(max_length=32, default="")
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="RESTRICT")
    lot = peewee.CharField(max_length=64, default="")
    expiry = peewee.DateField(null=True)
    quantity = QuantityField()  # signed change; for a count, the quantity counted
    kind = peewee.CharField(max_length=16)
    reason = peewee.CharField(default="")
    occurred_at = peewee.DateTimeField()
    terminal = peewee.CharField(max_length=16, default="")
    user = peewee.CharField(max_length=32, default="")
    reference = peewee.CharField(default="", index=True)
    received_at = peewee.DateTimeField(null=True)  # when head office took it in
    digest = peewee.CharField(max_length=64)

    class Meta:
        indexes = ((("location", "product", "bin", "lot", "occurred_at"), False),)


class StockLevel(BaseModel):
    location = peewee.ForeignKeyField(Location, backref="+", on_delete="CASCADE")
    product = peewee.ForeignKeyField(Product, backref="+", on_delete="CASCADE")
    bin = peewee.CharField(max_length=32, default="")
    lot = peewee.CharField(max_length=64, default="")
    on_hand = QuantityField(default=Decimal(0))
    count_at = peewee.DateTimeField(null=True)  # the count that sets the base, if any
    count_id = peewee.CharField(max_length=36, null=True)

    class Meta:
        indexes = ((("location", "product", "bin", "lot"), True),)


@dataclass(frozen=True, slots=True)
class EventData:
    """An event as it travels: keyed by codes (SKU, location code), not by database ids."""

    location: str
    sku: str
    quantity: Decimal
    kind: str
    occurred_at: dt.datetime
    id: str = field(default_factory=new_id)
    bin: str = ""
    lot: str = ""
    expiry: dt.date | None = None
    reason: str = ""
    terminal: str = ""
    user: str = ""
    reference: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.location, self.sku, self.bin, self.lot)

    def payload(self) -> dict:
        return {
            "id": self.id, "location": self.location, "sku": self.sku, "bin": self.bin,
            "lot": self.lot, "expiry": self.expiry.isoformat() if self.expiry else None,
            "quantity": str(self.quantity), "kind": self.kind, "reason": self.reason,
            "occurred_at": clock.iso(self.occurred_at), "terminal": self.terminal,
            "user": self.user, "reference": self.reference,
        }

    @classmethod
    def from_payload(cls, data: dict) -> EventData:
        try:
            return cls(
                id=str(data["id"]), location=str(data["location"]), sku=str(data["sku"]),
                bin=str(data.get("bin") or ""), lot=str(data.get("lot") or ""),
                expiry=dt.date.fromisoformat(data["expiry"]) if data.get("expiry") else None,
                quantity=Decimal(str(data["quantity"])), kind=str(data["kind"]),
                reason=str(data.get("reason") or ""), occurred_at=clock.parse(data["occurred_at"]),
                terminal=str(data.get("terminal") or ""), user=str(data.get("user") or ""),
                reference=str(data.get("reference") or ""),
            )
        except (KeyError, ValueError, ArithmeticError, TypeError) as exc:
            raise DomainError(f"Malformed stock event: {exc!r}") from None

    def digest(self) -> str:
        # Normalised so that 1.0 and 1.000 are the same quantity.
        body = self.payload() | {"quantity": str(self.quantity.normalize())}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise DomainError(f"Unknown stock event kind {self.kind!r}.")
        sign = _SIGN.get(self.kind)
        if sign is not None and self.quantity * sign <= 0:
            direction = "positive" if sign > 0 else "negative"
            raise DomainError(f"A {self.kind} event needs a {direction} quantity, not {self.quantity}.")
        if self.kind == COUNT and self.quantity < 0:
            raise DomainError("A count cannot be negative: count again.")
        if self.kind == ADJUSTMENT and not self.reason:
            raise DomainError("An adjustment needs a reason (damaged, found, theft, ...).")


def fold(events: Iterable[EventData]) -> dict[tuple[str, str, str, str], Decimal]:
    """On-hand per key from a set of events; duplicates (same id) count once. The specification."""
    unique = {e.id: e for e in events}
    by_key: dict[tuple, list[EventData]] = {}
    for event in unique.values():
        by_key.setdefault(event.key, []).append(event)
    levels = {}
    for key, group in by_key.items():
        counts = [e for e in group if e.kind == COUNT]
        if counts:
            base = max(counts, key=lambda e: (e.occurred_at, e.id))
            total = base.quantity + sum(
                (e.quantity for e in group if e.kind != COUNT and e.occurred_at > base.occurred_at), Decimal(0)
            )
        else:
            total = sum((e.quantity for e in group), Decimal(0))
        levels[key] = total
    return levels


def _resolve(data: EventData) -> tuple[Location, Product]:
    location = Location.get_or_none(Location.code == data.location)
    if location is None:
        raise DomainError(f"Unknown location {data.location!r}.")
    product = Product.get_or_none(Product.sku == data.sku)
    if product is None:
        raise DomainError(f"Unknown product {data.sku!r}: pull the catalogue first.")
    return location, product


def post_event(data: EventData, *, location: Location | None = None, product: Product | None = None) -> bool:
    """Store one event and fold it into its level. Call inside a transaction.

    Returns False if the same event was already stored (nothing changes); raises `Conflict` if the
    same id was stored with different content.
    """
    data.validate()
    if location is None or product is None:
        location, product = _resolve(data)
    digest = data.digest()
    inserted = _insert_event(
        id=data.id, location=location.id, bin=data.bin, product=product.id, lot=data.lot,
        expiry=data.expiry, quantity=data.quantity, kind=data.kind, reason=data.reason,
        occurred_at=data.occurred_at, terminal=data.terminal, user=data.user,
        reference=data.reference, received_at=None, digest=digest,
    )
    if not inserted:
        existing = StockEvent.get_by_id(data.id)
        if existing.digest != digest:
            raise Conflict(f"Event {data.id} was already recorded with different content.")
        return False
    if data.kind == COUNT:
        _fold_count_into_level(data, location.id, product.id)
    else:
        _apply_change.execute(location=location.id, product=product.id, bin=data.bin, lot=data.lot,
                              qty=data.quantity, at=data.occurred_at)
    return True


_insert_event = RowInsert(StockEvent, ignore_conflicts=True)


def post_events(events: list[EventData], *, received_at: dt.datetime | None = None) -> list[bool | DomainError]:
    """Store a batch of events (a push at head office, a pull page at a terminal) with a handful of
    statements instead of a few per event. Call inside a transaction.

    Returns, per event: True (stored), False (already stored, nothing changed) or the `DomainError`
    that refused it (malformed, unknown product or location, same id with other content). The
    levels end exactly as if each event had gone through `post_event`, since the fold does not
    depend on order. `received_at` is stored on the events this call stores (head office's intake time).
    """
    results: list[bool | DomainError] = [False] * len(events)
    locations = dict(select_in([Location.code, Location.id], Location.code, sorted({e.location for e in events})))
    products = dict(select_in([Product.sku, Product.id], Product.sku, sorted({e.sku for e in events})))
    rows, digests, seen = {}, {}, {}
    for i, event in enumerate(events):
        try:
            event.validate()
            if event.location not in locations:
                raise DomainError(f"Unknown location {event.location!r}.")
            if event.sku not in products:
                raise DomainError(f"Unknown product {event.sku!r}: pull the catalogue first.")
        except DomainError as exc:
            results[i] = exc
            continue
        digest = event.digest()
        if event.id in seen:  # the same event twice in one batch
            results[i] = False if digests[event.id] == digest else Conflict(
                f"Event {event.id} was already recorded with different content.")
            continue
        seen[event.id], digests[event.id] = i, digest
        rows[event.id] = (
            event.id, locations[event.location], event.bin, products[event.sku], event.lot, event.expiry,
            event.quantity, event.kind, event.reason, event.occurred_at, event.terminal, event.user,
            event.reference, received_at, digest)
    inserted = {row[0] for row in insert_values(_EVENT_FIELDS, list(rows.values()), [StockEvent.id],
                                                skip_conflicts=True)}
    for event_id, i in seen.items():
        results[i] = event_id in inserted
    for event_id, digest in select_in([StockEvent.id, StockEvent.digest], StockEvent.id,
                                      [eid for eid in seen if eid not in inserted]):
        if digest != digests[event_id]:
            results[seen[event_id]] = Conflict(f"Event {event_id} was already recorded with different content.")
    _fold_batch_into_levels([events[seen[eid]] for eid in inserted], locations, products)
    return results


def _fold_batch_into_levels(events: list[EventData], locations: dict[str, int], products: dict[str, int]) -> None:
    by_key: dict[tuple, list[EventData]] = {}
    for event in events:
        by_key.setdefault((locations[event.location], products[event.sku], event.bin, event.lot), []).append(event)
    counted = [key for key, group in by_key.items() if any(e.kind == COUNT for e in group)]
    for key in counted:
        rebuild_level(*key)  # a count resets its key: derive it from the ledger
        del by_key[key]
    if not by_key:
        return
    bases: dict[tuple, dt.datetime | None] = {}
    for loc, prod, b, lot, count_at in select_in(
            [StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot, StockLevel.count_at],
            StockLevel.product, sorted({k[1] for k in by_key})):
        bases[(loc, prod, b, lot)] = count_at
    changes = []
    for key, group in by_key.items():
        count_at = bases.get(key)
        change = sum((e.quantity for e in group if count_at is None or e.occurred_at > count_at), Decimal(0))
        if change or key not in bases:
            changes.append((*key, change))
    key = [StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot]
    insert_values([*key, StockLevel.on_hand], changes, add_on_conflict=(key, StockLevel.on_hand))


_EVENT_FIELDS = [StockEvent._meta.fields[name] for name in (
    "id", "location", "bin", "product", "lot", "expiry", "quantity", "kind", "reason", "occurred_at", "terminal",
    "user", "reference", "received_at", "digest")]


# A change lands on its level unless a count taken at or after it already absorbed it.
_apply_change = Statement(lambda: StockLevel.insert(
    location=Slot("location", StockLevel.location), product=Slot("product", StockLevel.product),
    bin=Slot("bin"), lot=Slot("lot"), on_hand=Slot("qty", StockLevel.on_hand),
).on_conflict(
    conflict_target=[StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot],
    update={StockLevel.on_hand: StockLevel.on_hand + peewee.EXCLUDED.on_hand},
    where=(StockLevel.count_at.is_null() | (StockLevel.count_at < Slot("at", StockLevel.count_at))),
))


def _fold_count_into_level(data: EventData, location_id: int, product_id: int) -> None:
    key = (StockLevel.location == location_id) & (StockLevel.product == product_id) & (
        StockLevel.bin == data.bin) & (StockLevel.lot == data.lot)
    level = StockLevel.select(StockLevel.id, StockLevel.count_at, StockLevel.count_id).where(key).first()
    if level is None:
        level = StockLevel.create(location=location_id, product=product_id, bin=data.bin, lot=data.lot,
                                  on_hand=Decimal(0))
    if level.count_at is not None and (data.occurred_at, data.id) < (level.count_at, level.count_id):
        return  # an older count: the newer one already absorbed it
    after = (
        StockEvent.select(peewee.fn.COALESCE(peewee.fn.SUM(StockEvent.quantity), 0))
        .where(
            (StockEvent.location == location_id) & (StockEvent.product == product_id)
            & (StockEvent.bin == data.bin) & (StockEvent.lot == data.lot)
            & (StockEvent.kind != COUNT) & (StockEvent.occurred_at > data.occurred_at)
        )
        .scalar()
    )
    on_hand = data.quantity + Decimal(int(after)) / QuantityField.scale
    StockLevel.update(on_hand=on_hand, count_at=data.occurred_at, count_id=data.id).where(
        StockLevel.id == level.id).execute()


_on_hand = Statement(lambda: StockLevel.select(peewee.fn.COALESCE(peewee.fn.SUM(StockLevel.on_hand), 0)).where(
    (StockLevel.location == Slot("location", StockLevel.location))
    & (StockLevel.product == Slot("product", StockLevel.product))))


def on_hand(location: Location, product: Product, *, bin: str | None = None, lot: str | None = None) -> Decimal:
    """On-hand of a product at a location, over all its bins and lots unless narrowed."""
    if bin is None and lot is None:
        (total,) = _on_hand.execute(location=location, product=product).fetchone()
        return Decimal(int(total)) / QuantityField.scale
    query = StockLevel.select(peewee.fn.COALESCE(peewee.fn.SUM(StockLevel.on_hand), 0)).where(
        (StockLevel.location == location) & (StockLevel.product == product))
    if bin is not None:
        query = query.where(StockLevel.bin == bin)
    if lot is not None:
        query = query.where(StockLevel.lot == lot)
    return Decimal(int(query.scalar())) / QuantityField.scale


_DERIVED_SQL = """
WITH ranked AS (
    SELECT location_id, product_id, bin, lot, occurred_at, quantity, id,
           ROW_NUMBER() OVER (PARTITION BY location_id, product_id, bin, lot
                              ORDER BY occurred_at DESC, id DESC) AS rn
    FROM stock_event WHERE kind = 'count'
), base AS (SELECT * FROM ranked WHERE rn = 1)
SELECT e.location_id, e.product_id, e.bin, e.lot,
       MAX(COALESCE(b.quantity, 0)) + SUM(CASE WHEN e.kind <> 'count'
            AND (b.occurred_at IS NULL OR e.occurred_at > b.occurred_at) THEN e.quantity ELSE 0 END),
       MAX(b.occurred_at), MAX(b.id)
FROM stock_event e
LEFT JOIN base b ON b.location_id = e.location_id AND b.product_id = e.product_id
                AND b.bin = e.bin AND b.lot = e.lot
GROUP BY e.location_id, e.product_id, e.bin, e.lot
"""


@dataclass(frozen=True, slots=True)
class LevelDifference:
    location: str
    sku: str
    bin: str
    lot: str
    cached: Decimal
    derived: Decimal


def verify_levels(repair: bool = False) -> list[LevelDifference]:
    """Re-derive every level from the ledger and list where the cached level disagrees."""
    derived = {
        (loc, prod, b, lot): int(total)
        for loc, prod, b, lot, total, _, _ in db.execute_sql(_DERIVED_SQL).fetchall()
    }
    cached = {
        (loc, prod, b, lot): int(total)
        for loc, prod, b, lot, total in db.execute_sql(
            "SELECT location_id, product_id, bin, lot, on_hand FROM stock_level").fetchall()
    }
    wrong = [k for k in derived.keys() | cached.keys() if derived.get(k, 0) != cached.get(k, 0)]
    if not wrong:
        return []
    locations = {loc.id: loc.code for loc in Location.select(Location.id, Location.code)}
    product_ids = {k[1] for k in wrong}
    skus = {p.id: p.sku for p in Product.select(Product.id, Product.sku).where(Product.id.in_(product_ids))}
    scale = QuantityField.scale
    diffs = [
        LevelDifference(locations.get(k[0], str(k[0])), skus.get(k[1], str(k[1])), k[2], k[3],
                        Decimal(cached.get(k, 0)) / scale, Decimal(derived.get(k, 0)) / scale)
        for k in sorted(wrong)
    ]
    if repair:
        with db.atomic():
            for loc, prod, b, lot in wrong:
                rebuild_level(loc, prod, b, lot)
    return diffs


def withdraw(event_id: str) -> bool:
    """Take an event head office refused out of this store's ledger, and derive its level again.

    Head office's ledger decides: an event it refused counts nowhere, so it must not count here
    either, or this store never agrees with it. The event is not lost: the caller keeps it (the
    Needs attention item holds it whole). False if this store has no such event.
    """
    event = StockEvent.get_or_none(StockEvent.id == event_id)
    if event is None:
        return False
    event.delete_instance()
    rebuild_level(event.location_id, event.product_id, event.bin, event.lot)
    return True


def rebuild_level(location_id: int, product_id: int, bin: str, lot: str) -> None:
    """Recompute one level from its events (used by repair)."""
    events = StockEvent.select().where(
        (StockEvent.location == location_id) & (StockEvent.product == product_id)
        & (StockEvent.bin == bin) & (StockEvent.lot == lot))
    counts = [e for e in events if e.kind == COUNT]
    base = max(counts, key=lambda e: (e.occurred_at, e.id)) if counts else None
    total = (base.quantity if base else Decimal(0)) + sum(
        (e.quantity for e in events if e.kind != COUNT and (base is None or e.occurred_at > base.occurred_at)),
        Decimal(0))
    StockLevel.insert(location=location_id, product=product_id, bin=bin, lot=lot, on_hand=total,
                      count_at=base.occurred_at if base else None, count_id=base.id if base else None
                      ).on_conflict(
        conflict_target=[StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot],
        update={StockLevel.on_hand: total, StockLevel.count_at: base.occurred_at if base else None,
                StockLevel.count_id: base.id if base else None},
    ).execute()


def rebuild_all_levels() -> int:
    """Throw the cached levels away and derive them all from the ledger, in one statement."""
    with db.atomic():
        db.execute_sql("DELETE FROM stock_level")
        cursor = db.execute_sql(
            "INSERT INTO stock_level (location_id, product_id, bin, lot, on_hand, count_at, count_id) "
            + _DERIVED_SQL)
    return cursor.rowcount
