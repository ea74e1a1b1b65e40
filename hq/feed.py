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

from models import clock
from models.bulk import in_list
from models.db import db
from models.fields import QuantityField
from models.ledger import EventData, StockEvent
from models.ops.selling import order_document
from models.orders import Order
from models.people import User
from models.places import Location
from models.statements import Slot, Statement, as_model, chunks
from models.stock_docs import Delivery, Transfer
from sync.wire import delivery_doc, location_doc, product_docs, transfer_doc, user_doc

from . import changelog
from .changelog import Cursor
from .models import TerminalCredential

MAX_PAGE = 2000


_EVENTS_SQL = ("SELECT e.id, l.code, p.sku, e.quantity, e.kind, e.occurred_at, e.bin, e.lot, e.expiry, e.reason, "
               "e.terminal, e.{user}, e.reference, e.received_at, e.scope FROM stock_event AS e "
               "JOIN location AS l ON l.id = e.location_id JOIN product AS p ON p.id = e.product_id "
               "WHERE {ids} AND e.location_id = {param} AND e.terminal <> {param} ORDER BY e.id")


def _events(ids: list[str], location_id: int, terminal: str) -> list[dict]:
    """The payloads of the page's events at this location, except the asking terminal's own.

    Read as tuples with location and product joined in, from SQL written out: one query per
    chunk, no query building and no model instances (a page may carry thousands of events).
    """
    rows: list[tuple] = []
    for part in chunks(ids):
        condition, params = in_list("e.id", part)
        sql = _EVENTS_SQL.format(user=db.quote[0] + "user" + db.quote[1], ids=condition, param=db.param)
        rows += db.execute_sql(sql, [*params, location_id, terminal]).fetchall()
    rows.sort(key=lambda row: row[0])
    docs = []
    for row in rows:
        eid, loc, sku, qty, kind, at, bin_, lot, expiry, reason, term, user, ref, received, scope = (
            convert(value) if convert is not None and value is not None else value
            for convert, value in zip(_EVENT_CONVERTERS, row, strict=True))
        docs.append(EventData(id=eid, location=loc, sku=sku, quantity=qty, kind=kind, occurred_at=at, bin=bin_,
                              lot=lot, expiry=expiry, reason=reason, terminal=term, user=user, reference=ref,
                              scope=scope).payload()
                    | {"received_at": clock.iso(received) if received else None})
    return docs


# Driver values to Python ones, per column of _EVENTS_SQL (None: the driver's value is the one).
_EVENT_CONVERTERS = (None, None, None, StockEvent.quantity.python_value, None, StockEvent.occurred_at.python_value,
                     None, None, StockEvent.expiry.python_value, None, None, None, None,
                     StockEvent.received_at.python_value, None)


