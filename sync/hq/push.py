"""Head office takes in what a terminal pushed: each item idempotently, in its own transaction.

An item is accepted if it was applied now or had been applied before with the same content (so a
resend after a lost response is harmless), and rejected with a reason otherwise. A rejection is
recorded in `push_rejection`; the terminal files it under "needs attention".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from models import clock
from models.bulk import in_list, insert_values, select_in
from models.catalog import Product, product_by_sku
from models.db import db, is_postgres
from models.errors import Conflict, DomainError
from models.ledger import EventData, StockEvent, post_event, post_events
from models.ops.selling import order_document
from models.ops.transfers import booked_elsewhere, bookings, second_bookings
from models.orders import CANCELLED, Order, OrderLine, OrderStatusChange, Tender, order_by_number, set_status
from models.people import Customer
from models.places import Location
from models.statements import chunks
from models.stock_docs import Transfer, TransferLine

from ..catalogue import apply_products
from . import hqclock, intake
from .limits import Limits
from .models import PushRejection, TerminalCredential

log = logging.getLogger("counter.hq")


@dataclass
class PushOutcome:
    accepted: list[str] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected}


def read_items(cred: TerminalCredential, items: list, limits: Limits) -> tuple[list[dict | None], dict[int, DomainError]]:
    """Every item read through the push door (`intake`): the readable ones in wire form (None in the
    place of a refused one), and the refusals by index. Quantities must also fit their product's unit."""
    now = hqclock.now()
    read: list[dict | None] = []
    errors: dict[int, DomainError] = {}
    docs: dict[int, intake.Document] = {}
    for index, raw in enumerate(items):
        try:
            kind, ref, doc = intake.read_item(raw, now=now, limits=limits)
            try:
                intake.claims(kind, doc, cred.code, cred.location_code)
            except DomainError:
                log.warning("forbidden location", extra={"fields": {
                    "event": "forbidden_location", "terminal": cred.code, "terminal_location": cred.location_code,
                    "item_kind": kind, "ref": ref}})
                raise
        except DomainError as exc:
            errors[index] = exc
            read.append(None)
            continue
        docs[index] = doc
        # A stock event goes to the ledger as its document; the rest on in wire form.
        payload = doc if isinstance(doc, intake.StockEventDoc) else intake.wire(doc)
        read.append({"kind": kind, "ref": ref, "payload": payload})
    for index, problem in _units_refused(docs).items():
        errors[index], read[index] = problem, None
    return read, errors


def _quantities(doc: intake.Document) -> list[tuple[str, Decimal]]:
    if isinstance(doc, intake.StockEventDoc):
        return [(doc.sku, doc.quantity)]
    if isinstance(doc, intake.OrderDoc | intake.TransferDoc):
        return [(line.sku, line.quantity) for line in doc.lines]
    return []


def _units_refused(docs: dict[int, intake.Document]) -> dict[int, DomainError]:
    """Items with a quantity finer than its product's unit (0.0001 of a whole-unit product)."""
    wanted = {sku for doc in docs.values() for sku, _ in _quantities(doc)}
    places = dict(select_in([Product.sku, Product.unit_precision], Product.sku, sorted(wanted)))
    refused = {}
    for index, doc in docs.items():
        for sku, qty in _quantities(doc):
            digits = places.get(sku)
            if digits is not None and qty != qty.quantize(Decimal(1).scaleb(-digits)):
                refused[index] = DomainError("{sku} takes at most {places} decimals, not {quantity}.", sku=sku,
                                             places=digits, quantity=qty)
                break
    return refused


