from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest

from models import clock
from models.catalog import Product
from models.ledger import COUNT, RECEIPT, EventData, StockEvent, StockLevel, on_hand, post_event
from models.orders import Order, Tender
from models.outbox import OutboxEntry
from models.places import Location
from models.stock_docs import DONE, Delivery, DeliveryLine
from models.store import ensure_terminal
from tests import factories as f

MILK = f.ean13("400638133393")
MILK_CASE = "1" + MILK[:12]
MILK_CASE += str((10 - sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(MILK_CASE))) % 10) % 10)


@pytest.fixture
def goods(shop):
    """Milk (with a case of 12), cheese by weight, a lot-tracked medicine."""
    f.product("MILK", price="1.09", barcode=MILK, pack=(MILK_CASE, 12), tax_rate=Decimal(7))
    f.product("GOUDA", price="12.90", unit="kg", precision=3, weight_priced=True)
    f.product("IBU", price="3.99", track_lot=True, track_expiry=True)
    return shop


def store1() -> Location:
    return Location.get(Location.code == "STORE1")


def units(sku: str, **kw) -> Decimal:
    return on_hand(store1(), Product.get(Product.sku == sku), **kw)


def test_receive_a_case_barcode_books_its_units(goods):
    data = goods.json("receive", MILK_CASE, "2", "--bin", "A-01", "--user", "1001")
    assert data["sku"] == "MILK" and Decimal(data["quantity"]) == 24 and Decimal(data["on_hand"]) == 24
    assert data["reference"].startswith("B-T01-")
    assert units("MILK", bin="A-01") == 24
    event = StockEvent.get(StockEvent.id == data["event_ids"][0])
    assert (event.kind, event.user, event.terminal) == (RECEIPT, "1001", "T01")
    assert OutboxEntry.select().where(OutboxEntry.ref == event.id).count() == 1


def test_receive_takes_the_user_from_the_environment(goods):
    result = goods.run("receive", "MILK", "5", "--json", env={"COUNTER_USER": "2001"})
    assert result.exit_code == 0, result.output
    assert StockEvent.get().user == "2001"


def test_receive_lot_and_expiry_then_stock_shows_them_per_bin_and_lot(goods):
    goods.json("receive", "IBU", "10", "--lot", "L42", "--expiry", "2027-03-31", "--bin", "M-02", "--user", "1001")
    goods.json("receive", "IBU", "4", "--lot", "L43", "--expiry", "2027-09-30", "--bin", "M-02", "--user", "1001")
    wh = ensure_terminal("W01", "WH1", kind="warehouse")
    post_event(EventData(location="WH1", sku="IBU", quantity=Decimal(100), kind=RECEIPT,
                         occurred_at=clock.now(), lot="L42"), location=wh.location)
    data = goods.json("stock", "IBU")
    assert data["location"] == "STORE1" and Decimal(data["on_hand"]) == 14
    assert [(r["bin"], r["lot"], r["expiry"], Decimal(r["on_hand"])) for r in data["levels"]] == [
        ("M-02", "L42", "2027-03-31", 10), ("M-02", "L43", "2027-09-30", 4)]
    assert [(r["location"], Decimal(r["on_hand"])) for r in data["elsewhere"]] == [("WH1", 100)]
    assert data["product"]["track_lot"] is True and data["product"]["price"] == "3.99"


def test_stock_by_barcode_names_the_pack_and_prints_text(goods):
    data = goods.json("stock", MILK_CASE)
    assert data["product"]["sku"] == "MILK" and Decimal(data["scanned_pack_qty"]) == 12
    assert {(b["code"], Decimal(b["pack_qty"])) for b in data["product"]["barcodes"]} == {
        (MILK.zfill(14), 1), (MILK_CASE, 12)}
    text = goods.run("stock", MILK).output
    assert "MILK" in text and "On hand at STORE1: 0" in text


@pytest.mark.parametrize("args, message", [
    (["NOPE", "1"], "Unknown code NOPE"),
    (["MILK", "abc"], "'abc' is not a quantity"),
    (["MILK", "0"], "must be more than zero"),
    (["MILK", "-3"], "must be more than zero"),
    (["MILK", "1.5"], "counted in whole pcs"),
    (["GOUDA", "1.2345"], "at most 3 decimals"),
    (["IBU", "5"], "lot-tracked"),
    (["IBU", "5", "--lot", "L1"], "needs its expiry date"),
    (["MILK", "1", "--delivery", "PO-404"], "No expected delivery PO-404"),
])
def test_receive_refuses_bad_input_and_writes_nothing(goods, args, message):
    result = goods.run("receive", *args, "--user", "1001")
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert StockEvent.select().count() == 0 and OutboxEntry.select().count() == 0


def test_receive_needs_a_known_user(goods):
    result = goods.run("receive", "MILK", "1")
    assert result.exit_code == 1 and "--user CODE, or set COUNTER_USER" in result.output
    result = goods.run("receive", "MILK", "1", "--user", "9999")
    assert result.exit_code == 1 and "No user '9999'" in result.output
    assert StockEvent.select().count() == 0


