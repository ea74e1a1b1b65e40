"""The pull cursor never skips a change when PostgreSQL transactions commit out of id order."""

from __future__ import annotations

import psycopg
import pytest

from hq.changelog import Cursor
from hq.server import serve_in_thread
from models.catalog import Product
from sync import client as sync
from tests.pg import fresh_database
from tests.sync.conftest import enrolled

pytestmark = pytest.mark.postgres

INSERT = ("INSERT INTO product (sku, name, name_zh, category, unit, unit_precision, track_lot, track_serial,"
          " track_expiry, weight_priced, tax_rate, active, needs_count, updated_at)"
          " VALUES (%s, %s, '', '', 'pcs', 0, false, false, false, false, 0, true, false, now())")


def _change(conn: psycopg.Connection, sku: str) -> tuple[int, int]:
    return conn.execute("SELECT xid, id FROM change_log WHERE entity = 'product' AND key = %s", (sku,)).fetchone()


@pytest.fixture
def pg_hq(postgres_url):
    url = fresh_database(postgres_url)
    handle = serve_in_thread(url)
    yield handle, url
    handle.stop()


def test_a_pull_between_out_of_order_commits_does_not_pass_the_open_transaction(pg_hq, make_terminal):
    hq, url = pg_hq
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        start = sync.status()["cursor"]
    with psycopg.connect(url) as first, psycopg.connect(url) as second:
        first.execute(INSERT, ("EARLY", "written first, committed last"))
        second.execute(INSERT, ("LATE", "written second, committed first"))
        second.commit()
        early, late = _change(first, "EARLY"), _change(second, "LATE")
        assert early[1] < late[1]  # the lower change id is the one still open
        with term, sync.connect(hq.url, term.cfg.sync_token) as client:
            between = sync.pull(client)
            assert Product.select().count() == 0  # LATE is held back behind the open EARLY
            assert Cursor.parse(between.cursor) < Cursor(*early)
            assert Cursor.parse(between.cursor) == Cursor.parse(start)
        first.commit()
    with term, sync.connect(hq.url, term.cfg.sync_token) as client:
        after = sync.pull(client)
        assert sorted(p.sku for p in Product.select()) == ["EARLY", "LATE"]
        assert Cursor.parse(after.cursor) >= max(Cursor(*early), Cursor(*late))


def test_an_older_transaction_that_writes_later_still_sorts_after_the_cursor(pg_hq, make_terminal):
    hq, url = pg_hq
    term = enrolled(hq, make_terminal, "t", code="T01")
    with psycopg.connect(url) as old, psycopg.connect(url) as young:
        old.execute("SELECT pg_current_xact_id()")  # takes its transaction id now, writes later
        young.execute(INSERT, ("YOUNG", "lower change id, higher xid"))
        old.execute(INSERT, ("OLD", "higher change id, lower xid"))
        old.commit()
        with term, sync.connect(hq.url, term.cfg.sync_token) as client:
            between = sync.pull(client)
            assert [p.sku for p in Product.select()] == ["OLD"]
        young.commit()
        assert Cursor(*_change(young, "YOUNG")) > Cursor.parse(between.cursor)
    with term, sync.connect(hq.url, term.cfg.sync_token) as client:
        sync.pull(client)
        assert sorted(p.sku for p in Product.select()) == ["OLD", "YOUNG"]
