"""The terminal applies what head office sent: one pull page in one transaction, cursor included.

Documents are applied as upserts keyed by code, so applying a page twice (a crash after the
commit but before the next request) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from models import attention, bulk, clock
from models.catalog import Barcode, Price, Product
from models.db import db
from models.errors import Conflict, DomainError
from models.hq import CURSOR, set_states, store_remote_levels
from models.ledger import EventData, post_events
from models.orders import (
    CANCELLED,
    PACKED,
    PICKING,
    STATUSES,
    Order,
    OrderLine,
    OrderStatusChange,
    set_status,
)
from models.people import User
from models.places import Location
from models.stock_docs import DONE, Delivery, DeliveryLine, Transfer, TransferLine

_PRODUCT_FIELDS = ("name", "name_zh", "category", "unit", "unit_precision", "track_lot", "track_serial",
                   "track_expiry", "weight_priced", "active")


@dataclass
class Applied:
    """What one or more pages changed here."""

    counts: dict[str, int] = field(default_factory=dict)
    changed_skus: list[str] = field(default_factory=list)  # products that existed and changed
    attention: int = 0

    def bump(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def merge(self, other: Applied) -> None:
        for name, n in other.counts.items():
            self.bump(name, n)
        self.changed_skus += [s for s in other.changed_skus if s not in self.changed_skus]
        self.attention += other.attention


def apply_page(page: dict, server_time: dt.datetime, also: dict[str, str] | None = None) -> Applied:
    """Apply one page and store its cursor (and the sync-state values `also`), all or nothing."""
    changes = page.get("changes", {})
    applied = Applied()
    with db.atomic():
        places = changes.get("locations", [])
        if places:
            upsert_locations(places)
            applied.bump("locations", len(places))
        products = changes.get("products", [])
        if products:
            applied.changed_skus += apply_products(products)
            applied.bump("products", len(products))
        for doc in changes.get("users", []):
            upsert_user(doc)
            applied.bump("users")
        notes = []
        for kind, func in (("deliveries", upsert_delivery), ("transfers", upsert_transfer),
                           ("orders", upsert_order)):
            for doc in changes.get(kind, []):
                try:
                    with db.atomic():
                        notes.append((func(doc), doc))
                except DomainError as exc:
                    notes.append((_refusal(str(doc.get("number") or ""), exc), doc))
                applied.bump(kind)
        events = changes.get("events", [])
        if events:
            notes += [(_refusal(str(doc.get("id") or ""), outcome), doc)
                      for doc, outcome in zip(events, post_docs(events), strict=True)
                      if isinstance(outcome, DomainError)]
            applied.bump("events", len(events))
        for note, doc in notes:
            if note:
                attention.add(*note, payload=json.dumps(doc, default=str))
                applied.attention += 1
        levels = changes.get("levels", [])
        if levels:
            store_remote_levels([(doc["location"], doc["sku"], Decimal(doc["on_hand"]),
                                  Decimal(doc.get("available", doc["on_hand"]))) for doc in levels], server_time)
            applied.bump("levels", len(levels))
        set_states({CURSOR: page["cursor"]} | (also or {}))
    return applied


def _refusal(ref: str, exc: DomainError) -> tuple[str, str, str]:
    return (attention.REJECTED if isinstance(exc, Conflict) else attention.PULL_FAILED, ref, str(exc))


def post_docs(docs: list[dict]) -> list[bool | DomainError]:
    """Post a page's events (other terminals of this location) with the ledger's batch rule: a
    handful of statements for the page instead of a savepoint and a few statements per event.
    Per document: stored, already there, or why it was refused (nothing written for it)."""
    outcomes: list[bool | DomainError] = []
    readable: list[EventData] = []
    for doc in docs:
        try:
            readable.append(EventData.from_payload(doc))
            outcomes.append(True)
        except DomainError as exc:
            outcomes.append(exc)
    posted = iter(post_events(readable))
    return [next(posted) if outcome is True else outcome for outcome in outcomes]


def upsert_locations(docs: list[dict]) -> None:
    """Create or update the page's locations, reading them in one query."""
    names = ("name", "kind", "currency", "address")
    have = {code: (lid, dict(zip(names, rest, strict=True))) for lid, code, *rest in bulk.select_in(
        [Location.id, Location.code, Location.name, Location.kind, Location.currency, Location.address],
        Location.code, [doc["code"] for doc in docs])}
    for doc in docs:
        values = {"name": doc.get("name") or doc["code"], "kind": doc.get("kind", "store"),
                  "currency": doc.get("currency", "EUR"), "address": doc.get("address", "")}
        known = have.get(doc["code"])
        if known is None:
            have[doc["code"]] = (Location.create(code=doc["code"], **values).id, values)
        # Pages name a location whenever they carry its levels: write only what changed.
        elif known[1] != values:
            Location.update(**values).where(Location.id == known[0]).execute()
            have[doc["code"]] = (known[0], values)