def test_receive_against_a_delivery_and_close_it(goods):
    delivery = Delivery.create(number="PO-1", location=store1(), supplier="Dairy")
    DeliveryLine.create(delivery=delivery, product=Product.get(Product.sku == "MILK"), expected=Decimal(24))
    data = goods.json("receive", MILK_CASE, "1", "--delivery", "PO-1", "--close", "--user", "1001")
    assert data["reference"] == "PO-1"
    assert [(d["sku"], Decimal(d["expected"]), Decimal(d["received"])) for d in data["discrepancies"]] == [
        ("MILK", 24, 12)]
    assert Delivery.get(Delivery.number == "PO-1").status == DONE
    again = goods.run("receive", "MILK", "1", "--delivery", "PO-1", "--user", "1001")
    assert again.exit_code == 1 and "already received" in again.output


def test_sell_with_cash_gives_change_and_moves_stock(goods):
    goods.json("receive", "MILK", "10", "--user", "1001")
    goods.json("receive", "GOUDA", "2.5", "--user", "1001")
    data = goods.json("sell", "MILKx3", "GOUDAx0.400", "--cash", "10", "--user", "1001")
    # 3 x 1.09 + 0.4 kg x 12.90 = 3.27 + 5.16
    assert data["order"] == "S-T01-000001"
    assert Decimal(data["total"]) == Decimal("8.43") and Decimal(data["change"]) == Decimal("1.57")
    order = Order.get(Order.number == "S-T01-000001")
    assert order.total == Decimal("8.43") and order.user == "1001"
    assert Tender.get(Tender.order == order).change == Decimal("1.57")
    assert units("MILK") == 7 and units("GOUDA") == Decimal("2.1")


def test_sell_by_card_pays_the_total_and_prints_text(goods):
    result = goods.run("sell", MILK, MILK_CASE, "--card", "AUTH-778", "--user", "1001")
    assert result.exit_code == 0, result.output
    assert "Order S-T01-000001" in result.output and "Total 14.17 EUR" in result.output
    tender = Tender.get()
    assert (tender.kind, tender.amount, tender.reference) == ("card", Decimal("14.17"), "AUTH-778")
    assert units("MILK") == -13  # a store hands goods over whatever the books say
    assert Product.get(Product.sku == "MILK").needs_count


@pytest.mark.parametrize("args, message", [
    (["MILKx3", "--cash", "3"], "Paid 3.00 EUR of 3.27 EUR"),
    (["NOPE", "--cash", "10"], "Unknown code NOPE"),
    (["MILKx1.5", "--cash", "10"], "counted in whole pcs"),
    (["MILK", "--cash", "ten"], "'ten' is not a cash amount"),
])
def test_refused_sale_exits_non_zero_and_writes_nothing(goods, args, message):
    result = goods.run("sell", *args, "--user", "1001")
    assert result.exit_code == 1
    assert message in result.output
    assert Order.select().count() == 0 and StockEvent.select().count() == 0
    assert OutboxEntry.select().count() == 0


def test_sell_needs_exactly_one_payment(goods):
    assert goods.run("sell", "MILK", "--user", "1001").exit_code == 2
    assert goods.run("sell", "MILK", "--cash", "5", "--card", "X", "--user", "1001").exit_code == 2
    assert Order.select().count() == 0


def test_count_sets_the_level_in_a_bin(goods):
    goods.json("receive", "MILK", "10", "--bin", "A-01", "--user", "1001")
    data = goods.json("count", "MILK", "7", "--bin", "A-01", "--user", "2001")
    assert Decimal(data["counted"]) == 7 and Decimal(data["on_hand"]) == 7
    assert data["reference"].startswith("C-T01-")
    event = StockEvent.get(StockEvent.kind == COUNT)
    assert (event.quantity, event.bin, event.user) == (Decimal(7), "A-01", "2001")
    assert units("MILK", bin="A-01") == 7
    result = goods.run("count", "MILK", "-1", "--user", "2001")
    assert result.exit_code == 1 and "cannot be negative" in result.output
    assert StockEvent.select().where(StockEvent.kind == COUNT).count() == 1