def apply_batch(cred: TerminalCredential, items: list, limits: Limits | None = None) -> PushOutcome:
    """Apply a batch in one transaction: documents each in its own savepoint, stock events together.

    One commit per batch, not per item: a commit waits for the disk, and 200 of them per batch were
    most of a push's time. A refused item writes nothing (a document rolls back its savepoint; the
    ledger refuses an event before writing it); the answer is sent only after the commit, so an
    acknowledged item is durable.
    """
    raw_items = items
    items, errors = read_items(cred, raw_items, limits or Limits())
    outcome = PushOutcome()
    events: dict[int, EventData] = {}
    with _batch_transaction(cred) as lock_location:
        # Products first: a terminal's own catalogue, sent once at enrolment, before what sold them.
        errors.update(take_products([(index, item["payload"]) for index, item in enumerate(items)
                                     if item and item["kind"] == "product"]))
        orders = [(index, item["payload"]) for index, item in enumerate(items) if item and item["kind"] == "order"]
        # New orders go in together; what is left (a resend, a status change) goes one by one below.
        # They touch no row another terminal's batch touches, so they go in before the location's
        # lock: the lock is held for the stock part only, and the location's batches queue less.
        rest, order_errors = apply_new_orders(orders, cred)
        errors.update(order_errors)
        lock_location()
        for index, item in enumerate(items):
            if item is None or index in errors:
                continue
            kind = item["kind"]
            if (kind == "order" and index not in rest) or kind == "product":
                continue
            try:
                if kind == "stock_event":
                    events[index] = intake.event_data(item["payload"])
                else:
                    with db.atomic():
                        _apply(kind, item["payload"], cred)
            except DomainError as exc:
                errors[index] = exc
            except (peewee.IntegrityError, ValueError, KeyError, TypeError, ArithmeticError) as exc:
                # Read and typed, yet the store would not take it: refused alone, logged for us.
                log.exception("item not applied", extra={"fields": {"event": "push_item_failed", "kind": kind}})
                errors[index] = DomainError("{kind} {ref} could not be applied ({error}).", kind=kind,
                                            ref=item["ref"], error=type(exc).__name__)
        indexes = list(events)
        for position, conflict in second_bookings(list(events.values())).items():
            errors[indexes[position]] = conflict
            del events[indexes[position]]
        # The ledger takes the batch's events together: the fold does not depend on their order.
        stored = post_events(list(events.values()), received_at=hqclock.now())
        for index, result in zip(events, stored, strict=True):
            if isinstance(result, DomainError):
                errors[index] = result
        for index, raw in enumerate(raw_items):
            kind, ref = _kind_and_ref(raw)
            exc = errors.get(index)
            if exc is None:
                outcome.accepted.append(ref)
                continue
            reason = str(exc)
            outcome.rejected.append({"index": index, "ref": ref, "kind": kind, "reason": reason,
                                     "conflict": isinstance(exc, Conflict)})
            _record_rejection(cred, kind, ref, reason, raw.get("payload") if isinstance(raw, dict) else raw)
    return outcome


