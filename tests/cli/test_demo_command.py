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
    monkeypatch.setattr(demo_commands, "terminal_available", lambda: True)
    monkeypatch.setattr(demo_commands, "start_local_head_office", lambda cfg: None)
    result = counter.run("demo", "--products", "30")
    assert result.exit_code == 0, result.output
    assert seen == {"database": str(counter.db_path), "terminal": "T01", "location": "STORE1"}


def test_demo_without_the_terminal_app_stops_after_seeding(counter, monkeypatch):
    monkeypatch.setattr(demo_commands, "terminal_available", lambda: False)
    result = counter.run("demo", "--products", "30")
    assert result.exit_code == 0
    assert "not in this build yet" in result.stderr


def test_head_office_hook_is_a_no_op_without_sync(counter, monkeypatch):
    monkeypatch.setitem(sys.modules, "sync.hq.server", None)  # makes the import fail
    assert demo_commands.start_local_head_office(Config(database=str(counter.db_path))) is None


def test_head_office_hook_serves_on_loopback(counter):
    handle = demo_commands.start_local_head_office(Config(database=str(counter.db_path)))
    assert handle is not None
    try:
        assert handle.url.startswith("http://127.0.0.1:")
        response = httpx.get(handle.url + "/no-such-page", timeout=5)
        assert response.status_code in (401, 404)
        assert (counter.db_path.parent / "demo-hq.db").exists()
    finally:
        handle.stop()
