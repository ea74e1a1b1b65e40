"""Head office builds a pull page: the current state of everything the change log names.

A page carries documents, not diffs: applying a document twice, or an older one after a newer one
has been applied by a later page, converges on head office's current state.

Products are the bulk of a page, so each is sent once per pull where possible:

* a product whose change-log rows fall on this page is sent here, unless a later visible row names
  it again (a catalogue import logs the product, then its barcodes, then its prices): the page
  holding its last row sends its then-current document;
* a product that a page's events, deliveries, transfers or orders refer to is sent here too, unless
  the terminal already has it: it has it when no visible row after the cursor the terminal sent
  names it, because then the page holding its last row was applied before (see `_products_to_send`).
"""

from __future__ import annotations

import time
from decimal import Decimal

import peewee

from models import clock
from models.catalog import Product
from models.fields import QuantityField
from models.hq import Reservation
from models.ledger import EventData, StockEvent, StockLevel
from models.ops.selling import order_document
from models.orders import Order
from models.people import User
from models.places import Location
from models.stock_docs import Delivery, Transfer

from ..wire import delivery_doc, location_doc, product_docs, transfer_doc, user_doc
from . import changelog
from .changelog import Cursor
from .models import TerminalCredential

MAX_PAGE = 2000


def event_payload(row: StockEvent) -> dict:
    data = EventData(
        id=row.id, location=row.location.code, sku=row.product.sku, quantity=row.quantity, kind=row.kind,
        occurred_at=row.occurred_at, bin=row.bin, lot=row.lot, expiry=row.expiry, reason=row.reason,
        terminal=row.terminal, user=row.user, reference=row.reference)
    return data.payload() | {"received_at": clock.iso(row.received_at) if row.received_at else None}


def _events(ids: list[str], location: Location, terminal: str) -> list[dict]:
    # Location and product joined in: one query, not two lazy loads per event.
    rows = (StockEvent.select(StockEvent, Location, Product).join(Location).switch(StockEvent).join(Product)
            .where(StockEvent.id.in_(ids) & (StockEvent.location == location) & (StockEvent.terminal != terminal))
            .order_by(StockEvent.id))
    return [event_payload(e) for e in rows]


def _levels(level_keys: list[tuple[int, str]]) -> list[dict]:
    """On hand and available per (location, sku), summed in two grouped queries."""
    if not level_keys:
        return []
    locations = {loc.id: loc for loc in Location.select().where(Location.id.in_({i for i, _ in level_keys}))}
    products = dict(Product.select(Product.sku, Product.id).where(Product.sku.in_({s for _, s in level_keys})).tuples())
    wanted_products = set(products.values())
    on_hand = dict(((loc, pid), int(total)) for loc, pid, total in StockLevel.select(
        StockLevel.location, StockLevel.product, peewee.fn.SUM(StockLevel.on_hand)).where(
        StockLevel.location.in_(list(locations)) & StockLevel.product.in_(list(wanted_products))).group_by(
        StockLevel.location, StockLevel.product).tuples())
    reserved = dict(((loc, pid), int(total)) for loc, pid, total in Reservation.select(
        Reservation.location, Reservation.product, peewee.fn.SUM(Reservation.quantity)).where(
        Reservation.location.in_(list(locations)) & Reservation.product.in_(list(wanted_products))).group_by(
        Reservation.location, Reservation.product).tuples())
    levels = []
    for loc_id, sku in level_keys:
        loc, pid = locations.get(loc_id), products.get(sku)
        if loc is None or pid is None:
            continue
        have = on_hand.get((loc_id, pid), 0)
        levels.append({"location": loc.code, "sku": sku, "on_hand": str(_quantity(have)),
                       "available": str(_quantity(have - reserved.get((loc_id, pid), 0)))})
    return levels


def _quantity(scaled: int) -> Decimal:
    # SUM over a QuantityField comes back as the stored scaled integer.
    return Decimal(int(scaled)) / QuantityField.scale


