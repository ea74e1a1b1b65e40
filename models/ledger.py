"""The stock ledger: immutable events, and the levels they fold into.

On-hand is a pure function of the *set* of events, whatever order they arrive in (the Square
Inventory rule), kept per key (location, product, bin, lot):

* every movement names its bin. An operation that was not told one chooses it (`models.shelves`):
  goods leave from the bins that hold them, the home bin first (lot-tracked goods first expiry
  first), and arrive in the product's home bin; "no bin" ("") is only used where a location has
  no bin for the product at all;
* a physical count states a quantity as of its `occurred_at`. A *bin count* (scope "") states its
  own key. A *location count* (scope "location") states the product's whole quantity at the
  location, in its lot, or in every lot if it names none: the counted quantity sits in the count's
  own key and every other key it covers holds nothing as of that moment;
* for each key the latest count covering it is its base (ties broken by event id); any other event
  on the key after it applies on top, any other event at or before it is absorbed by it, even if
  it arrives later.

So a count leaves on hand equal to what was counted, within what it counted: the bin, or the whole
location. `fold` is that rule as a pure function (the specification). `post_event` keeps the cached
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
# What a count states: its own bin (""), or the product's whole stock at the location in its lot.
BIN_SCOPE, LOCATION_SCOPE = "", "location"
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
    scope = peewee.CharField(max_length=8, default=BIN_SCOPE)  # counts only: BIN_SCOPE or LOCATION_SCOPE

    class Meta:
        indexes = ((("location", "product", "bin", "lot", "occurred_at"), False),)


# Location counts are few: a partial index finds those of a product without reading its events.
StockEvent.add_index(StockEvent.index(StockEvent.product, StockEvent.location, name="stock_event_location_count")
                     .where(StockEvent.scope == LOCATION_SCOPE))


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
    scope: str = BIN_SCOPE

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.location, self.sku, self.bin, self.lot)

    @property
    def whole_location(self) -> bool:
        return self.kind == COUNT and self.scope == LOCATION_SCOPE

    def covers(self, key: tuple[str, str, str, str]) -> bool:
        """Whether this event, a count, states the level of `key`."""
        if self.whole_location:
            return (self.location, self.sku) == key[:2] and self.lot in ("", key[3])
        return self.key == key

    def payload(self) -> dict:
        body = {
            "id": self.id, "location": self.location, "sku": self.sku, "bin": self.bin,
            "lot": self.lot, "expiry": self.expiry.isoformat() if self.expiry else None,
            "quantity": str(self.quantity), "kind": self.kind, "reason": self.reason,
            "occurred_at": clock.iso(self.occurred_at), "terminal": self.terminal,
            "user": self.user, "reference": self.reference,
        }
        if self.scope:  # absent for a bin: the digests of events made before scopes stay the same
            body["scope"] = self.scope
        return body

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
                reference=str(data.get("reference") or ""), scope=str(data.get("scope") or ""),
            )
        except (KeyError, ValueError, ArithmeticError, TypeError) as exc:
            raise DomainError("Malformed stock event: {exc!r}", exc=exc) from None

    def digest(self) -> str:
        # Normalised so that 1.0 and 1.000 are the same quantity.
        body = self.payload() | {"quantity": str(self.quantity.normalize())}
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise DomainError("Unknown stock event kind {kind!r}.", kind=self.kind)
        sign = _SIGN.get(self.kind)
        if sign is not None and self.quantity * sign <= 0:
            direction = "positive" if sign > 0 else "negative"
            raise DomainError("A {kind} event needs a {direction} quantity, not {quantity}.", kind=self.kind, direction=direction, quantity=self.quantity)
        if self.scope not in (BIN_SCOPE, LOCATION_SCOPE):
            raise DomainError("Unknown count scope {scope!r}: a count states a bin or the whole location.", scope=self.scope)
        if self.scope and self.kind != COUNT:
            raise DomainError("Only a count has a scope, not a {kind} event.", kind=self.kind)
        if self.kind == COUNT and self.quantity < 0:
            raise DomainError("A count cannot be negative: count again.")
        if self.kind == ADJUSTMENT and not self.reason:
            raise DomainError("An adjustment needs a reason (damaged, found, theft, ...).")


def fold(events: Iterable[EventData]) -> dict[tuple[str, str, str, str], Decimal]:
    """On-hand per key from a set of events; duplicates (same id) count once. The specification."""
    unique = {e.id: e for e in events}
    by_key: dict[tuple, list[EventData]] = {}
    location_counts: dict[tuple[str, str], list[EventData]] = {}
    for event in unique.values():
        by_key.setdefault(event.key, []).append(event)
        if event.whole_location:
            location_counts.setdefault((event.location, event.sku), []).append(event)
    levels = {}
    for key, group in by_key.items():
        counts = [e for e in group if e.kind == COUNT] + [
            e for e in location_counts.get(key[:2], []) if e.key != key and e.covers(key)]
        if counts:
            base = max(counts, key=lambda e: (e.occurred_at, e.id))
            total = (base.quantity if base.key == key else Decimal(0)) + sum(
                (e.quantity for e in group if e.kind != COUNT and e.occurred_at > base.occurred_at), Decimal(0))
        else:
            total = sum((e.quantity for e in group), Decimal(0))
        levels[key] = total
    return levels


def _resolve(data: EventData) -> tuple[Location, Product]:
    location = Location.get_or_none(Location.code == data.location)
    if location is None:
        raise DomainError("Unknown location {location!r}.", location=data.location)
    product = Product.get_or_none(Product.sku == data.sku)
    if product is None:
        raise DomainError("Unknown product {sku!r}: pull the catalogue first.", sku=data.sku)
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
        reference=data.reference, received_at=None, digest=digest, scope=data.scope,
    )
    if not inserted:
        existing = StockEvent.get_by_id(data.id)
        if existing.digest != digest:
            raise Conflict("Event {id} was already recorded with different content.", id=data.id)
        return False
    key = (location.id, product.id, data.bin, data.lot)
    if data.whole_location:
        for level_key in _keys_under(location.id, product.id, data.lot) | {key}:
            rebuild_level(*level_key)
    elif data.kind == COUNT:
        _fold_bin_count(data, key)
    else:
        changed = _add_change.execute(location=location.id, product=product.id, bin=data.bin, lot=data.lot,
                                      qty=data.quantity, at=data.occurred_at).rowcount
        if not changed and _level_row.execute(location=location.id, product=product.id, bin=data.bin,
                                               lot=data.lot).fetchone() is None:
            rebuild_level(*key)  # a new key: a location count may already state it
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
                raise DomainError("Unknown location {location!r}.", location=event.location)
            if event.sku not in products:
                raise DomainError("Unknown product {sku!r}: pull the catalogue first.", sku=event.sku)
        except DomainError as exc:
            results[i] = exc
            continue
        digest = event.digest()
        if event.id in seen:  # the same event twice in one batch
            results[i] = False if digests[event.id] == digest else Conflict(
                "Event {id} was already recorded with different content.", id=event.id)
            continue
        seen[event.id], digests[event.id] = i, digest
        rows[event.id] = (
            event.id, locations[event.location], event.bin, products[event.sku], event.lot, event.expiry,
            event.quantity, event.kind, event.reason, event.occurred_at, event.terminal, event.user,
            event.reference, received_at, digest, event.scope)
    inserted = {row[0] for row in insert_values(_EVENT_FIELDS, list(rows.values()), [StockEvent.id],
                                                skip_conflicts=True)}
    for event_id, i in seen.items():
        results[i] = event_id in inserted
    for event_id, digest in select_in([StockEvent.id, StockEvent.digest], StockEvent.id,
                                      [eid for eid in seen if eid not in inserted]):
        if digest != digests[event_id]:
            results[seen[event_id]] = Conflict("Event {event_id} was already recorded with different content.", event_id=event_id)
    _fold_batch_into_levels([events[seen[eid]] for eid in inserted], locations, products)
    return results


def _fold_batch_into_levels(events: list[EventData], locations: dict[str, int], products: dict[str, int]) -> None:
    by_key: dict[tuple, list[EventData]] = {}
    for event in events:
        by_key.setdefault((locations[event.location], products[event.sku], event.bin, event.lot), []).append(event)
    # A count resets what it states: those keys are derived from the ledger, not added to.
    rebuild = {key for key, group in by_key.items() if any(e.kind == COUNT for e in group)}
    for loc, prod, lot in {(locations[e.location], products[e.sku], e.lot) for e in events if e.whole_location}:
        rebuild |= _keys_under(loc, prod, lot) | {k for k in by_key if k[:2] == (loc, prod) and lot in ("", k[3])}
    rest = {key: group for key, group in by_key.items() if key not in rebuild}
    bases: dict[tuple, dt.datetime | None] = {}
    if rest:
        for loc, prod, b, lot, count_at in select_in(
                [StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot, StockLevel.count_at],
                StockLevel.product, sorted({k[1] for k in rest})):
            bases[(loc, prod, b, lot)] = count_at
        # A new key under an earlier location count starts from that count, not from nothing.
        counted = _location_counted({k[1] for k in rest if k not in bases})
        rebuild |= {k for k in rest if k not in bases
                    and ((k[0], k[1], k[3]) in counted or (k[0], k[1], "") in counted)}
    changes = []
    for key, group in rest.items():
        if key in rebuild:
            continue
        count_at = bases.get(key)
        change = sum((e.quantity for e in group if count_at is None or e.occurred_at > count_at), Decimal(0))
        if change or key not in bases:
            changes.append((*key, change))
    key_fields = [StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot]
    insert_values([*key_fields, StockLevel.on_hand], changes, add_on_conflict=(key_fields, StockLevel.on_hand))
    for key in sorted(rebuild):
        rebuild_level(*key)


def _keys_under(location_id: int, product_id: int, lot: str) -> set[tuple[int, int, str, str]]:
    """The level keys a location count of (location, product, lot) states: every bin holding that
    lot, or every bin and lot if it names none."""
    query = StockLevel.select(StockLevel.bin, StockLevel.lot).where(
        (StockLevel.location == location_id) & (StockLevel.product == product_id))
    if lot:
        query = query.where(StockLevel.lot == lot)
    return {(location_id, product_id, b, level_lot) for b, level_lot in query.tuples()}


def _location_counted(product_ids: set[int]) -> set[tuple[int, int, str]]:
    """(location, product, lot) of these products that have a location count."""
    if not product_ids:
        return set()
    # Location counts are few (a partial index holds them): read the products that have one, and
    # only then their details, rather than build a query over every product of a pull page.
    counted = {pid for (pid,) in StockEvent.select(StockEvent.product).where(
        StockEvent.scope == LOCATION_SCOPE).distinct().tuples()} & product_ids
    if not counted:
        return set()
    return set(StockEvent.select(StockEvent.location, StockEvent.product, StockEvent.lot).where(
        (StockEvent.scope == LOCATION_SCOPE) & StockEvent.product.in_(sorted(counted))).distinct().tuples())


_EVENT_FIELDS = [StockEvent._meta.fields[name] for name in (
    "id", "location", "bin", "product", "lot", "expiry", "quantity", "kind", "reason", "occurred_at", "terminal",
    "user", "reference", "received_at", "digest", "scope")]


def _level_key() -> peewee.Expression:
    return ((StockLevel.location == Slot("location", StockLevel.location))
            & (StockLevel.product == Slot("product", StockLevel.product))
            & (StockLevel.bin == Slot("bin")) & (StockLevel.lot == Slot("lot")))


# A change lands on its level unless a count taken at or after it already absorbed it. A key with
# no level yet is derived whole (`rebuild_level`): a location count may state it already.
_add_change = Statement(lambda: StockLevel.update(
    {StockLevel.on_hand: StockLevel.on_hand + Slot("qty", StockLevel.on_hand)}
).where(_level_key() & (StockLevel.count_at.is_null() | (StockLevel.count_at < Slot("at", StockLevel.count_at)))))
_level_row = Statement(lambda: StockLevel.select(StockLevel.id).where(_level_key()))


def _fold_bin_count(data: EventData, key: tuple[int, int, str, str]) -> None:
    level = StockLevel.select(StockLevel.id, StockLevel.count_at, StockLevel.count_id).where(
        (StockLevel.location == key[0]) & (StockLevel.product == key[1]) & (StockLevel.bin == key[2])
        & (StockLevel.lot == key[3])).first()
    if level is None:
        rebuild_level(*key)
        return
    if level.count_at is not None and (data.occurred_at, data.id) < (level.count_at, level.count_id):
        return  # an older count: the newer one already absorbed it
    on_hand = data.quantity + _moved_after(key, data.occurred_at)
    StockLevel.update(on_hand=on_hand, count_at=data.occurred_at, count_id=data.id).where(
        StockLevel.id == level.id).execute()


def _on_key(key: tuple[int, int, str, str]) -> peewee.Expression:
    return ((StockEvent.location == key[0]) & (StockEvent.product == key[1]) & (StockEvent.bin == key[2])
            & (StockEvent.lot == key[3]))


def _moved_after(key: tuple[int, int, str, str], at: dt.datetime | None) -> Decimal:
    """The sum of the key's movements (not counts) after `at` (all of them if None)."""
    query = StockEvent.select(peewee.fn.COALESCE(peewee.fn.SUM(StockEvent.quantity), 0)).where(
        _on_key(key) & (StockEvent.kind != COUNT))
    if at is not None:
        query = query.where(StockEvent.occurred_at > at)
    return Decimal(int(query.scalar())) / QuantityField.scale


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


