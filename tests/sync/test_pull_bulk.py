"""Pull pages applied in bulk: products sent once per pull, events on later pages, idempotent pages."""

from __future__ import annotations

import copy
from decimal import Decimal

import httpx

from models import attention, clock
from models.catalog import Barcode, Price, Product, product_by_sku
from models.hq import CURSOR, get_state
from models.ledger import RECEIPT, StockEvent, StockLevel, on_hand, verify_levels
from models.ops.recording import record_stock
from models.store import actor_for, ensure_terminal
from sync.local import apply_page
from sync.wire import API
from tests import factories
from tests.sync.conftest import at, enrolled


def _pages(hq, term, limit: int) -> list[dict]:
    """Every page from the terminal's cursor on, each applied as `sync.pull` would."""
    pages = []
    headers = {"Authorization": f"Bearer {term.cfg.sync_token}"}
    while True:
        answer = httpx.get(f"{hq.url}{API}/pull", params={"cursor": get_state(CURSOR), "limit": limit},
                           headers=headers)
        page = answer.json()
        apply_page(page, clock.parse(page["server_time"].rstrip("Z")))
        pages.append(page)
        if not page["more"]:
            return pages


def _seed_catalogue_then_stock(hq) -> None:
    """A catalogue import (products, then barcodes, then prices) and then another terminal's receipts."""
    with at(hq.database):
        products = [Product.create(sku=f"P{i}", name=f"Product {i}") for i in range(4)]
        for i, p in enumerate(products):
            Barcode.create(code=f"2{i:013d}", product=p)
        for p in products:
            Price.create(product=p, amount=Decimal("1.25"), currency="EUR")
        factories.user("C1")
        ensure_terminal("HQ-T", "STORE1")
        for i, p in enumerate(products):
            record_stock(actor_for("HQ-T", "C1"), p, Decimal(10 + i), RECEIPT)


def _snapshot() -> dict:
    return {
        "products": sorted(Product.select().tuples()),
        "barcodes": sorted(Barcode.select().tuples()),
        "prices": sorted(Price.select().tuples()),
        "events": sorted(StockEvent.select().tuples()),
        "levels": sorted(StockLevel.select().tuples()),
        "cursor": get_state(CURSOR),
    }


def test_events_on_a_later_page_use_products_sent_on_an_earlier_one(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    _seed_catalogue_then_stock(hq)
    with term:
        pages = _pages(hq, term, limit=3)
        sent = [sku for page in pages for sku in (p["sku"] for p in page["changes"]["products"])]
        assert sorted(sent) == ["P0", "P1", "P2", "P3"]  # each product once, not once per log row
        event_pages = [page for page in pages if page["changes"]["events"]]
        assert event_pages and not any(page["changes"]["products"] for page in event_pages)
        assert attention.open_count() == 0
        store = factories.location("STORE1")
        assert [on_hand(store, product_by_sku(f"P{i}")) for i in range(4)] == [10, 11, 12, 13]
        assert [b.code for b in product_by_sku("P2").barcodes] == ["20000000000002"]
        assert [p.amount for p in product_by_sku("P3").prices] == [Decimal("1.25")]
        assert verify_levels() == []


def test_a_product_changed_again_later_arrives_in_its_latest_state(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    _seed_catalogue_then_stock(hq)
    with at(hq.database):
        Product.update(name="Renamed").where(Product.sku == "P1").execute()
        Price.update(amount=Decimal("9.99")).where(Price.product == product_by_sku("P1")).execute()
    with term:
        _pages(hq, term, limit=2)
        p1 = product_by_sku("P1")
        assert p1.name == "Renamed" and [p.amount for p in p1.prices] == [Decimal("9.99")]
        assert on_hand(factories.location("STORE1"), p1) == 11


def test_applying_a_page_again_changes_nothing(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    _seed_catalogue_then_stock(hq)
    with term:
        pages = _pages(hq, term, limit=2000)
        assert len(pages) == 1 and len(pages[0]["changes"]["products"]) == 4
        before = _snapshot()
        again = apply_page(pages[0], clock.now())
        assert again.changed_skus == [] and again.attention == 0
        assert _snapshot() == before
        assert attention.open_count() == 0


def test_a_changed_document_reports_its_sku_and_moves_a_barcode(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    _seed_catalogue_then_stock(hq)
    with term:
        [page] = _pages(hq, term, limit=2000)
        edited = copy.deepcopy(page)
        docs = {doc["sku"]: doc for doc in edited["changes"]["products"]}
        docs["P0"]["prices"][0]["amount"] = "3.00"
        moved = docs["P1"]["barcodes"].pop()
        docs["P2"]["barcodes"].append(moved)
        edited["changes"]["events"] = []
        applied = apply_page(edited, clock.now())
        assert sorted(applied.changed_skus) == ["P0", "P1", "P2"]
        assert [p.amount for p in product_by_sku("P0").prices] == [Decimal("3")]
        assert Barcode.get(Barcode.code == moved["code"]).product.sku == "P2"
        assert list(product_by_sku("P1").barcodes) == []
        assert apply_page(edited, clock.now()).changed_skus == []