def _opt_time(value: str | None) -> dt.datetime | None:
    return clock.parse(value) if value else None


_EPOCH = dt.datetime(2000, 1, 1)


def _stored(field: peewee.Field, value: object) -> object:
    # The value as it reads back from the store, so in-memory states compare like re-read ones.
    return field.python_value(field.db_value(value))


def _same(field: peewee.Field, value: object) -> object:
    return value


def _wanted_row(doc: dict, stored: bool = True) -> dict[str, object]:
    """The product's columns from its document; `stored=False` skips the round trip through the
    column types (only needed to compare with what the store holds; a new product compares nothing)."""
    values: dict[str, object] = {name: doc[name] for name in _PRODUCT_FIELDS if name in doc}
    values["tax_rate"] = Decimal(doc.get("tax_rate", "0"))
    if doc.get("updated_at"):
        values["updated_at"] = clock.parse(doc["updated_at"])
    if not stored:
        return values
    return {name: _stored(Product._meta.fields[name], value) for name, value in values.items()}


def _wanted_barcodes(doc: dict, stored: bool = True) -> dict[str, Decimal]:
    as_stored = _stored if stored else _same
    return {b["code"]: as_stored(Barcode.pack_qty, Decimal(b.get("pack_qty", "1"))) for b in doc.get("barcodes", [])}


def _wanted_prices(doc: dict, stored: bool = True) -> list[tuple]:
    as_stored = _stored if stored else _same
    prices = [(as_stored(Price.amount, Decimal(p["amount"])), p["currency"],
               as_stored(Price.valid_from, clock.parse(p["valid_from"]) if p.get("valid_from") else _EPOCH),
               as_stored(Price.valid_to, _opt_time(p.get("valid_to"))))
              for p in doc["prices"]]
    return sorted(prices, key=_price_order)


def _price_order(price: tuple) -> tuple:
    return (price[2], price[0], price[1], price[3] or dt.datetime.max)


def _state(row: dict, barcodes: dict[str, Decimal], prices: list[tuple]) -> tuple:
    """What counts as a change to a product a terminal shows: not `updated_at`."""
    return (tuple(row.get(f) for f in _PRODUCT_FIELDS), row.get("tax_rate"), tuple(sorted(barcodes.items())),
            tuple(prices))


_COLUMNS = [Product._meta.fields[name] for name in (*_PRODUCT_FIELDS, "tax_rate", "updated_at")]
_BARCODE_COLUMNS = [Barcode.code, Barcode.product, Barcode.pack_qty]
_PRICE_COLUMNS = [Price.product, Price.amount, Price.currency, Price.valid_from, Price.valid_to]


def _move_code(query: peewee.Insert) -> peewee.Insert:
    # A code another product had moves to this one, as head office says.
    return query.on_conflict(conflict_target=[Barcode.code], update={
        Barcode.product: peewee.EXCLUDED.product_id, Barcode.pack_qty: peewee.EXCLUDED.pack_qty})


