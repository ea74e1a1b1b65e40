"""Deterministic data for the counter app tests: a store, two users, a few bilingual products."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.catalog import Barcode, Price, Product
from models.people import CLERK, SUPERVISOR, create_user
from models.places import Location
from models.scan import VariableMeasureRule
from models.store import ensure_terminal
from tests.factories import ean13

FIXED_NOW = dt.datetime(2026, 3, 2, 10, 30)

JUICE = ean13("400638133393")  # 4006381333931
TEA = ean13("690123456789")
RICE = ean13("692000000001")
VITAMIN = ean13("400000000002")
TEA_CASE = "1" + ean13("690123456789")[:-1]  # GTIN-14 of a case of 6, check digit below


def gtin14(body13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body13))
    return body13 + str((10 - total % 10) % 10)


TEA_CASE = gtin14("1690123456789")
CHEESE_PLU = "12345"
# Scale labels: 20 + 5-digit item + 5-digit weight in grams + EAN check.
SCALE_RULE = VariableMeasureRule(prefixes=("20",), item_digits=5, value_digits=5, value_kind="weight",
                                 decimals=3)


def cheese_label(grams: int) -> str:
    return ean13(f"20{CHEESE_PLU}{grams:05d}")


PRODUCTS = [
    # sku, name, name_zh, price, barcode, flags
    ("JUICE1", "Apple juice 1L", "苹果汁 1升", "2.50", JUICE, {}),
    ("TEA1", "Green tea", "绿茶", "3.20", TEA, {}),
    ("RICE5", "Rice 5kg", "东北大米 5公斤", "12.00", RICE, {}),
    ("VITC", "Vitamin C 60", "维生素C 60粒", "5.00", VITAMIN, {"track_lot": True}),
    ("CHEESE", "Gouda by weight", "高达奶酪 称重", "20.00", CHEESE_PLU,
     {"weight_priced": True, "unit": "kg", "unit_precision": 3}),
    ("NOPRICE", "Sample, not for sale", "样品", None, None, {}),
]


def seed() -> None:
    ensure_terminal("T01", "STORE1", location_name="Store One", currency="EUR")
    Location.update(name="Store One").where(Location.code == "STORE1").execute()
    create_user("1001", "Ann Clerk", "1234", CLERK)
    create_user("2001", "Sam Supervisor", "2345", SUPERVISOR)
    for sku, name, name_zh, price, barcode, flags in PRODUCTS:
        product = Product.create(sku=sku, name=name, name_zh=name_zh, updated_at=FIXED_NOW, **flags)
        if price:
            Price.create(product=product, amount=Decimal(price), currency="EUR")
        if barcode:
            Barcode.create(code=barcode.zfill(14) if barcode.isdigit() and len(barcode) > 7 else barcode,
                           product=product)
    Barcode.create(code=TEA_CASE, product=Product.get(Product.sku == "TEA1"), pack_qty=Decimal(6))
