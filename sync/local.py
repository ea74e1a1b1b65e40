"""The terminal applies what head office sent: one pull page in one transaction, cursor included.

Documents are applied as upserts keyed by code, so applying a page twice (a crash after the
commit but before the next request) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from models import attention, bulk, clock
from models.catalog import Product
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

from .catalogue import apply_products


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
    names = ("name", "name_zh", "kind", "currency", "address")
    have = {code: (lid, dict(zip(names, rest, strict=True))) for lid, code, *rest in bulk.select_in(
        [Location.id, Location.code, Location.name, Location.name_zh, Location.kind, Location.currency,
         Location.address], Location.code, [doc["code"] for doc in docs])}
    for doc in docs:
        values = {"name": doc.get("name") or doc["code"], "name_zh": doc.get("name_zh", ""),
                  "kind": doc.get("kind", "store"), "currency": doc.get("currency", "EUR"),
                  "address": doc.get("address", "")}
        known = have.get(doc["code"])
        if known is None:
            have[doc["code"]] = (Location.create(code=doc["code"], **values).id, values)
        # Pages name a location whenever they carry its levels: write only what changed.
        elif known[1] != values:
            Location.update(**values).where(Location.id == known[0]).execute()
            have[doc["code"]] = (known[0], values)


def _opt_time(value: str | None) -> dt.datetime | None:
    return clock.parse(value) if value else None


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