@contextlib.contextmanager
def _batch_transaction(cred: TerminalCredential) -> Iterator[Callable[[], None]]:
    """The batch's transaction; yields what takes the location's lock (call it before stock work)."""
    if not is_postgres():
        # Take the write lock up front: a deferred transaction that read first may not be allowed
        # to start writing later (SQLITE_BUSY without waiting). Writers are serial: no lock needed.
        with db.atomic("IMMEDIATE"):
            yield lambda: None
        return

    def lock_location() -> None:
        # Batches of one location touch the same level rows in whatever order their items come,
        # and a count rebuilds a level from the events it can see: taking the location's lock
        # queues them instead of letting them deadlock or miss each other's events.
        db.execute_sql("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCATION_LOCK, cred.location_code))

    with db.atomic():
        yield lock_location


_LOCATION_LOCK = 0x5C  # the first key of the advisory lock: "push batch of a location"


def _kind_and_ref(raw: object) -> tuple[str, str]:
    """The item's kind and ref as far as they read, cut to their columns, to name it in a rejection."""
    if not isinstance(raw, dict):
        return "", ""
    kind, ref = raw.get("kind"), raw.get("ref")
    return (intake.excerpt(kind)[:16] if not isinstance(kind, str) else kind[:16],
            intake.excerpt(ref)[:64] if not isinstance(ref, str) else ref[:64])


def _clean_text(text: str) -> str:
    # What a store can hold whatever was sent: no NUL bytes, no lone surrogates.
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


REJECTION_EXCERPT = 2000  # characters of a refused item's payload kept for the record


def _record_rejection(cred: TerminalCredential, kind: str, ref: str, reason: str, payload: object) -> None:
    log.info("rejected", extra={"fields": {"event": "push_rejected", "terminal": cred.code, "kind": kind,
                                           "ref": ref, "reason": reason}})
    with db.atomic():
        seen = PushRejection.get_or_none((PushRejection.terminal == cred.code) & (PushRejection.ref == ref)
                                         & (PushRejection.reason == reason))
        if seen is None:
            kept = json.dumps(payload, default=str, ensure_ascii=False)
            if len(kept) > REJECTION_EXCERPT:
                kept = kept[:REJECTION_EXCERPT] + f"... ({len(kept)} characters in all)"
            PushRejection.create(terminal=cred.code, kind=kind, ref=_clean_text(ref), reason=_clean_text(reason)[:2000],
                                 payload=_clean_text(kept), received_at=hqclock.now())


def take_products(entries: list[tuple[int, dict]]) -> dict[int, DomainError]:
    """Take in the products head office does not know yet; one it knows is accepted unchanged.

    Head office owns the catalogue: a terminal's copy of a known product changes nothing here (the
    terminal gets head office's version in its pull). A new SKU comes in whole, so the sales and
    stock the terminal booked against it are accepted. Returns the refusals by index.
    """
    errors: dict[int, DomainError] = {}
    readable: dict[str, tuple[int, dict]] = {}
    for index, doc in entries:
        sku = doc.get("sku")
        if not isinstance(sku, str) or not sku.strip() or not isinstance(doc.get("name"), str):
            errors[index] = DomainError("A product document needs its sku and name.")
            continue
        readable[sku] = (index, doc)
    known = {sku for (sku,) in select_in([Product.sku], Product.sku, sorted(readable))}
    for sku, (index, doc) in readable.items():
        if sku in known:
            continue
        try:
            with db.atomic():
                apply_products([doc])
        except (KeyError, ValueError, TypeError, ArithmeticError, peewee.IntegrityError) as exc:
            errors[index] = DomainError(f"Product {sku} could not be taken in: {exc}.")
    return errors


def _apply(kind: str, payload: dict, cred: TerminalCredential) -> None:
    if kind == "stock_event":
        apply_event(payload)
    elif kind == "order":
        apply_order(payload, cred)
    elif kind == "transfer":
        apply_transfer(payload, cred.code)
    else:
        raise DomainError(f"Unknown outbox kind {kind!r}: this head office takes stock_event, order, transfer, "
                          f"product.")


def apply_event(payload: dict) -> bool:
    """The one ledger rule (`post_event`), plus the time head office took the event in."""
    data = EventData.from_payload(payload)
    if post_event(data):
        StockEvent.update(received_at=hqclock.now()).where(StockEvent.id == data.id).execute()
        return True
    return False


def _order_fingerprint(doc: dict) -> tuple:
    """What may not change once an order exists: its kind, place, money and lines (not its status)."""
    def dec(value: object) -> Decimal:
        return Decimal(str(value or 0)).normalize()
    lines = sorted((str(li.get("sku")), dec(li.get("quantity")), dec(li.get("total")), str(li.get("lot") or ""))
                   for li in doc.get("lines", []))
    return (doc.get("kind"), doc.get("location"), doc.get("currency"), dec(doc.get("total")), tuple(lines))


def apply_order(doc: dict, cred: TerminalCredential) -> None:
    number = str(doc.get("number") or "")
    if not number:
        raise DomainError("An order without a number cannot be filed.")
    existing = order_by_number(number)
    if existing is not None:
        if _order_fingerprint(order_document(existing)) != _order_fingerprint(doc):
            raise Conflict(f"Order {number} was already recorded with different lines or totals.")
        status = doc.get("status")
        if status and status != existing.status:
            if existing.status == CANCELLED:
                raise Conflict(f"Order {number} was cancelled at head office; its status {status!r} was not applied.")
            set_status(existing, status, by=str(doc.get("user") or ""), note=f"from terminal {cred.code}")
        return
    location = Location.get_or_none(Location.code == doc.get("location")) if doc.get("location") else None
    original = order_by_number(doc["original"]) if doc.get("original") else None
    customer = Customer.get_or_none(Customer.code == doc["customer"]) if doc.get("customer") else None
    created_at = clock.parse(doc["created_at"]) if doc.get("created_at") else hqclock.now()
    order = Order.create(
        number=number, kind=doc.get("kind", "sale"), channel=doc.get("channel", "counter"), location=location,
        terminal=str(doc.get("terminal") or cred.code), user=str(doc.get("user") or ""), customer=customer,
        status=doc.get("status", "ordered"), currency=doc["currency"], subtotal=Decimal(doc.get("subtotal", 0)),
        discount=Decimal(doc.get("discount", 0)), tax=Decimal(doc.get("tax", 0)), total=Decimal(doc.get("total", 0)),
        original=original, created_at=created_at,
    )
    for position, line in enumerate(doc.get("lines", []), 1):
        OrderLine.create(
            order=order, position=position, product=product_by_sku(line["sku"]), sku=line["sku"],
            name=line.get("name", ""), quantity=Decimal(line["quantity"]), unit_price=Decimal(line.get("unit_price", 0)),
            discount=Decimal(line.get("discount", 0)), total=Decimal(line.get("total", 0)), lot=line.get("lot", ""),
            reason=line.get("reason", ""), condition=line.get("condition", ""))
    for tender in doc.get("tenders", []):
        Tender.create(order=order, kind=tender["kind"], amount=Decimal(tender["amount"]),
                      reference=tender.get("reference", ""), change=Decimal(tender.get("change", 0)))
    OrderStatusChange.create(order=order, status=order.status, at=created_at, by=order.user,
                             note=f"received from terminal {cred.code}")


_ORDER_FIELDS = (Order.number, Order.kind, Order.channel, Order.location, Order.terminal, Order.user,
                 Order.customer, Order.status, Order.currency, Order.subtotal, Order.discount, Order.tax,
                 Order.total, Order.original, Order.created_at)
_LINE_FIELDS = (OrderLine.order, OrderLine.position, OrderLine.product, OrderLine.sku, OrderLine.name,
                OrderLine.quantity, OrderLine.unit_price, OrderLine.discount, OrderLine.total, OrderLine.lot,
                OrderLine.reason, OrderLine.condition)
_TENDER_FIELDS = (Tender.order, Tender.kind, Tender.amount, Tender.reference, Tender.change)
_HISTORY_FIELDS = (OrderStatusChange.order, OrderStatusChange.status, OrderStatusChange.at, OrderStatusChange.by,
                   OrderStatusChange.note)


def apply_new_orders(entries: list[tuple[int, dict]], cred: TerminalCredential,
                     ) -> tuple[set[int], dict[int, DomainError]]:
    """File the batch's new orders with one statement per table instead of ~10 per order.

    Writes exactly what `apply_order` writes for a new order. Returns the indexes left to
    `apply_order` (orders head office has already, a number twice in the batch, a return of an order
    in this batch, or all of them if the bulk insert is refused), and the refusals (unknown product).
    """
    if not entries:
        return set(), {}
    numbers = {str(doc.get("number") or "") for _, doc in entries}
    found = _ids_by_code({
        "order": sorted(numbers | {str(doc["original"]) for _, doc in entries if doc.get("original")}),
        "location": sorted({doc["location"] for _, doc in entries if doc.get("location")}),
        "customer": sorted({doc["customer"] for _, doc in entries if doc.get("customer")}),
        "product": sorted({str(line.get("sku")) for _, doc in entries for line in doc.get("lines", [])}),
    })
    originals, locations, customers, products = (found["order"], found["location"], found["customer"],
                                                  found["product"])
    known = numbers & set(originals)

    rest: set[int] = set()
    errors: dict[int, DomainError] = {}
    taken: set[str] = set()
    new: list[tuple[int, dict, tuple]] = []
    for index, doc in entries:
        number = str(doc.get("number") or "")
        original = doc.get("original")
        if (not number or number in known or number in taken
                or (original and (original in numbers or original not in originals))):
            rest.add(index)
            continue
        try:
            row = _new_order_row(doc, cred, locations, customers, originals, products)
        except DomainError as exc:
            errors[index] = exc
            continue
        taken.add(number)
        new.append((index, doc, row))
    if new:
        # One filed meanwhile by another request (a resend crossing its first attempt) is left out
        # of the insert, and the slow path compares it item by item.
        filed = _insert_orders(new, products, cred)
        rest.update(index for index, _, row in new if row[0] not in filed)
    return rest, errors


# table -> its code column, for `_ids_by_code`
_CODES = {"order": (Order, Order.number), "location": (Location, Location.code),
          "customer": (Customer, Customer.code), "product": (Product, Product.sku)}


def _ids_by_code(wanted: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Ids by code for several tables in one statement (a push batch asks all of them every time)."""
    found: dict[str, dict[str, int]] = {table: {} for table in wanted}
    parts, params = [], []
    for table, codes in wanted.items():
        if not codes:
            continue
        model, column = _CODES[table]
        for chunk_ in chunks(codes):
            condition, values = in_list(column.column_name, chunk_)
            parts.append(f"SELECT '{table}', {column.column_name}, id FROM \"{model._meta.table_name}\" "
                         f"WHERE {condition}")
            params += values
    if parts:
        for table, code, ident in db.execute_sql(" UNION ALL ".join(parts), params).fetchall():
            found[table][code] = ident
    return found


def _new_order_row(doc: dict, cred: TerminalCredential, locations: dict[str, int], customers: dict[str, int],
                   originals: dict[str, int], products: dict[str, int]) -> tuple:
    for line in doc.get("lines", []):
        if line["sku"] not in products:
            product_by_sku(line["sku"])  # raises its NotFound
    location = locations.get(doc.get("location")) if doc.get("location") else None
    customer = customers.get(doc["customer"]) if doc.get("customer") else None
    original = originals.get(doc["original"]) if doc.get("original") else None
    created_at = clock.parse(doc["created_at"]) if doc.get("created_at") else hqclock.now()
    return (str(doc["number"]), doc.get("kind", "sale"), doc.get("channel", "counter"), location,
            str(doc.get("terminal") or cred.code), str(doc.get("user") or ""), customer,
            doc.get("status", "ordered"), doc["currency"], Decimal(doc.get("subtotal", 0)),
            Decimal(doc.get("discount", 0)), Decimal(doc.get("tax", 0)), Decimal(doc.get("total", 0)), original,
            created_at)


def _insert_orders(new: list[tuple[int, dict, tuple]], products: dict[str, int], cred: TerminalCredential,
                   ) -> set[str]:
    """Insert the orders with their lines, tenders and first history row; returns the numbers filed."""
    ids = dict(insert_values(_ORDER_FIELDS, [row for _, _, row in new], returning=(Order.number, Order.id),
                             skip_conflicts=True))
    lines, tenders, history = [], [], []
    for _, doc, row in new:
        order_id = ids.get(row[0])
        if order_id is None:
            continue
        lines += [(order_id, position, products[line["sku"]], line["sku"], line.get("name", ""),
                   Decimal(line["quantity"]), Decimal(line.get("unit_price", 0)), Decimal(line.get("discount", 0)),
                   Decimal(line.get("total", 0)), line.get("lot", ""), line.get("reason", ""),
                   line.get("condition", "")) for position, line in enumerate(doc.get("lines", []), 1)]
        tenders += [(order_id, tender["kind"], Decimal(tender["amount"]), tender.get("reference", ""),
                     Decimal(tender.get("change", 0))) for tender in doc.get("tenders", [])]
        history.append((order_id, row[7], row[14], row[5], f"received from terminal {cred.code}"))
    insert_values(_LINE_FIELDS, lines)
    insert_values(_TENDER_FIELDS, tenders)
    insert_values(_HISTORY_FIELDS, history)
    return set(ids)


def apply_transfer(doc: dict, terminal: str) -> None:
    """Record a transfer document `terminal` sent: new, or a known one now booked in."""
    number = str(doc.get("number") or "")
    source = Location.get_or_none(Location.code == doc.get("source"))
    destination = Location.get_or_none(Location.code == doc.get("destination"))
    if not number or source is None or destination is None:
        raise DomainError(f"Transfer {number or '?'} names an unknown location ({doc.get('source')} -> "
                          f"{doc.get('destination')}).")
    lines = [(product_by_sku(li["sku"]), str(li.get("lot") or ""), Decimal(str(li["quantity"])),
              Decimal(str(li["received"])) if li.get("received") is not None else None,
              dt.date.fromisoformat(str(li["expiry"])[:10]) if li.get("expiry") else None)
             for li in doc.get("lines", [])]
    transfer = Transfer.get_or_none(Transfer.number == number)
    if doc.get("status") == "received" and (transfer is None or transfer.status != "received"):
        conflict = booked_elsewhere(number, terminal, bookings([number]))
        if conflict is not None:
            raise conflict
    if transfer is None:
        transfer = Transfer.create(number=number, source=source, destination=destination,
                                   status=doc.get("status", "sent"), sent_by=str(doc.get("sent_by") or ""),
                                   sent_at=clock.parse(doc["sent_at"]) if doc.get("sent_at") else hqclock.now())
        for product, lot, quantity, received, expiry in lines:
            TransferLine.create(transfer=transfer, product=product, lot=lot, quantity=quantity,
                                received=received or Decimal(0), expiry=expiry)
    else:
        have = sorted((tl.product.sku, tl.lot, tl.quantity.normalize()) for tl in transfer.lines)
        want = sorted((p.sku, lot, q.normalize()) for p, lot, q, _, _ in lines)
        if have != want or transfer.source_id != source.id or transfer.destination_id != destination.id:
            raise Conflict(f"Transfer {number} was already recorded with different lines or locations.")
    if doc.get("status") == "received" and transfer.status != "received":
        for product, lot, _, received, _ in lines:
            if received is not None:
                TransferLine.update(received=received).where(
                    (TransferLine.transfer == transfer) & (TransferLine.product == product)
                    & (TransferLine.lot == lot)).execute()
        Transfer.update(status="received", received_at=clock.parse(doc["received_at"]) if doc.get("received_at")
                        else hqclock.now()).where(Transfer.id == transfer.id).execute()