def _levels(level_keys: list[tuple[int, str]]) -> tuple[list[tuple[int, str, Decimal, Decimal]], set[int]]:
    """(location id, sku, on hand, available) per key whose product exists, in one statement; and
    the location ids asked for. On hand and reserved are summed over bins and lots."""
    if not level_keys:
        return [], set()
    location_ids = sorted({loc for loc, _ in level_keys})
    skus = sorted({sku for _, sku in level_keys})
    # One statement for three answers: which SKUs exist, their stock, their reservations.
    parts, params = [], []
    for tag, table, amount in (("h", "stock_level", "on_hand"), ("r", "reservation", "quantity")):
        locs, loc_params = in_list("t.location_id", location_ids)
        names, sku_params = in_list("p.sku", skus)
        parts.append(f"SELECT '{tag}', t.location_id, p.sku, SUM(t.{amount}) FROM {table} AS t "
                     f"JOIN product AS p ON p.id = t.product_id WHERE {locs} AND {names} GROUP BY t.location_id, p.sku")
        params += loc_params + sku_params
    names, sku_params = in_list("sku", skus)
    parts.append(f"SELECT 'p', NULL, sku, NULL FROM product WHERE {names}")
    params += sku_params
    on_hand: dict[tuple[int, str], int] = {}
    reserved: dict[tuple[int, str], int] = {}
    known: set[str] = set()
    for tag, loc, sku, total in db.execute_sql(" UNION ALL ".join(parts), params).fetchall():
        if tag == "p":
            known.add(sku)
        else:
            (on_hand if tag == "h" else reserved)[(loc, sku)] = int(total)
    levels = []
    for key in level_keys:
        if key[1] not in known:
            continue
        have = on_hand.get(key, 0)
        levels.append((*key, _quantity(have), _quantity(have - reserved.get(key, 0))))
    return levels, set(location_ids)


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
    location = _terminal_location(cred)
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

    # Each kind is read only if the page names some: most pages of a busy chain carry a few events
    # and levels, and an empty pull reads nothing but the log.
    codes = set(keys.get("location", []))
    deliveries = [delivery_doc(d) for d in Delivery.select().where(
        Delivery.number.in_(keys["delivery"]) & (Delivery.location == location))] if "delivery" in keys else []
    transfers = [transfer_doc(t) for t in Transfer.select().where(
        Transfer.number.in_(keys["transfer"]) & (Transfer.destination == location))] if "transfer" in keys else []
    # Orders that came from a terminal are that terminal's own; the feed carries the ones head
    # office allocated here (web, marketplace) and what became of them.
    orders = [order_document(o) for o in Order.select().where(
        Order.number.in_(keys["order"]) & (Order.location == location) & (Order.terminal == ""))
        ] if "order" in keys else []
    events = _events(keys.get(changelog.EVENT, []), location.id, cred.code)
    referenced: set[str] = set()
    for doc in deliveries + transfers + orders + events:
        referenced.update(line["sku"] for line in doc.get("lines", []))
        if "sku" in doc:
            referenced.add(doc["sku"])
    for doc in transfers:
        codes.update((doc["source"], doc["destination"]))

    level_rows, level_locations = _levels(keys.get(changelog.LEVEL, []))
    places = _locations(codes, level_locations)
    levels = [{"location": places[loc].code, "sku": sku, "on_hand": str(have), "available": str(free)}
              for loc, sku, have, free in level_rows if loc in places]

    users = []
    if "user" in keys:
        found = {user.code: user for user in User.select().where(User.code.in_(keys["user"]))}
        users = [user_doc(found[code]) if code in found else {"code": code, "deleted": True} for code in keys["user"]]
    products = product_docs(_products_to_send(keys.get("product", []), referenced, cursor, more))
    named = codes | {places[loc].code for loc, *_ in level_rows if loc in places}
    locations = [location_doc(loc) for loc in sorted(places.values(), key=lambda loc: loc.code) if loc.code in named]
    return {
        "cursor": str(cursor), "more": more,
        "changes": {"locations": locations, "products": products, "users": users, "deliveries": deliveries,
                    "transfers": transfers, "orders": orders, "events": events, "levels": levels},
        "counts": {"log_rows": len(changes)},
    }


def _locations(codes: set[str], ids: set[int]) -> dict[int, Location]:
    """The locations named by code or id, by id (a chain has few: one query, not chunked)."""
    if not codes and not ids:
        return {}
    by_code, code_params = in_list("code", sorted(codes) or [""])
    by_id, id_params = in_list("id", sorted(ids) or [0])
    cursor = db.execute_sql(f"SELECT id, code, name, kind, currency, address FROM location WHERE {by_code} OR {by_id}",
                            [*code_params, *id_params])
    return {row[0]: as_model(Location, cursor, row) for row in cursor.fetchall()}


def _terminal_location(cred: TerminalCredential) -> Location:
    """The terminal's location (only its id and code are used), from `authenticate` if it looked."""
    location_id = getattr(cred, "location_id", None)
    if location_id is not None:
        return Location(id=location_id, code=cred.location_code)
    cursor = _location_by_code.execute(code=cred.location_code)
    row = cursor.fetchone()
    if row is None:
        raise Location.DoesNotExist(f"Terminal {cred.code}'s location {cred.location_code} is gone.")
    return as_model(Location, cursor, row)


_location_by_code = Statement(lambda: Location.select().where(Location.code == Slot("code")))