def apply_products(docs: list[dict]) -> list[str]:
    """Upsert a page's products with their barcodes and prices in a few bulk statements.

    Reads the page's existing products, barcodes and prices once, compares them in memory with the
    documents and writes only what differs: new products in bulk, changed rows one by one,
    barcodes and prices replaced per product that needs it. A document applied again writes
    nothing. Returns the SKUs of products that existed and changed (not counting `updated_at`).
    """
    by_sku = {doc["sku"]: doc for doc in docs}  # a later document for the same SKU wins
    if not by_sku:
        return []
    names = [f.name for f in _COLUMNS]
    existing = {row[1]: dict(zip(["id", "sku", *names], row, strict=True))
                for row in bulk.select_in([Product.id, Product.sku, *_COLUMNS], Product.sku, list(by_sku))}

    defaults = {f.name: f.default() if callable(f.default) else f.default for f in _COLUMNS}
    wanted = {sku: _wanted_row(doc, stored=sku in existing) for sku, doc in by_sku.items()}
    new = [sku for sku in by_sku if sku not in existing]
    bulk.insert_rows("product", [Product.sku, *_COLUMNS],
                     [[sku, *(defaults | wanted[sku]).values()] for sku in new])
    ids = {sku: row["id"] for sku, row in existing.items()}
    ids.update((sku, pid) for sku, pid in bulk.select_in([Product.sku, Product.id], Product.sku, new))

    have_codes: dict[int, dict[str, tuple[int, Decimal]]] = {}
    have_prices: dict[int, list[tuple]] = {}
    old_ids = list(ids[sku] for sku in existing)
    for bid, pid, code, pack in bulk.select_in([Barcode.id, Barcode.product, Barcode.code, Barcode.pack_qty],
                                               Barcode.product, old_ids):
        have_codes.setdefault(pid, {})[code] = (bid, pack)
    for pid, *price in bulk.select_in(_PRICE_COLUMNS, Price.product, old_ids):
        have_prices.setdefault(pid, []).append(tuple(price))

    changed: list[str] = []
    drop_codes: list[int] = []
    put_codes: dict[str, tuple[int, Decimal]] = {}
    reprice: list[int] = []
    new_prices: list[tuple] = []
    for sku, doc in by_sku.items():
        old = existing.get(sku)
        # A new product has nothing to compare with: its values go in as they are.
        pid, want_row, want_codes = ids[sku], wanted[sku], _wanted_barcodes(doc, stored=old is not None)
        codes = {code: pack for code, (_, pack) in have_codes.get(pid, {}).items()}
        prices = sorted(have_prices.get(pid, []), key=_price_order)
        want_prices = _wanted_prices(doc, stored=old is not None) if "prices" in doc else prices
        if old is not None:
            if any(old[name] != value for name, value in want_row.items()):
                Product.update(**want_row).where(Product.id == pid).execute()
            if _state(old, codes, prices) != _state(old | want_row, want_codes, want_prices):
                changed.append(sku)
        drop_codes += [bid for code, (bid, _) in have_codes.get(pid, {}).items() if code not in want_codes]
        put_codes.update({code: (pid, pack) for code, pack in want_codes.items() if codes.get(code) != pack})
        if want_prices != prices:
            if old is not None:
                reprice.append(pid)
            new_prices += [(pid, *price) for price in want_prices]

    bulk.delete_in(Barcode.id, drop_codes)
    bulk.insert_rows("barcode_upsert", _BARCODE_COLUMNS,
                     [(code, pid, pack) for code, (pid, pack) in put_codes.items()], _move_code)
    bulk.delete_in(Price.product, reprice)
    bulk.insert_rows("price", _PRICE_COLUMNS, new_prices)
    return changed


def upsert_user(doc: dict) -> None:
    user = User.get_or_none(User.code == doc["code"])
    if doc.get("deleted"):
        if user is not None:
            User.update(active=False).where(User.id == user.id).execute()
        return
    values = {"name": doc["name"], "role": doc["role"], "pin_hash": doc["pin_hash"], "active": doc.get("active", True),
              "discount_limit_pct": doc.get("discount_limit_pct", 10)}
    if user is None:
        User.create(code=doc["code"], **values)
    else:
        # Failed attempts and lockout are this counter's own business; they are not overwritten.
        User.update(**values).where(User.id == user.id).execute()


def _location(code: str) -> Location:
    location = Location.get_or_none(Location.code == code)
    if location is None:
        raise DomainError(f"Unknown location {code!r} in a document from head office.")
    return location


def _product(sku: str) -> Product:
    product = Product.get_or_none(Product.sku == sku)
    if product is None:
        raise DomainError(f"Unknown product {sku!r} in a document from head office.")
    return product


