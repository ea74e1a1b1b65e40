"""Stock: on-hand quantities posted as count events with ids derived from the file's content."""

from __future__ import annotations

from decimal import Decimal

from models.catalog import Product
from models.importing import IMPORTED, REFUSED, run_import
from models.ledger import COUNT, SALE, StockEvent, on_hand, verify_levels
from models.ops.recording import record_stock
from models.people import User
from models.places import Location
from tests import factories

from .conftest import table_counts

GOOD = (
    "Location,SKU,Quantity,Bin\n"
    "STORE1,P1,10,A-01\n"
    "WH1,P1,4,\n"
    ",P2,7,\n"              # no location: the terminal's own
)


def level(location: str, sku: str) -> Decimal:
    return on_hand(Location.get(Location.code == location), Product.get(Product.sku == sku))


def test_quantities_become_count_events_by_the_import_user(shop, write):
    report = run_import("stock", write("stock.csv", GOOD))
    assert report.status == IMPORTED and report.created == 3
    assert (level("STORE1", "P1"), level("WH1", "P1"), level("STORE1", "P2")) == (10, 4, 7)
    events = list(StockEvent.select())
    assert {e.kind for e in events} == {COUNT}
    assert {(e.terminal, e.user, e.reference) for e in events} == {("T01", "import", report.reference)}
    assert report.reference.startswith("IMPORT-")
    assert report.changes[0].fields == {"on_hand": (Decimal(0), Decimal(10))}
    importer = User.get(User.code == "import")
    assert importer.active is False  # it names the import; nobody logs in as it
    assert verify_levels() == []


def test_reimport_posts_nothing_even_after_sales(shop, write):
    path = write("stock.csv", GOOD)
    run_import("stock", path)
    record_stock(shop, Product.get(Product.sku == "P1"), Decimal(-1), SALE, bin="A-01")
    before = table_counts()
    again = run_import("stock", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert table_counts() == before
    assert level("STORE1", "P1") == 9  # the sale is not wiped out by an old count


def test_same_content_in_another_encoding_and_delimiter_is_the_same_import(shop, write):
    run_import("stock", write("stock.csv", GOOD))
    before = table_counts()
    resaved = GOOD.replace(",", ";")
    again = run_import("stock", write("resaved.csv", "\ufeff" + resaved, encoding="gb18030", newline="\r\n"))
    assert again.unchanged == 3 and table_counts() == before


def test_a_new_stock_take_posts_new_counts(shop, write):
    run_import("stock", write("monday.csv", GOOD))
    report = run_import("stock", write("friday.csv", GOOD.replace("STORE1,P1,10", "STORE1,P1,12")))
    assert report.created == 3
    assert level("STORE1", "P1") == 12
    assert StockEvent.select().count() == 6


def test_dry_run_writes_nothing_not_even_the_import_user(shop, write):
    before = table_counts()
    report = run_import("stock", write("stock.csv", GOOD), dry_run=True)
    assert report.created == 3 and report.status == "dry_run"
    assert table_counts() == before


BAD = (
    "location,sku,quantity,lot\n"   # 1
    "STORE9,P1,5,\n"                # 2
    "STORE1,P9,5,\n"                # 3
    "STORE1,P1,-2,\n"               # 4
    "STORE1,P1,1.5,\n"              # 5
    "STORE1,P2,x,\n"                # 6
    "store1,P2,3,\n"                # 7 good: codes match without case
    "WH1,P2,3,\n"                   # 8
    "WH1,P2,4,\n"                   # 9
    "WH1,L1,4,\n"                   # 10 lot-tracked, no lot
    "WH1,L1,4,L-2024-01\n"          # 11 good
    "STORE1,,4,\n"                  # 12
)


def test_bad_stock_rows_are_reported_by_line_and_nothing_written(shop, write):
    factories.product("L1", track_lot=True)
    before = table_counts()
    report = run_import("stock", write("bad.csv", BAD))
    assert report.status == REFUSED
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "unknown location 'STORE9' (known: STORE1, WH1)"),
        (3, "unknown SKU P9 (import products first)"),
        (4, "quantity '-2' is negative"),
        (5, "P1 is counted in whole pcs"),
        (6, "quantity 'x' is not a number (write it like 12.50)"),
        (8, "duplicate SKU P2 at WH1 (also on line 9)"),
        (9, "duplicate SKU P2 at WH1 (also on line 8)"),
        (10, "L1 is tracked by lot: give the lot"),
        (12, "sku is empty"),
    ]
    assert table_counts() == before


def test_skip_bad_posts_the_good_counts(shop, write):
    factories.product("L1", track_lot=True)
    path = write("bad.csv", BAD)
    report = run_import("stock", path, skip_bad=True)
    assert report.created == 2 and len(report.rejected) == 9
    assert level("STORE1", "P2") == 3
    assert on_hand(Location.get(Location.code == "WH1"), Product.get(Product.sku == "L1"), lot="L-2024-01") == 4
    assert path.with_name("bad.rejected.csv").exists()


def test_empty_location_and_its_code_are_the_same_place(shop, write):
    report = run_import("stock", write("dup.csv", "location,sku,quantity\nSTORE1,P2,1\n,P2,2\n"))
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "duplicate SKU P2 at STORE1 (also on line 3)"), (3, "duplicate SKU P2 at STORE1 (also on line 2)")]


def test_decimal_comma_quantities_for_weighed_goods(shop, write):
    factories.product("W1", unit="kg", precision=3, weight_priced=True)
    report = run_import("stock", write("w.csv", "sku;quantity\nW1;12,345\n"))
    assert report.created == 1 and level("STORE1", "W1") == Decimal("12.345")