def test_verify_detects_a_tampered_level_and_repair_fixes_it(goods):
    goods.json("receive", "MILK", "10", "--bin", "A-01", "--user", "1001")
    clean = goods.run("verify")
    assert clean.exit_code == 0 and "matches the ledger" in clean.output
    StockLevel.update(on_hand=Decimal(99)).execute()
    result = goods.run("verify", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["repaired"] is False
    assert [(d["sku"], d["bin"], Decimal(d["cached"]), Decimal(d["derived"])) for d in data["differences"]] == [
        ("MILK", "A-01", 99, 10)]
    assert StockLevel.get().on_hand == 99  # verify alone changes nothing
    text = goods.run("verify")
    assert text.exit_code == 1 and "level 99" in text.output and "ledger says 10" in text.output
    repaired = goods.run("verify", "--repair")
    assert repaired.exit_code == 1 and "repaired" in repaired.output
    assert StockLevel.get().on_hand == 10
    assert goods.run("verify").exit_code == 0


def test_export_stock_csv_round_trips_the_levels(goods, tmp_path):
    goods.json("receive", "MILK", "10", "--bin", "A-01", "--user", "1001")
    goods.json("receive", "GOUDA", "1.250", "--bin", "B-02", "--user", "1001")
    goods.json("receive", "IBU", "3", "--lot", "L9", "--expiry", "2028-01-31", "--user", "1001")
    result = goods.run("export", "stock")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["location", "sku", "barcode", "name", "bin", "lot", "on_hand", "unit"]
    # The unit barcode, not the case's; none for a product without one.
    assert {r["sku"]: r["barcode"] for r in rows} == {"MILK": MILK.zfill(14), "GOUDA": "", "IBU": ""}
    exported = {(r["location"], r["sku"], r["bin"], r["lot"]): Decimal(r["on_hand"]) for r in rows}
    levels = {(lv.location.code, lv.product.sku, lv.bin, lv.lot): lv.on_hand for lv in StockLevel.select()}
    assert exported == levels == {("STORE1", "MILK", "A-01", ""): 10, ("STORE1", "GOUDA", "B-02", ""): Decimal("1.25"),
                                  ("STORE1", "IBU", "", "L9"): 3}


def test_export_events_to_a_file_and_orders_as_json(goods, tmp_path):
    goods.json("receive", "MILK", "10", "--user", "1001")
    goods.json("sell", "MILKx2", "--cash", "5", "--user", "1001")
    out = tmp_path / "events.csv"
    summary = goods.json("export", "events", "--output", str(out))
    assert summary == {"what": "events", "format": "csv", "rows": 2, "output": str(out)}
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    stored = {e.id: e for e in StockEvent.select()}
    assert {r["id"] for r in rows} == set(stored)
    for r in rows:
        event = stored[r["id"]]
        assert (Decimal(r["quantity"]), r["kind"], r["sku"]) == (event.quantity, event.kind, "MILK")
        assert clock.parse(r["occurred_at"]) == event.occurred_at
    orders = json.loads(goods.run("export", "orders", "--format", "json").stdout)
    assert [(o["number"], Decimal(o["total"]), o["location"], o["customer"]) for o in orders] == [
        ("S-T01-000001", Decimal("2.18"), "STORE1", None)]


def test_commands_refuse_a_missing_store_without_creating_it(counter, tmp_path):
    for args in (["stock", "X"], ["verify"], ["export", "stock"], ["receive", "X", "1", "--user", "1"]):
        result = counter.run(*args)
        assert result.exit_code == 1 and "No store at" in result.output and "counter init" in result.output
    assert not counter.db_path.exists()


def test_events_on_another_day_keep_their_timestamps_in_export(goods):
    # Guard against an export that re-stamps or drops the time part.
    post_event(EventData(location="STORE1", sku="MILK", quantity=Decimal(4), kind=RECEIPT,
                         occurred_at=dt.datetime(2024, 2, 29, 23, 59, 59, 123456)))
    rows = list(csv.DictReader(io.StringIO(goods.run("export", "events").stdout)))
    assert rows[0]["occurred_at"] == "2024-02-29T23:59:59.123456"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "+SUM(A1)", "-2+3", "@cmd", "\tTAB",
                                  "'=already quoted", "-5"])
def test_export_csv_is_safe_in_a_spreadsheet_and_imports_back_exactly(goods, tmp_path, name):
    from models.catalog import Product
    from models.importing.cells import restore

    Product.update(name=name).where(Product.sku == "MILK").execute()
    goods.json("receive", "MILK", "10", "--bin", "A-01", "--user", "1001")
    safe = goods.run("export", "stock")
    [row] = [r for r in csv.DictReader(io.StringIO(safe.stdout)) if r["sku"] == "MILK"]
    if name == "-5":
        assert row["name"] == "-5"  # a number cannot be a formula: left as it is
    else:
        assert row["name"].startswith("'") and row["name"][0] not in "=+-@\t\r"
    assert restore(row["name"]) == name  # what `counter import` reads back
    raw = goods.run("export", "stock", "--raw")
    [exact] = [r for r in csv.DictReader(io.StringIO(raw.stdout)) if r["sku"] == "MILK"]
    assert exact["name"] == name
    # An exported file imports back as the same levels.
    exported = tmp_path / "stock.csv"
    exported.write_text(safe.stdout, encoding="utf-8")
    before = {(lv.bin, lv.lot): lv.on_hand for lv in StockLevel.select()}
    imported = goods.run("import", "stock", str(exported))
    assert imported.exit_code == 0, imported.output
    assert {(lv.bin, lv.lot): lv.on_hand for lv in StockLevel.select()} == before
