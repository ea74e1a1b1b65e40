"""The store file itself goes wrong: not SQLite, a folder, read-only, locked, a full disk. One line
that says what is wrong and what to do, exit 1, nothing half-written, no lock file left behind."""

from __future__ import annotations

import os
import sqlite3
from decimal import Decimal

import peewee
import pytest

from models.db import db, store_problem
from models.ledger import StockEvent
from models.ops.selling import CASH, Payment, SaleLine, sell
from models.orders import Order
from tests import factories as f


def one_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
    return result.output


def test_a_file_that_is_not_sqlite_is_named_and_left_alone(counter, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("shopping list: milk, eggs\n" * 10)
    for command in (["stock", "X"], ["export", "stock"], ["status"], ["init"]):
        out = one_line(counter.run("--db", str(junk), *command, db_arg=False))
        assert "is not a Counter store" in out and "notes.txt" in out, command
    assert junk.read_text().startswith("shopping list")
    assert not list(tmp_path.glob("notes.txt*lock"))


def test_a_folder_given_as_the_store(counter, tmp_path):
    out = one_line(counter.run("--db", str(tmp_path), "init", db_arg=False))
    assert "is a folder, not a store file" in out and "store.db" in out


def test_a_read_only_command_leaves_no_lock_file(shop, tmp_path):
    for left in tmp_path.glob("store.db.*lock"):  # `counter init` migrated the new store
        left.unlink()
    shop.run("stock", "X")
    shop.run("export", "stock")
    assert not list(tmp_path.glob("store.db.*lock")), list(tmp_path.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_store(shop, tmp_path):
    (tmp_path / "store.db").chmod(0o444)
    out = one_line(shop.run("receive", "X", "1", "--user", "1001"))
    assert "cannot be written" in out


def test_a_store_locked_by_another_program(shop, tmp_path, monkeypatch):
    monkeypatch.setattr("models.db.SqliteStore.OPEN_ATTEMPTS", 1)
    holder = sqlite3.connect(tmp_path / "store.db", isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        monkeypatch.setitem(__import__("models.db", fromlist=["SQLITE_PRAGMAS"]).SQLITE_PRAGMAS, "busy_timeout", 100)
        out = one_line(shop.run("user", "add", "1009", "Kim", "--pin-stdin", input="1234\n"))
        assert "locked by another program" in out
    finally:
        holder.rollback()
        holder.close()


def test_a_full_disk_mid_sale_leaves_no_half_sale(store):
    clerk = f.actor()
    product = f.product("P1")
    sell(clerk, [SaleLine(product, Decimal(1), f.eur("2.50"))], [Payment(CASH, f.eur("5"))])
    before = (Order.select().count(), StockEvent.select().count())
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")  # the disk is full from now on
    lines = [SaleLine(product, Decimal(1), f.eur("2.50")) for _ in range(200)]
    with pytest.raises(peewee.OperationalError) as raised:
        sell(clerk, lines, [Payment(CASH, f.eur("1000"))])
    db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert (Order.select().count(), StockEvent.select().count()) == before  # the whole sale, or none of it
    message = str(store_problem(raised.value, "store.db"))
    assert message.startswith("The disk holding store.db is full") and "Nothing of this was kept" in message
