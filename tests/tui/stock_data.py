"""Deterministic shop data for the stock screen tests: fixed times, fixed codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.catalog import Product, product_by_sku
from models.context import Actor
from models.ledger import COUNT, RECEIPT, EventData, post_event
from models.places import Location
from models.stock_docs import Delivery, DeliveryLine
from tests import factories as f

T0 = dt.datetime(2025, 3, 1, 9, 0)
MILK = f.ean13("400638133393")  # 4006381333931
BREAD = f.ean13("590123412345")
CHEESE = f.ean13("871234567890")
GTIN_CHEESE14 = "0" + CHEESE


def shop() -> Actor:
    """Store STORE1 (terminal T01, clerk C1), warehouse WH1, a supervisor S1/9999, three products."""
    actor = f.actor()
    f.actor(terminal="W01", location="WH1", kind="warehouse", user_code="C2")
    Location.update(name="Warehouse").where(Location.code == "WH1").execute()
    f.supervisor()
    f.product("MILK1", price="1.19", barcode=MILK, category="Dairy")
    f.product("BREAD1", price="2.40", barcode=BREAD, category="Bakery")
    f.product("CHEESE1", price="4.99", barcode=CHEESE, category="Dairy", track_lot=True, track_expiry=True)
    for sku, name in (("MILK1", "Whole milk 1L"), ("BREAD1", "Rye bread"), ("CHEESE1", "Gouda young")):
        Product.update(name=name).where(Product.sku == sku).execute()
    return actor


def stock(location: str, sku: str, quantity: str, *, lot: str = "", expiry: dt.date | None = None,
          bin: str = "", at: dt.datetime = T0, kind: str = RECEIPT) -> None:
    post_event(EventData(location=location, sku=sku, quantity=Decimal(quantity), kind=kind, occurred_at=at,
                         lot=lot, expiry=expiry, bin=bin, reference="seed"))


def counted(location: str, sku: str, quantity: str, **kw) -> None:
    stock(location, sku, quantity, kind=COUNT, **kw)


def delivery(number: str = "D-100", lines: tuple[tuple[str, str], ...] = (("MILK1", "10"), ("BREAD1", "5")),
             location: str = "STORE1") -> Delivery:
    d = Delivery.create(number=number, location=f.location(location), supplier="Dairy Co", expected_at=T0)
    for sku, q in lines:
        DeliveryLine.create(delivery=d, product=product_by_sku(sku), expected=Decimal(q))
    return d
