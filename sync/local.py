"""The terminal applies what head office sent: one pull page in one transaction, cursor included.

Documents are applied as upserts keyed by code, so applying a page twice (a crash after the
commit but before the next request) changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from models import attention, clock
from models.catalog import Barcode, Price, Product
from models.db import db
from models.errors import Conflict, DomainError
from models.hq import CURSOR, set_state, store_remote_level
from models.ledger import EventData, post_event
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


def apply_page(page: dict, server_time: dt.datetime) -> Applied:
    """Apply one page and store its cursor, all or nothing."""
    changes = page.get("changes", {})
    applied = Applied()
    with db.atomic():
        for doc in changes.get("locations", []):
            upsert_location(doc)
            applied.bump("locations")
        for doc in changes.get("products", []):
            if upsert_product(doc):
                applied.changed_skus.append(doc["sku"])
            applied.bump("products")
        for doc in changes.get("users", []):
            upsert_user(doc)
            applied.bump("users")
        for kind, func in (("deliveries", upsert_delivery), ("transfers", upsert_transfer),
                           ("orders", upsert_order), ("events", apply_event)):
            for doc in changes.get(kind, []):
                try:
                    with db.atomic():
                        note = func(doc)
                except DomainError as exc:
                    note = (attention.REJECTED if isinstance(exc, Conflict) else attention.PULL_FAILED,
                            str(doc.get("id") or doc.get("number") or ""), str(exc))
                if note:
                    attention.add(*note, payload=json.dumps(doc, default=str))
                    applied.attention += 1
                applied.bump(kind)
        for doc in changes.get("levels", []):
            store_remote_level(doc["location"], doc["sku"], Decimal(doc["on_hand"]),
                               Decimal(doc.get("available", doc["on_hand"])), server_time)
            applied.bump("levels")
        set_state(CURSOR, page["cursor"])
    return applied


def upsert_location(doc: dict) -> Location:
    values = {"name": doc.get("name") or doc["code"], "kind": doc.get("kind", "store"),
              "currency": doc.get("currency", "EUR"), "address": doc.get("address", "")}
    location = Location.get_or_none(Location.code == doc["code"])
    if location is None:
        return Location.create(code=doc["code"], **values)
    Location.update(**values).where(Location.id == location.id).execute()
    return location


def _opt_time(value: str | None) -> dt.datetime | None:
    return clock.parse(value) if value else None


def upsert_product(doc: dict) -> bool:
    """Insert or update a product with its barcodes and prices; True if an existing one changed."""
    values = {name: doc[name] for name in _PRODUCT_FIELDS if name in doc}
    values["tax_rate"] = Decimal(doc.get("tax_rate", "0"))
    if doc.get("updated_at"):
        values["updated_at"] = clock.parse(doc["updated_at"])
    product = Product.get_or_none(Product.sku == doc["sku"])
    before = None
    if product is None:
        product = Product.create(sku=doc["sku"], **values)
    else:
        before = _product_state(product)
        Product.update(**values).where(Product.id == product.id).execute()
    codes = [b["code"] for b in doc.get("barcodes", [])]
    Barcode.delete().where((Barcode.product == product) & Barcode.code.not_in(codes)).execute()
    for b in doc.get("barcodes", []):
        Barcode.insert(code=b["code"], product=product, pack_qty=Decimal(b.get("pack_qty", "1"))).on_conflict(
            conflict_target=[Barcode.code],
            update={Barcode.product: product.id, Barcode.pack_qty: Decimal(b.get("pack_qty", "1"))}).execute()
    if "prices" in doc:
        Price.delete().where(Price.product == product).execute()
        for p in doc["prices"]:
            Price.create(product=product, amount=Decimal(p["amount"]), currency=p["currency"],
                         valid_from=clock.parse(p["valid_from"]) if p.get("valid_from") else dt.datetime(2000, 1, 1),
                         valid_to=_opt_time(p.get("valid_to")))
    return before is not None and _product_state(Product.get_by_id(product.id)) != before


def _product_state(product: Product) -> tuple:
    return (tuple(getattr(product, f) for f in _PRODUCT_FIELDS), product.tax_rate,
            tuple((b.code, b.pack_qty) for b in Barcode.select().where(Barcode.product == product).order_by(Barcode.code)),
            tuple((p.amount, p.currency, p.valid_from, p.valid_to)
                  for p in Price.select().where(Price.product == product).order_by(Price.valid_from, Price.amount)))


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
    transfer = Transfer.get_or_none(Transfer.number == doc["number"])
    if transfer is not None:
        return  # the lines never change once sent; receiving is done here
    transfer = Transfer.create(number=doc["number"], source=_location(doc["source"]),
                               destination=_location(doc["destination"]), status=doc.get("status", "sent"),
                               sent_at=clock.parse(doc["sent_at"]), sent_by=doc.get("sent_by", ""))
    for line in doc.get("lines", []):
        TransferLine.create(transfer=transfer, product=_product(line["sku"]), lot=line.get("lot", ""),
                            quantity=Decimal(line["quantity"]))


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


def apply_event(doc: dict) -> None:
    """Another terminal of this location moved stock: the same ledger rule folds it in here."""
    post_event(EventData.from_payload(doc))
