"""What travels between terminal and head office: JSON documents keyed by codes, gzip bodies.

Both halves import this module, so a document is written and read by the same definitions.
Database ids never travel (they differ per store); SKUs, location codes, numbers and event ids do.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
from decimal import Decimal
from typing import Any

import orjson

from models import clock
from models.bulk import select_in
from models.catalog import Barcode, Price, Product
from models.ops.transfers import transfer_document
from models.people import User
from models.places import Location
from models.stock_docs import Delivery, Transfer

API = "/v1"
SERVER_TIME_HEADER = "X-Server-Time"
PUSH_KINDS = ("stock_event", "order", "transfer", "product")


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON. orjson, not the standard library: a 2,000-product pull page took 15 ms
    to write and 8 ms to read there, 1 ms and 3.5 ms here."""
    return orjson.dumps(data, default=_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return clock.iso(value)  # always with microseconds, as every document's times are written
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def gzip_json(data: Any) -> bytes:
    # Level 6 is gzip's default: most of the size win for little CPU on a till.
    return gzip.compress(dumps(data), compresslevel=6)


def read_body(raw: bytes, encoding: str | None) -> Any:
    if (encoding or "").strip().lower() == "gzip":
        raw = gzip.decompress(raw)
    return orjson.loads(raw or b"null")


def _iso(value: dt.datetime | str | None) -> str | None:
    return _iso_of(value) if value else None


@functools.lru_cache(maxsize=4096)
def _iso_of(value: dt.datetime | str) -> str:
    # Remembered: a catalogue's products and prices share a handful of times (the import that
    # stamped them), and writing each one again was a tenth of building a pull page.
    return clock.iso(clock.parse(value))


_PRODUCT_COLUMNS = (Product.sku, Product.name, Product.name_zh, Product.category, Product.category_zh, Product.unit,
                    Product.unit_precision, Product.track_lot, Product.track_serial, Product.track_expiry,
                    Product.weight_priced, Product.tax_rate, Product.active, Product.updated_at)


def product_docs(skus: list[str], chunk: int = 1000) -> list[dict]:
    """The documents of many products, in SKU order, with three queries per chunk.

    Rows are read as tuples, not model instances: a page may carry thousands of products and
    building instances would cost more than the queries.
    """
    docs = []
    ordered = sorted(set(skus))
    for start in range(0, len(ordered), chunk):
        rows = select_in((Product.id, *_PRODUCT_COLUMNS), Product.sku, ordered[start:start + chunk],
                         order_by=(Product.sku,))
        ids = [row[0] for row in rows]
        barcodes: dict[int, list[dict]] = {}
        for pid, code, pack in select_in((Barcode.product, Barcode.code, Barcode.pack_qty), Barcode.product, ids,
                                         order_by=(Barcode.code,)):
            barcodes.setdefault(pid, []).append({"code": code, "pack_qty": str(pack)})
        prices: dict[int, list[dict]] = {}
        for pid, amount, currency, since, until in select_in(
                (Price.product, Price.amount, Price.currency, Price.valid_from, Price.valid_to), Price.product, ids,
                order_by=(Price.valid_from, Price.id)):
            prices.setdefault(pid, []).append({"amount": str(amount), "currency": currency,
                                               "valid_from": _iso(since), "valid_to": _iso(until)})
        for (pid, sku, name, name_zh, category, category_zh, unit, precision, lot, serial, expiry, weight, tax,
             active, updated) in rows:
            docs.append({
                "sku": sku, "name": name, "name_zh": name_zh, "category": category, "category_zh": category_zh,
                "unit": unit,
                "unit_precision": precision, "track_lot": lot, "track_serial": serial, "track_expiry": expiry,
                "weight_priced": weight, "tax_rate": str(tax), "active": active, "updated_at": _iso(updated),
                "barcodes": barcodes.get(pid, []), "prices": prices.get(pid, []),
            })
    return docs


def user_doc(user: User) -> dict:
    # The PIN hash travels so a terminal can log people in while offline; it is argon2id, so a
    # stolen terminal store does not hand out PINs cheaply.
    return {"code": user.code, "name": user.name, "role": user.role, "pin_hash": user.pin_hash,
            "active": user.active, "discount_limit_pct": user.discount_limit_pct}


def location_doc(location: Location) -> dict:
    return {"code": location.code, "name": location.name, "name_zh": location.name_zh, "kind": location.kind,
            "currency": location.currency, "address": location.address}


def delivery_doc(delivery: Delivery) -> dict:
    return {
        "number": delivery.number, "location": delivery.location.code, "supplier": delivery.supplier,
        "expected_at": _iso(delivery.expected_at), "status": delivery.status,
        "lines": [{"sku": line.product.sku, "expected": str(line.expected), "received": str(line.received)}
                  for line in delivery.lines],
    }


def transfer_doc(transfer: Transfer) -> dict:
    return transfer_document(transfer)
