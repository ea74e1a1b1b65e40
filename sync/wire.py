"""What travels between terminal and head office: JSON documents keyed by codes, gzip bodies.

Both halves import this module, so a document is written and read by the same definitions.
Database ids never travel (they differ per store); SKUs, location codes, numbers and event ids do.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal
from typing import Any

from models import clock
from models.catalog import Barcode, Price, Product
from models.people import User
from models.places import Location
from models.stock_docs import Delivery, Transfer

API = "/v1"
SERVER_TIME_HEADER = "X-Server-Time"
PUSH_KINDS = ("stock_event", "order", "transfer")


def dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=_default).encode()


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return clock.iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def gzip_json(data: Any) -> bytes:
    # Level 6 is gzip's default: most of the size win for little CPU on a till.
    return gzip.compress(dumps(data), compresslevel=6)


def read_body(raw: bytes, encoding: str | None) -> Any:
    if (encoding or "").strip().lower() == "gzip":
        raw = gzip.decompress(raw)
    return json.loads(raw or b"null")


def _iso(value: dt.datetime | None) -> str | None:
    return clock.iso(clock.parse(value)) if value else None


def product_doc(product: Product, barcodes: list[Barcode] | None = None, prices: list[Price] | None = None) -> dict:
    """A product with its barcodes and prices (read here unless the caller prefetched them)."""
    if barcodes is None:
        barcodes = list(Barcode.select().where(Barcode.product == product).order_by(Barcode.code))
    if prices is None:
        prices = list(Price.select().where(Price.product == product).order_by(Price.valid_from, Price.id))
    return {
        "sku": product.sku, "name": product.name, "name_zh": product.name_zh, "category": product.category,
        "unit": product.unit, "unit_precision": product.unit_precision, "track_lot": product.track_lot,
        "track_serial": product.track_serial, "track_expiry": product.track_expiry,
        "weight_priced": product.weight_priced, "tax_rate": str(product.tax_rate), "active": product.active,
        "updated_at": _iso(product.updated_at),
        "barcodes": [{"code": b.code, "pack_qty": str(b.pack_qty)} for b in barcodes],
        "prices": [{"amount": str(p.amount), "currency": p.currency, "valid_from": _iso(p.valid_from),
                    "valid_to": _iso(p.valid_to)} for p in prices],
    }


def product_docs(skus: list[str], chunk: int = 1000) -> list[dict]:
    """The documents of many products in three queries per chunk (products, barcodes, prices), by SKU."""
    docs = []
    ordered = sorted(set(skus))
    for start in range(0, len(ordered), chunk):
        products = list(Product.select().where(Product.sku.in_(ordered[start:start + chunk])).order_by(Product.sku))
        ids = [p.id for p in products]
        barcodes: dict[int, list[Barcode]] = {}
        for b in Barcode.select().where(Barcode.product.in_(ids)).order_by(Barcode.code):
            barcodes.setdefault(b.product_id, []).append(b)
        prices: dict[int, list[Price]] = {}
        for p in Price.select().where(Price.product.in_(ids)).order_by(Price.valid_from, Price.id):
            prices.setdefault(p.product_id, []).append(p)
        docs += [product_doc(p, barcodes.get(p.id, []), prices.get(p.id, [])) for p in products]
    return docs


def user_doc(user: User) -> dict:
    # The PIN hash travels so a terminal can log people in while offline; it is argon2id, so a
    # stolen terminal store does not hand out PINs cheaply.
    return {"code": user.code, "name": user.name, "role": user.role, "pin_hash": user.pin_hash,
            "active": user.active, "discount_limit_pct": user.discount_limit_pct}


def location_doc(location: Location) -> dict:
    return {"code": location.code, "name": location.name, "kind": location.kind,
            "currency": location.currency, "address": location.address}


def delivery_doc(delivery: Delivery) -> dict:
    return {
        "number": delivery.number, "location": delivery.location.code, "supplier": delivery.supplier,
        "expected_at": _iso(delivery.expected_at), "status": delivery.status,
        "lines": [{"sku": line.product.sku, "expected": str(line.expected), "received": str(line.received)}
                  for line in delivery.lines],
    }


def transfer_doc(transfer: Transfer) -> dict:
    return {
        "number": transfer.number, "source": transfer.source.code, "destination": transfer.destination.code,
        "status": transfer.status, "sent_at": _iso(transfer.sent_at), "sent_by": transfer.sent_by,
        "received_at": _iso(transfer.received_at),
        "lines": [{"sku": line.product.sku, "lot": line.lot, "quantity": str(line.quantity),
                   "received": str(line.received)} for line in transfer.lines],
    }