# Every key's base is its latest covering count: its own bin counts, and the location counts of its
# (location, product, lot) made in another bin (those state 0 here). Location counts are few, so
# their part only looks at the products that have one.
_DERIVED_SQL = f"""
WITH covering AS (
    SELECT location_id, product_id, bin, lot, occurred_at, id, quantity FROM stock_event WHERE kind = 'count'
    UNION ALL
    SELECT k.location_id, k.product_id, k.bin, k.lot, c.occurred_at, c.id, 0
    FROM (SELECT DISTINCT location_id, product_id, bin, lot FROM stock_event
          WHERE product_id IN (SELECT product_id FROM stock_event WHERE scope = '{LOCATION_SCOPE}')) AS k
    JOIN stock_event AS c ON c.scope = '{LOCATION_SCOPE}' AND c.location_id = k.location_id
         AND c.product_id = k.product_id AND (c.lot = k.lot OR c.lot = '')
         AND NOT (c.bin = k.bin AND c.lot = k.lot)
), ranked AS (
    SELECT location_id, product_id, bin, lot, occurred_at, id, quantity,
           ROW_NUMBER() OVER (PARTITION BY location_id, product_id, bin, lot
                              ORDER BY occurred_at DESC, id DESC) AS rn
    FROM covering
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
    locations, skus = _codes({k[0] for k in wrong}, {k[1] for k in wrong})
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


def _codes(location_ids: set[int], product_ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    locations = dict(select_in([Location.id, Location.code], Location.id, sorted(location_ids)))
    return locations, dict(select_in([Product.id, Product.sku], Product.id, sorted(product_ids)))


@dataclass(frozen=True, slots=True)
class CountDifference:
    """A count whose stock is not what was counted plus what moved since, within what it counted."""

    count_id: str
    location: str
    sku: str
    bin: str  # the bin counted; for a location count, the bin its quantity was put in
    lot: str
    whole_location: bool
    counted: Decimal
    moved_since: Decimal
    on_hand: Decimal  # the cached levels over what the count stated

    @property
    def expected(self) -> Decimal:
        return self.counted + self.moved_since


# The latest count of each scope that no later count overrides in part: what it stated must still
# hold, plus what moved within its scope since. A second formulation of the fold (by scope, not by
# key), checked against the cached levels.
_COVERS = (f"{{x}}.location_id = c.location_id AND {{x}}.product_id = c.product_id AND ("
           f"(c.scope = '{LOCATION_SCOPE}' AND (c.lot = '' OR {{x}}.lot = c.lot)) "
           f"OR (c.scope <> '{LOCATION_SCOPE}' AND {{x}}.bin = c.bin AND {{x}}.lot = c.lot))")
_COUNTS_SQL = f"""
WITH latest AS (
    SELECT id, location_id, product_id, bin, lot, scope, occurred_at, quantity,
           ROW_NUMBER() OVER (PARTITION BY location_id, product_id, lot,
                                           CASE WHEN scope = '{LOCATION_SCOPE}' THEN '' ELSE bin END, scope
                              ORDER BY occurred_at DESC, id DESC) AS rn
    FROM stock_event WHERE kind = 'count'
)
SELECT c.id, c.location_id, c.product_id, c.bin, c.lot, c.scope, c.quantity,
       (SELECT COALESCE(SUM(e.quantity), 0) FROM stock_event e
         WHERE {_COVERS.format(x="e")} AND e.kind <> 'count' AND e.occurred_at > c.occurred_at),
       (SELECT COALESCE(SUM(l.on_hand), 0) FROM stock_level l WHERE {_COVERS.format(x="l")})
