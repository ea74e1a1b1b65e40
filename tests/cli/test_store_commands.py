from __future__ import annotations

import tomllib

from cli.main import COMMANDS
from models.people import User, authenticate
from models.places import Location, Terminal


def test_help_lists_every_subcommand(counter):
    result = counter.run("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"\n  {name} " in result.output, name


def test_init_creates_store_registers_terminal_and_saves_config(counter):
    data = counter.json("init", "--terminal", "W01", "--location", "WH1", "--kind", "warehouse",
                        "--currency", "eur", "--name", "Central Warehouse")
    assert data["terminal"] == "W01" and data["location"] == "WH1" and data["kind"] == "warehouse"
    assert counter.db_path.exists()
    location = Location.get(Location.code == "WH1")
    assert (location.kind, location.currency, location.name) == ("warehouse", "EUR", "Central Warehouse")
    assert Terminal.get(Terminal.code == "W01").location == location
    saved = tomllib.loads(counter.config_path.read_text())
    assert saved["terminal"] == {"code": "W01", "location": "WH1", "database": str(counter.db_path), "lang": "en"}
    # Running it again changes nothing and succeeds.
    again = counter.json("init", "--terminal", "W01", "--location", "WH1", "--kind", "warehouse")
    assert again["location"] == "WH1"
    assert Location.select().count() == 1 and Terminal.select().count() == 1


def test_init_refuses_to_change_a_location_or_move_a_terminal(counter):
    counter.json("init", "--terminal", "T01", "--location", "STORE1")
    result = counter.run("init", "--terminal", "T01", "--location", "STORE1", "--kind", "warehouse")
    assert result.exit_code == 1
    assert "STORE1 is already a store in EUR" in result.output
    result = counter.run("init", "--terminal", "T01", "--location", "STORE2")
    assert result.exit_code == 1
    assert "already registered at STORE1" in result.output
    assert Location.get(Location.code == "STORE1").kind == "store"
    assert Location.select().count() == 1


def test_init_refuses_a_bad_currency_and_writes_nothing(counter):
    result = counter.run("init", "--terminal", "T01", "--location", "STORE1", "--currency", "EURO")
    assert result.exit_code == 1
    assert "not an ISO 4217 code" in result.output
    assert not counter.db_path.exists() and not counter.config_path.exists()


def test_user_add_reads_the_pin_from_stdin(shop):
    data = shop.json("user", "add", "1002", "Tom Weber", "--role", "clerk", "--pin-stdin", input="4711\n")
    assert data == {"code": "1002", "name": "Tom Weber", "role": "clerk", "discount_limit_pct": 10}
    assert authenticate("1002", "4711").name == "Tom Weber"
    assert "4711" not in shop.run("user", "list", "--json").output


def test_user_add_prompts_with_hidden_confirmed_input(shop):
    result = shop.run("user", "add", "3001", "Marie", "--role", "manager", input="3456\n3456\n")
    assert result.exit_code == 0, result.output
    assert "3456" not in result.output  # hidden input is not echoed
    assert authenticate("3001", "3456").role == "manager"


def test_user_add_with_pin_on_the_command_line_warns(shop):
    result = shop.run("user", "add", "1003", "Scripted", "--pin", "5555")
    assert result.exit_code == 0
    assert "Warning" in result.stderr and "--pin-stdin" in result.stderr
    assert authenticate("1003", "5555").code == "1003"


def test_user_add_refuses_duplicate_codes_and_short_pins(shop):
    result = shop.run("user", "add", "1001", "Someone Else", "--pin-stdin", input="9999\n")
    assert result.exit_code == 1 and "already exists" in result.output
    assert User.get(User.code == "1001").name == "Lena"
    result = shop.run("user", "add", "1009", "Short", "--pin-stdin", input="12\n")
    assert result.exit_code == 1 and "4 to 12 digits" in result.output
    assert User.get_or_none(User.code == "1009") is None
    result = shop.run("user", "add", "1010", "Bad Role", "--role", "boss", "--pin-stdin", input="1234\n")
    assert result.exit_code == 2


def test_user_add_before_init_refuses_and_creates_no_store(counter):
    result = counter.run("user", "add", "1001", "Lena", "--pin-stdin", input="1234\n")
    assert result.exit_code == 1 and "run `counter init" in result.output
    assert not counter.db_path.exists()
