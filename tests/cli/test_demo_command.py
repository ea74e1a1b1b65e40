from __future__ import annotations

import json
import sys
import tomllib
import types
from decimal import Decimal

import click
import httpx

from cli import demo_commands
from cli.common import load_config
from cli.config import Config
from models.catalog import Product
from models.ledger import verify_levels
from models.orders import Order


def test_demo_seed_only_writes_its_own_store_and_config(counter):
    result = counter.run("demo", "--seed-only", "--products", "150", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seeded"]["products"] == 150 and data["database"] == str(counter.db_path)
    assert [(u["code"], u["pin"], u["role"]) for u in data["logins"]] == [
        ("1001", "1234", "clerk"), ("2001", "2345", "supervisor"), ("3001", "3456", "manager")]
    assert Product.select().count() == 150 and verify_levels() == []
    demo_toml = counter.config_path.parent / "demo.toml"
    assert data["config"] == str(demo_toml)
    saved = tomllib.loads(demo_toml.read_text())["terminal"]
    assert (saved["code"], saved["location"], saved["database"]) == ("T01", "STORE1", str(counter.db_path))
    assert not counter.config_path.exists()  # the real config is left alone

    again = counter.run("demo", "--seed-only")
    assert again.exit_code == 0 and "nothing seeded" in again.output and "1001 / 1234" in again.output
    assert Product.select().count() == 150

    # The demo config is a working terminal setup: a clerk sells from the shell.
    sku = Product.select().where(Product.weight_priced == False).order_by(Product.sku).first().sku  # noqa: E712
    sale = counter.run("--config", str(demo_toml), "sell", sku, "--cash", "100", "--json", "--user", "1001",
                       db_arg=False)
    assert sale.exit_code == 0, sale.output
    assert Order.get(Order.number == json.loads(sale.stdout)["order"]).total == Decimal(json.loads(sale.stdout)["total"])


def test_demo_defaults_to_demo_db_in_the_data_dir(counter, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = counter.run("demo", "--seed-only", "--products", "40", db_arg=False)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "counter-oms" / "demo.db").exists()
    assert not (tmp_path / "data" / "counter-oms" / "store.db").exists()


def test_demo_refuses_an_impossible_product_count(counter):
    result = counter.run("demo", "--seed-only", "--products", "0")
    assert result.exit_code == 2 and "--products" in result.output
    assert not counter.db_path.exists()


def test_demo_hands_its_store_to_the_terminal_app(counter, monkeypatch):
    seen = {}

    @click.command()
    @click.pass_context
    def terminal(ctx):
        cfg = load_config(ctx)
        seen.update(database=cfg.database, terminal=cfg.terminal, location=cfg.location)

    module = types.ModuleType("cli.terminal_commands")
    module.terminal = terminal
    monkeypatch.setitem(sys.modules, "cli.terminal_commands", module)
    result = counter.run("demo", "--products", "30")
    assert result.exit_code == 0, result.output
    assert seen == {"database": str(counter.db_path), "terminal": "T01", "location": "STORE1"}


def test_demo_counter_is_enrolled_with_a_head_office_that_holds_the_shop(counter):
    from models.db import bind
    from models.ledger import StockLevel
    from models.places import Location
    from sync.client import status

    result = counter.run("demo", "--seed-only", "--products", "60", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cfg = tomllib.loads((counter.config_path.parent / "demo.toml").read_text())["sync"]
    assert cfg["url"] == data["head_office"] and cfg["token"]

    def levels() -> dict:
        store = Location.get(Location.code == "STORE1")
        return {(lvl.product.sku, lvl.lot): lvl.on_hand for lvl in StockLevel.select().where(
            StockLevel.location == store)}

    here = levels()
    assert here and Product.select().count() == 60 and status()["outbox"] == 0
    hq = demo_commands.start_head_office(Config(database=str(counter.db_path)), 60, 1)[0]
    try:
        with bind(hq.database), hq.database.connection_context():
            assert levels() == here  # the counter converged on head office's stock
        response = httpx.get(hq.url + "/health", timeout=5)
        assert response.status_code == 200
    finally:
        hq.stop()


def test_after_the_demo_every_command_uses_its_store_and_head_office(counter):
    result = counter.run("demo", "--seed-only", "--products", "40", "--json", "--lang", "zh_CN")
    assert result.exit_code == 0, result.output  # a global flag after the subcommand is taken
    data = json.loads(result.stdout)
    assert data["head_office"] == "http://127.0.0.1:8765"  # a fixed port: the saved address stays right
    assert tomllib.loads((counter.config_path.parent / "demo.toml").read_text())["terminal"]["lang"] == "zh_CN"
    # No config of its own yet: plain commands find the demo's store and head office.
    status = counter.run("status", "--json", db_arg=False)
    assert status.exit_code == 0, status.output
    stock = counter.run("export", "stock", db_arg=False)
    assert stock.exit_code == 0 and stock.stdout.count("\n") > 40
    # The warehouse terminal the banner names exists: its own store, enrolled at WH1.
    wh = tomllib.loads((counter.config_path.parent / "demo-W01.toml").read_text())
    assert (wh["terminal"]["code"], wh["terminal"]["location"]) == ("W01", "WH1") and wh["sync"]["token"]
    stock_wh = counter.run("--config", str(counter.config_path.parent / "demo-W01.toml"), "export", "stock",
                           "--json", db_arg=False)
    assert stock_wh.exit_code == 0, stock_wh.output
    assert {row["location"] for row in json.loads(stock_wh.stdout)} == {"WH1"}
    # `counter init` sets up a real terminal: its own config, not the demo's.
    init = counter.run("--db", str(counter.db_path.with_name("real.db")), "init", "--terminal", "T09",
                       "--location", "STORE9", db_arg=False)
    assert init.exit_code == 0, init.output
    assert counter.config_path.exists()
    assert tomllib.loads((counter.config_path.parent / "demo.toml").read_text())["terminal"]["code"] == "T01"


def test_demo_takes_another_port_when_8765_is_busy(counter):
    import contextlib
    import socket

    with socket.socket() as busy:
        busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        with contextlib.suppress(OSError):  # if something else holds it already, it is the same case
            busy.bind(("127.0.0.1", 8765))
            busy.listen(1)
        result = counter.run("demo", "--seed-only", "--products", "20", "--json")
    assert result.exit_code == 0, result.output
    assert not json.loads(result.stdout)["head_office"].endswith(":8765")


def test_commands_before_init_say_what_to_run(counter):
    for args in (["terminal"], ["status"], ["export", "stock"], ["stock", "X"]):
        result = counter.run(*args)
        assert result.exit_code == 1 and "counter init" in result.output and "counter demo" in result.output, args
    assert not counter.db_path.exists()


def test_head_office_registers_terminals_only_at_locations_it_knows(counter, tmp_path):
    hq_db = ["--db", f"sqlite:///{tmp_path / 'hq.db'}"]
    result = counter.run("hq", "add-terminal", *hq_db, "--location", "STORE9", db_arg=False)
    assert result.exit_code == 1 and "knows no location STORE9" in result.output
    assert "counter hq add-location STORE9" in result.output
    assert counter.run("hq", "add-location", *hq_db, "STORE9", "--name", "Ninth", db_arg=False).exit_code == 0
    again = counter.run("hq", "add-terminal", *hq_db, "--location", "STORE9", "--json", db_arg=False)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["location"] == "STORE9"
    clash = counter.run("hq", "add-location", *hq_db, "STORE9", "--kind", "warehouse", db_arg=False)
    assert clash.exit_code == 1 and "already a store" in clash.output
