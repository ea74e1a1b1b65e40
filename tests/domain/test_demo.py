from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest

from models import demo
from models.catalog import Barcode, Product, current_price, find_by_code
from models.db import db
from models.ledger import StockEvent, StockLevel, verify_levels
from models.outbox import OutboxEntry
from models.people import Customer, authenticate
from models.places import Bin, Location, Terminal
from models.scan import interpret
from models.stock_docs import OPEN, Delivery
from models.store import open_store
from tests.factories import ean13

CJK = re.compile(r"[\u4e00-\u9fff]")


def mod10_ok(code: str) -> bool:
    """GS1 check written out independently: odd positions from the right weigh 3."""
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (total + check) % 10 == 0


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    database = open_store(tmp_path_factory.mktemp("demo") / "demo.db")
    started = time.perf_counter()
    summary = demo.seed_demo()
    elapsed = time.perf_counter() - started
    yield summary, elapsed
    database.close()
    db.initialize(None)


def test_seeds_about_two_thousand_products_quickly(seeded):
    summary, elapsed = seeded
    assert summary.products == Product.select().count() == 2000
    assert elapsed < 20  # a few seconds on a normal machine; generous for a busy CI box
    assert Location.get(Location.code == "STORE1").kind == "store"
    assert Location.get(Location.code == "WH1").kind == "warehouse"
    assert Terminal.get(Terminal.code == "T01").location.code == "STORE1"
    assert Terminal.get(Terminal.code == "W01").location.code == "WH1"
    assert Bin.select().join(Location).where(Location.code == "WH1").count() > 10


def test_every_ean13_is_valid_and_outside_the_in_store_range(seeded):
    eans = [b.code for b in Barcode.select().where(Barcode.pack_qty == 1) if len(b.code) == 14]
    assert len(eans) > 1500
    for code in eans:
        assert code[0] == "0"
        assert ean13(code[1:13]) == code[1:], code
        assert mod10_ok(code[1:]), code
        assert not code[1:3].isdigit() or not 20 <= int(code[1:3]) <= 29, code
    # Products name each EAN once.
    assert len(set(eans)) == len(eans)


def test_case_barcodes_are_gtin14_with_realistic_pack_sizes(seeded):
    packs = list(Barcode.select().where(Barcode.pack_qty > 1))
    assert len(packs) >= 100
    assert {p.pack_qty for p in packs} <= {6, 12, 20, 24}
    for pack in packs:
        assert len(pack.code) == 14 and pack.code[0] == "1" and mod10_ok(pack.code), pack.code
        product, qty = find_by_code(pack.code)
        assert product.id == pack.product_id and qty == pack.pack_qty


def test_weight_priced_goods_sell_by_kg_through_scale_labels(seeded):
    weighed = list(Product.select().where(Product.weight_priced == True))  # noqa: E712
    assert len(weighed) >= 100
    for p in weighed:
        assert (p.unit, p.unit_precision) == ("kg", 3)
        assert current_price(p).currency == "EUR"
    lookup = Barcode.get(Barcode.product == weighed[0])
    assert re.fullmatch(r"21\d{5}", lookup.code)
    label = demo.scale_label(lookup.code[2:], Decimal("0.735"))
    scan = interpret(label, variable_measure=[demo.SCALE_RULE])
    assert scan.kind == "variable_measure" and scan.weight == Decimal("0.735")
    assert find_by_code(demo.scale_lookup_code(scan.item_code))[0].id == weighed[0].id


def test_names_are_bilingual_and_priced_in_eur_with_tax(seeded):
    products = list(Product.select())
    assert all(CJK.search(p.name_zh) for p in products)
    assert all(p.name and p.category for p in products)
    assert {p.tax_rate for p in products} == {Decimal(7), Decimal(19)}
    assert len({p.category for p in products}) >= 12
    oat = Product.select().where(Product.name.contains("Oat Milk 1L")).first()
    assert oat is not None and "燕麦奶 1升" in oat.name_zh
    prices = [current_price(p).amount for p in products[:200]]
    assert all(isinstance(a, Decimal) and Decimal("0.19") <= a < 100 for a in prices)


def test_lot_tracked_goods_have_lots_with_future_expiry(seeded):
    tracked = Product.select().where(Product.track_lot == True)  # noqa: E712
    assert tracked.count() >= 100
    categories = {p.category for p in tracked}
    assert {"Dairy & Eggs", "Pharmacy"} <= categories
    events = StockEvent.select().join(Product).where(Product.track_lot == True)  # noqa: E712
    assert events.count() > 0
    today = dt.date.today()
    for event in events:
        assert event.lot and event.expiry and event.expiry > today


def test_opening_stock_went_through_the_ledger_and_verifies_clean(seeded):
    assert verify_levels() == []
    events = StockEvent.select().count()
    assert events > 2000
    assert OutboxEntry.select().where(OutboxEntry.kind == "stock_event").count() == events
    assert StockLevel.select().where(StockLevel.on_hand > 0).count() > 2000


def test_logins_deliveries_and_customers(seeded):
    for code, pin, role, _ in demo.DEMO_LOGINS:
        assert authenticate(code, pin).role == role
    assert (demo.CLERK_CODE, demo.CLERK_PIN) == ("1001", "1234")
    store_deliveries = Delivery.select().join(Location).where((Location.code == "STORE1") & (Delivery.status == OPEN))
    assert store_deliveries.count() == 2
    assert all(d.lines.count() > 0 for d in store_deliveries)
    assert Customer.select().count() >= 5


def test_second_run_seeds_nothing(seeded):
    before = (Product.select().count(), StockEvent.select().count(), Customer.select().count())
    assert demo.seed_demo() is None
    assert (Product.select().count(), StockEvent.select().count(), Customer.select().count()) == before


def test_catalogue_is_deterministic_for_a_seed():
    first = [(i.sku, i.en, i.zh, i.ean, i.cents) for i in demo.build_catalogue(300, seed=7)]
    again = [(i.sku, i.en, i.zh, i.ean, i.cents) for i in demo.build_catalogue(300, seed=7)]
    other = [(i.sku, i.en, i.zh, i.ean, i.cents) for i in demo.build_catalogue(300, seed=8)]
    assert first == again != other
    with pytest.raises(ValueError):
        demo.build_catalogue(demo.available_products() + 1)
