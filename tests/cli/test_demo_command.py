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
