"""A terminal that imported its own catalogue before it enrolled: head office takes the products in
and nothing sold of them is lost; once enrolled, the catalogue is head office's."""

from __future__ import annotations

from decimal import Decimal

from click.testing import CliRunner

from cli.main import cli
from models import attention
from models.catalog import Product, current_price, product_by_sku
from models.db import db
from models.importing import run_import
from models.ledger import StockEvent, on_hand
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.selling import CASH, Payment, SaleLine, sell
from models.orders import Order
from models.places import Location
from models.store import ensure_terminal
from sync import client as sync
from tests import factories as f
from tests.sync.conftest import add_terminal, at


def test_products_imported_before_enrolment_reach_head_office_and_their_sales_count(hq, make_terminal, tmp_path):
    with at(hq.database):
        f.product("P1", price="3.20")  # head office's own P1
        Product.update(name="Head office's P1").where(Product.sku == "P1").execute()
    products, prices = tmp_path / "products.csv", tmp_path / "prices.csv"
    products.write_text("sku,name\nTEA1,Green tea\nP1,The terminal's P1\n")
    prices.write_text("sku,price,currency\nTEA1,2.50,EUR\nP1,9.99,EUR\n")
    term = make_terminal("t")
    with term:
        ensure_terminal("T01", "STORE1")
        run_import("products", products, terminal="T01")
        run_import("prices", prices, terminal="T01")
        clerk = f.actor()
        tea = product_by_sku("TEA1")
        receive_goods(clerk, [ReceivedLine(tea, Decimal(10), bin="A-01")])
        for _ in range(2):
            sell(clerk, [SaleLine(tea, Decimal(1), current_price(tea, "EUR"))], [Payment(CASH, f.eur("5"))])
        new = add_terminal(hq, "STORE1", "T01")
        sync.enroll(hq.url, new.enroll_token, term.cfg)
        result = sync.run_sync(term.cfg)
        assert result.ok and not result.push.rejected, result.push.rejected
        assert attention.open_count() == 0
        assert on_hand(Location.get(Location.code == "STORE1"), product_by_sku("TEA1")) == 8
        assert product_by_sku("P1").name == "Head office's P1"  # head office's catalogue wins
    with at(hq.database):
        assert product_by_sku("TEA1").name == "Green tea"
        assert product_by_sku("P1").name == "Head office's P1"
        assert Order.select().where(Order.terminal == "T01").count() == 2
        sold = StockEvent.select().where((StockEvent.kind == "sale") & (StockEvent.terminal == "T01")).count()
        assert sold == 2


def test_an_enrolled_terminal_refuses_a_catalogue_import_and_names_head_office(tmp_path, monkeypatch):
    config = tmp_path / "counter.toml"
    monkeypatch.setenv("COUNTER_CONFIG", str(config))
    runner = CliRunner()
    store = tmp_path / "store.db"
    assert runner.invoke(cli, ["--db", str(store), "init"]).exit_code == 0
    text = config.read_text() if config.exists() else ""
    config.write_text(text + '\n[sync]\nurl = "http://127.0.0.1:8765"\ntoken = "secret"\n'
                      if "[sync]" not in text else text.replace('token = ""', 'token = "secret"'))
    products = tmp_path / "p.csv"
    products.write_text("sku,name\nTEA1,Tea\n")
    result = runner.invoke(cli, ["--db", str(store), "import", "products", str(products)])
    assert result.exit_code == 1
    assert "enrolled with head office" in result.output and "counter hq import products" in result.output
    if db.obj is not None:
        db.obj.close()
    db.initialize(None)
