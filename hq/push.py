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
from models.bulk import select_in
from models.catalog import Product, product_by_sku
from models.db import db, is_postgres
from models.errors import Conflict, DomainError
from models.ledger import COUNT, EventData, post_events
from models.ops.transfers import booked_elsewhere, bookings, second_bookings
from models.places import Location
from models.stock_docs import Transfer, TransferLine
from sync.catalogue import apply_products

from . import hqclock, intake
from .limits import Limits
from .models import PushRejection, TerminalCredential
from .orders import schedule
from .push_orders import apply_new_orders, apply_order

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
        arrived = {event.sku for event, result in zip(events.values(), stored, strict=True)
                   if result is True and (event.quantity > 0 or event.kind == COUNT)}
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
    if arrived:  # backordered orders may be placed now (after the commit: the run sees the stock)
        schedule.stock_arrived(db.obj, arrived)
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
    if kind == "order":
        apply_order(payload, cred)
    elif kind == "transfer":
        apply_transfer(payload, cred.code)
    else:
        raise DomainError(f"Unknown outbox kind {kind!r}: this head office takes stock_event, order, transfer, "
                          f"product.")


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
