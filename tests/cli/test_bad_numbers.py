"""Absurd numbers on the command line: one line saying what is wrong, exit 1, nothing written;
and an unexpected fault is one line and a log entry, never a traceback."""

from __future__ import annotations

import pytest

from cli import main as cli_main
from models.ledger import StockEvent
from models.orders import Order
from tests import factories as f


@pytest.fixture
def tea(shop):
    f.product("TEA1", price="7.09")
    return shop


@pytest.mark.parametrize("args", [
    ("sell", "TEA1x99999999999999999999", "--cash", "10"),
    ("sell", "TEA1", "--cash", "99999999999999999999999"),
    ("sell", "TEA1", "--cash", "1e25"),
    ("receive", "TEA1", "1e30"),
    ("count", "TEA1", "1e30"),
])
def test_absurd_numbers_are_one_line_and_change_nothing(tea, args):
    result = tea.run(*args, "--user", "1001")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert "check the number" in result.output or "not a" in result.output
    assert Order.select().count() == 0 and StockEvent.select().count() == 0


def test_a_price_beyond_the_bound_is_refused_by_the_import(tea, tmp_path):
    prices = tmp_path / "prices.csv"
    prices.write_text("sku,price\nTEA1,99999999999999999\n")
    result = tea.run("import", "prices", str(prices))
    assert result.exit_code == 1 and "more than 10,000,000" in result.output


def test_an_unexpected_fault_is_one_line_and_a_log_entry(monkeypatch, tmp_path, capsys):
    log = tmp_path / "log" / "counter.log"
    monkeypatch.setenv("COUNTER_LOG", str(log))

    def broken(*args, **kwargs):
        raise OverflowError("Python int too large to convert to SQLite INTEGER")

    monkeypatch.setattr(cli_main, "cli", broken)
    monkeypatch.setattr("sys.argv", ["counter", "sell", "X"])
    with pytest.raises(SystemExit) as exit_:
        cli_main.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "unexpected error (OverflowError" in err and str(log) in err and "Traceback" not in err
    assert "OverflowError" in log.read_text() and "Traceback" in log.read_text()


def test_a_large_line_needs_allow_large_from_the_shell(tea):
    from models.orders import Order

    result = tea.run("sell", "TEA1x5000", "--cash", "100000", "--user", "1001")
    assert result.exit_code == 1 and "--allow-large" in result.output and Order.select().count() == 0
    allowed = tea.run("sell", "TEA1x5000", "--cash", "100000", "--user", "1001", "--allow-large")
    assert allowed.exit_code == 0, allowed.output
    assert Order.select().count() == 1