def _products_to_send(changed: list[str], referenced: set[str], end: Cursor, more: bool) -> list[str]:
    """Which products this page must carry (see the module docstring for why this never misses one).

    `later` = products with a visible change-log row after this page. A changed product in `later`
    will be sent by a later page with a document at least as new. A referenced product the
    terminal might lack is one with a row on this page or later; one with no row after the
    terminal's cursor had its last row on an earlier page, which sent it (nothing after that row
    was visible when that page was built either, visibility only grows), and the terminal applied
    that page before asking for this one.
    """
    changed_set = set(changed)
    # The last page had nothing visible after it, so nothing is deferred.
    later = changelog.products_changed_after(end, changed_set | referenced) if more else set()
    send = {sku for sku in changed_set if sku not in later}
    send |= {sku for sku in referenced if sku in changed_set or sku in later}
    return sorted(send)


SKIP_BUDGET_ROWS = 100_000  # log rows one request may read past while its pages come out empty
SKIP_BUDGET_S = 2.0


def build_page(cred: TerminalCredential, after: Cursor, limit: int) -> dict:
    """The next page for `cred` after `after`; `limit` log rows, or more when those send nothing.

    A page that would carry no document at all (a catalogue import's product and barcode rows whose
    products a later row names again) is not sent: the next one is built from its cursor in the same
    request, exactly as the terminal would have asked for it, until a page carries something, the
    log ends, or the request has read `SKIP_BUDGET_ROWS` rows or spent `SKIP_BUDGET_S`.
    """
    limit = max(1, min(limit, MAX_PAGE))
    changelog.refresh_statistics()
    location = Location.get(Location.code == cred.location_code)
    started, read = time.monotonic(), 0
    while True:
        page = _build_one(cred, location, after, limit)
        read += page["counts"]["log_rows"]
        if (not page["more"] or any(page["changes"].values()) or read >= SKIP_BUDGET_ROWS
                or time.monotonic() - started >= SKIP_BUDGET_S):
            page["counts"]["log_rows"] = read
            return page
        after = Cursor.parse(page["cursor"])


def _build_one(cred: TerminalCredential, location: Location, after: Cursor, limit: int) -> dict:
    changes, more = changelog.pending(after, location.id, limit)
    buckets: dict[str, dict] = {}  # entity -> keys in log order, each once (a dict keeps order)
    for change in changes:
        key = (change.location_id, change.key) if change.entity == changelog.LEVEL else change.key
        buckets.setdefault(change.entity, {})[key] = None
    keys = {entity: list(bucket) for entity, bucket in buckets.items()}
    cursor = Cursor(changes[-1].xid, changes[-1].id) if changes else after

    codes = set(keys.get("location", []))
    deliveries = [delivery_doc(d) for d in Delivery.select().where(
        Delivery.number.in_(keys.get("delivery", [])) & (Delivery.location == location))]
    transfers = [transfer_doc(t) for t in Transfer.select().where(
        Transfer.number.in_(keys.get("transfer", [])) & (Transfer.destination == location))]
    # Orders that came from a terminal are that terminal's own; the feed carries the ones head
    # office allocated here (web, marketplace) and what became of them.
    orders = [order_document(o) for o in Order.select().where(
        Order.number.in_(keys.get("order", [])) & (Order.location == location) & (Order.terminal == ""))]
    events = _events(keys.get(changelog.EVENT, []), location, cred.code)
    referenced: set[str] = set()
    for doc in deliveries + transfers + orders + events:
        referenced.update(line["sku"] for line in doc.get("lines", []))
        if "sku" in doc:
            referenced.add(doc["sku"])
    for doc in transfers:
        codes.update((doc["source"], doc["destination"]))

    levels = _levels(keys.get(changelog.LEVEL, []))
    codes.update(level["location"] for level in levels)

    users = []
    for code in keys.get("user", []):
        user = User.get_or_none(User.code == code)
        users.append(user_doc(user) if user else {"code": code, "deleted": True})
    products = product_docs(_products_to_send(keys.get("product", []), referenced, cursor, more))
    locations = [location_doc(loc) for loc in Location.select().where(Location.code.in_(sorted(codes)))]
    return {
        "cursor": str(cursor), "more": more,
        "changes": {"locations": locations, "products": products, "users": users, "deliveries": deliveries,
                    "transfers": transfers, "orders": orders, "events": events, "levels": levels},
        "counts": {"log_rows": len(changes)},
    }