FROM latest c
WHERE c.rn = 1 AND NOT EXISTS (
    SELECT 1 FROM stock_event n
     WHERE n.kind = 'count' AND n.location_id = c.location_id AND n.product_id = c.product_id AND n.id <> c.id
       AND (n.occurred_at > c.occurred_at OR (n.occurred_at = c.occurred_at AND n.id > c.id))
       AND ((c.scope = '{LOCATION_SCOPE}' AND (c.lot = '' OR n.lot = '' AND n.scope = '{LOCATION_SCOPE}'
                                               OR n.lot = c.lot))
            OR (c.scope <> '{LOCATION_SCOPE}' AND (n.scope = '{LOCATION_SCOPE}' AND n.lot IN ('', c.lot)
                                                   OR n.bin = c.bin AND n.lot = c.lot))))
"""


def verify_counts() -> list[CountDifference]:
    """Every count still in force leaves on hand equal to what was counted (plus what moved since).

    `verify_levels` checks the cache against the fold key by key; this checks the fold's promise
    scope by scope: a bin count holds for its bin, a location count for the whole location.
    """
    rows = db.execute_sql(_COUNTS_SQL).fetchall()
    scale = QuantityField.scale
    wrong = [row for row in rows if int(row[6]) + int(row[7]) != int(row[8])]
    if not wrong:
        return []
    locations, skus = _codes({r[1] for r in wrong}, {r[2] for r in wrong})
    return [CountDifference(cid, locations.get(loc, str(loc)), skus.get(prod, str(prod)), b, lot,
                            scope == LOCATION_SCOPE, Decimal(int(qty)) / scale, Decimal(int(after)) / scale,
                            Decimal(int(now)) / scale)
            for cid, loc, prod, b, lot, scope, qty, after, now in sorted(wrong, key=lambda r: r[0])]


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
    keys = {(event.location_id, event.product_id, event.bin, event.lot)}
    if event.kind == COUNT and event.scope == LOCATION_SCOPE:
        keys |= _keys_under(event.location_id, event.product_id, event.lot)
    for key in keys:
        rebuild_level(*key)
    return True


def rebuild_level(location_id: int, product_id: int, bin: str, lot: str) -> None:
    """Derive one level from the ledger: its latest covering count, and the movements after it."""
    key = (location_id, product_id, bin, lot)
    base = (StockEvent.select(StockEvent.id, StockEvent.bin, StockEvent.lot, StockEvent.quantity,
                              StockEvent.occurred_at)
            .where((StockEvent.kind == COUNT) & (StockEvent.location == location_id)
                   & (StockEvent.product == product_id)
                   & (((StockEvent.bin == bin) & (StockEvent.lot == lot))
                      | ((StockEvent.scope == LOCATION_SCOPE) & StockEvent.lot.in_(["", lot]))))
            .order_by(StockEvent.occurred_at.desc(), StockEvent.id.desc()).first())
    stated = base.quantity if base is not None and (base.bin, base.lot) == (bin, lot) else Decimal(0)
    total = stated + _moved_after(key, base.occurred_at if base else None)
    count_at, count_id = (base.occurred_at, base.id) if base else (None, None)
    StockLevel.insert(location=location_id, product=product_id, bin=bin, lot=lot, on_hand=total,
                      count_at=count_at, count_id=count_id).on_conflict(
        conflict_target=[StockLevel.location, StockLevel.product, StockLevel.bin, StockLevel.lot],
        update={StockLevel.on_hand: total, StockLevel.count_at: count_at, StockLevel.count_id: count_id},
    ).execute()


def rebuild_all_levels() -> int:
    """Throw the cached levels away and derive them all from the ledger, in one statement."""
    with db.atomic():
        db.execute_sql("DELETE FROM stock_level")
        cursor = db.execute_sql(
            "INSERT INTO stock_level (location_id, product_id, bin, lot, on_hand, count_at, count_id) "
            + _DERIVED_SQL)
    return cursor.rowcount
