"""Head office builds a pull page: the current state of everything the change log names.

A page carries documents, not diffs: applying a document twice, or an older one after a newer one
has been applied by a later page, converges on head office's current state. Products and
locations a page's documents refer to are included even if they did not change, so a terminal can
apply any page on its own.
"""

from __future__ import annotations

from models import clock
from models.catalog import Product
from models.hq import available
from models.ledger import EventData, StockEvent, on_hand
from models.ops.selling import order_document
from models.orders import Order
from models.people import User
from models.places import Location
from models.stock_docs import Delivery, Transfer

from ..wire import delivery_doc, location_doc, product_doc, transfer_doc, user_doc
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


def build_page(cred: TerminalCredential, after: Cursor, limit: int) -> dict:
    limit = max(1, min(limit, MAX_PAGE))
    location = Location.get(Location.code == cred.location_code)
    changes, more = changelog.pending(after, location.id, limit)
    keys: dict[str, list] = {}
    for change in changes:
        key = (change.location_id, change.key) if change.entity == changelog.LEVEL else change.key
        bucket = keys.setdefault(change.entity, [])
        if key not in bucket:
            bucket.append(key)

    skus = set(keys.get("product", []))
    codes = set(keys.get("location", []))
    deliveries = [delivery_doc(d) for d in Delivery.select().where(
        Delivery.number.in_(keys.get("delivery", [])) & (Delivery.location == location))]
    transfers = [transfer_doc(t) for t in Transfer.select().where(
        Transfer.number.in_(keys.get("transfer", [])) & (Transfer.destination == location))]
    # Orders that came from a terminal are that terminal's own; the feed carries the ones head
    # office allocated here (web, marketplace) and what became of them.
    orders = [order_document(o) for o in Order.select().where(
        Order.number.in_(keys.get("order", [])) & (Order.location == location) & (Order.terminal == ""))]
    events = [event_payload(e) for e in StockEvent.select().where(
        StockEvent.id.in_(keys.get(changelog.EVENT, [])) & (StockEvent.location == location)
        & (StockEvent.terminal != cred.code)).order_by(StockEvent.id)]
    for doc in deliveries + transfers + orders + events:
        skus.update(line["sku"] for line in doc.get("lines", []))
        if "sku" in doc:
            skus.add(doc["sku"])
    for doc in transfers:
        codes.update((doc["source"], doc["destination"]))

    level_keys = keys.get(changelog.LEVEL, [])
    level_locations = {loc.id: loc for loc in Location.select().where(
        Location.id.in_([loc_id for loc_id, _ in level_keys]))}
    level_products = {p.sku: p for p in Product.select().where(Product.sku.in_([s for _, s in level_keys]))}
    levels = []
    for loc_id, sku in level_keys:
        loc, product = level_locations.get(loc_id), level_products.get(sku)
        if loc is not None and product is not None:
            levels.append({"location": loc.code, "sku": sku, "on_hand": str(on_hand(loc, product)),
                           "available": str(available(loc, product))})
            codes.add(loc.code)

    users = []
    for code in keys.get("user", []):
        user = User.get_or_none(User.code == code)
        users.append(user_doc(user) if user else {"code": code, "deleted": True})
    products = [product_doc(p) for p in Product.select().where(Product.sku.in_(sorted(skus))).order_by(Product.sku)]
    locations = [location_doc(loc) for loc in Location.select().where(Location.code.in_(sorted(codes)))]
    cursor = Cursor(changes[-1].xid, changes[-1].id) if changes else after
    return {
        "cursor": str(cursor), "more": more,
        "changes": {"locations": locations, "products": products, "users": users, "deliveries": deliveries,
                    "transfers": transfers, "orders": orders, "events": events, "levels": levels},
        "counts": {"log_rows": len(changes)},
    }