def upsert_delivery(doc: dict) -> None:
    delivery = Delivery.get_or_none(Delivery.number == doc["number"])
    if delivery is not None and delivery.status == DONE:
        return  # received here already: what was booked here stands
    values = {"location": _location(doc["location"]), "supplier": doc.get("supplier", ""),
              "expected_at": _opt_time(doc.get("expected_at")), "status": doc.get("status", "open")}
    if delivery is None:
        delivery = Delivery.create(number=doc["number"], **values)
    else:
        Delivery.update(**values).where(Delivery.id == delivery.id).execute()
        DeliveryLine.delete().where(DeliveryLine.delivery == delivery).execute()
    for line in doc.get("lines", []):
        DeliveryLine.create(delivery=delivery, product=_product(line["sku"]), expected=Decimal(line["expected"]))


def upsert_transfer(doc: dict) -> None:
    """A transfer on its way here, or one head office has seen booked in.

    The lines never change once sent. Booked in, head office's figures stand here too: it keeps
    the first booking that reached it, which may be another terminal's (this one's was refused).
    """
    transfer = Transfer.get_or_none(Transfer.number == doc["number"])
    received = doc.get("status") == "received"
    if transfer is None:
        transfer = Transfer.create(number=doc["number"], source=_location(doc["source"]),
                                   destination=_location(doc["destination"]), status=doc.get("status", "sent"),
                                   sent_at=clock.parse(doc["sent_at"]), sent_by=doc.get("sent_by", ""),
                                   received_at=_opt_time(doc.get("received_at")))
        for line in doc.get("lines", []):
            TransferLine.create(transfer=transfer, product=_product(line["sku"]), lot=line.get("lot", ""),
                                quantity=Decimal(line["quantity"]),
                                expiry=dt.date.fromisoformat(line["expiry"][:10]) if line.get("expiry") else None,
                                received=Decimal(line.get("received") or 0) if received else Decimal(0))
        return
    if not received:
        return  # sent, as far as head office knows: a booking made here is on its way
    Transfer.update(status="received", received_at=_opt_time(doc.get("received_at")) or transfer.received_at).where(
        Transfer.id == transfer.id).execute()
    for line in doc.get("lines", []):
        TransferLine.update(received=Decimal(line.get("received") or 0)).where(
            (TransferLine.transfer == transfer) & (TransferLine.product == _product(line["sku"]))
            & (TransferLine.lot == line.get("lot", ""))).execute()


def upsert_order(doc: dict) -> tuple[str, str, str] | None:
    """An order head office allocated here; a cancellation while picking asks for a put-back."""
    order = Order.get_or_none(Order.number == doc["number"])
    status = doc.get("status", "ordered")
    if order is None:
        order = Order.create(
            number=doc["number"], kind=doc.get("kind", "sale"), channel=doc.get("channel", "web"),
            location=_location(doc["location"]) if doc.get("location") else None, status=status,
            currency=doc["currency"], subtotal=Decimal(doc.get("subtotal", "0")),
            discount=Decimal(doc.get("discount", "0")), tax=Decimal(doc.get("tax", "0")),
            total=Decimal(doc.get("total", "0")), user=doc.get("user") or "",
            created_at=clock.parse(doc["created_at"]) if doc.get("created_at") else clock.now())
        for position, line in enumerate(doc.get("lines", []), 1):
            OrderLine.create(order=order, position=position, product=_product(line["sku"]), sku=line["sku"],
                             name=line.get("name", ""), quantity=Decimal(line["quantity"]),
                             unit_price=Decimal(line.get("unit_price", "0")), discount=Decimal(line.get("discount", "0")),
                             total=Decimal(line.get("total", "0")), lot=line.get("lot", ""))
        OrderStatusChange.create(order=order, status=status, at=clock.now(), by="HQ", note="from head office")
        return None
    if status == order.status:
        return None
    rank = STATUSES.index
    if status == CANCELLED:
        was = order.status
        set_status(order, CANCELLED, by="HQ", note="cancelled at head office")
        if was in (PICKING, PACKED):
            return (attention.PUT_BACK, order.number,
                    f"Order {order.number} was cancelled at head office while it was {was}: "
                    f"put the picked goods back on the shelf.")
        return None
    if status in STATUSES and order.status in STATUSES and rank(status) > rank(order.status) \
            and order.status != CANCELLED:
        set_status(order, status, by="HQ", note="from head office")
    return None
