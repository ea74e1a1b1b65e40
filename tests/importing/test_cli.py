"""`counter import` through click: JSON report, exit codes, the rejected file's path."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import cli

from .conftest import table_counts


@pytest.fixture
def run(shop, tmp_path):
    env = {"COUNTER_CONFIG": str(tmp_path / "none.toml"), "COUNTER_DB": str(tmp_path / "store.db"),
           "COUNTER_TERMINAL": "T01", "COUNTER_LOCATION": "STORE1"}

    def _run(*args: str):
        return CliRunner().invoke(cli, ["import", *args], env=env)

    return _run


def test_json_report_of_a_stock_import(run, write):
    path = write("stock.csv", "sku;quantity\nP1;5\nP2;3\n")
    result = run("stock", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["status"], data["created"], data["unchanged"], data["rejected"]) == ("imported", 2, 0, [])
    assert data["changes"][0] == {"line": 2, "key": "STORE1 P1", "action": "created",
                                  "fields": {"on_hand": ["0", "5"]}}
    again = json.loads(run("stock", str(path), "--json").stdout)
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_bad_rows_exit_1_with_lines_and_reasons_and_write_nothing(run, write):
    before = table_counts()
    path = write("prices.csv", "sku,price\nP1,abc\nP2,1.10\nP9,2\n")
    result = run("prices", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "refused"
    assert [(r["line"], r["reason"]) for r in data["rejected"]] == [
        (2, "price 'abc' is not a number (write it like 12.50)"), (4, "unknown SKU P9 (import products first)")]
    assert table_counts() == before


def test_skip_bad_prints_the_rejected_file(run, write):
    path = write("customers.csv", "code,name\nC1,Ann\n,Bob\n")
    result = run("customers", str(path), "--skip-bad")
    assert result.exit_code == 0, result.output
    assert "1 created" in result.stdout and "line 3: code is empty" in result.stdout
    assert f"Rejected rows written to {path.with_name('customers.rejected.csv')}" in result.stdout


def test_dry_run_human_output(run, write):
    before = table_counts()
    result = run("products", str(write("p.csv", "sku,name\nN1,New\nP1,Product P1\n")), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("Would import") and "1 created, 0 updated, 1 unchanged" in result.stdout
    assert table_counts() == before


def test_unreadable_file_as_json_and_as_text(run, write):
    path = write("x.csv", "sku,title\nP1,x\n")
    result = run("products", str(path), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["status"] == "error" and data["line"] == 1 and "missing required column" in data["error"]
    text = run("products", str(path))
    assert text.exit_code == 1 and "Error: line 1: missing required column(s): name" in text.output


def test_encoding_override(run, write):
    path = write("c.csv", "code,name\nC1,Café Zoë\n", encoding="cp1252")
    refused = run("customers", str(path))
    assert refused.exit_code == 1 and "line 2: the file is not utf-8-sig or gb18030 text" in refused.output
    result = run("customers", str(path), "--encoding", "cp1252", "--json")
    assert json.loads(result.stdout)["encoding"] == "cp1252"
