"""Enrolment, bearer credentials, revocation, and the location rule."""

from __future__ import annotations

import json
import logging
import tomllib

import pytest

from hq import auth
from hq.models import TerminalCredential
from models import attention, clock
from models.catalog import Product, current_price, find_by_code
from models.ledger import StockEvent
from models.outbox import OutboxEntry, enqueue, pending_count
from models.people import authenticate
from sync import client as sync
from tests import factories
from tests.sync.conftest import add_terminal, at, enrolled


def test_enrol_saves_credential_pulls_catalogue_and_users(hq, make_terminal):
    with at(hq.database):
        factories.product("P1", price="3.20", barcode=factories.ean13("400638133393"))
        factories.user("C7", pin="4321")
    new = add_terminal(hq, "STORE1", "T05")
    term = make_terminal("t")
    with term:
        result = sync.enroll(hq.url, new.enroll_token, term.cfg)
        assert (result.terminal, result.location) == ("T05", "STORE1")
        product, pack = find_by_code(factories.ean13("400638133393"))
        assert product.sku == "P1" and pack == 1
        assert str(current_price(product)) == "3.20 EUR"
        assert authenticate("C7", "4321").code == "C7"  # offline login with the pulled PIN hash
    saved = tomllib.loads(term.cfg.path.read_text())
    assert saved["sync"]["url"] == hq.url and saved["terminal"]["code"] == "T05"
    token = saved["sync"]["token"]
    with at(hq.database):
        cred = TerminalCredential.get(TerminalCredential.code == "T05")
        # Only the hash is kept, and the one-time token is spent.
        assert cred.token_hash == auth.token_hash(token) and cred.enroll_hash is None
        assert token not in json.dumps(list(TerminalCredential.select().dicts()), default=str)
    with make_terminal("again"), pytest.raises(sync.AuthError, match="401"):
        sync.enroll(hq.url, new.enroll_token, make_terminal("other").cfg, save=False)


def test_revoked_terminal_gets_401_and_the_error_is_recorded(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        assert sync.run_sync(term.cfg).ok
    with at(hq.database):
        auth.revoke("T01")
    with term:
        result = sync.run_sync(term.cfg)
        assert not result.ok and "401" in result.error
        status = sync.status()
        assert "401" in status["last_error"] and status["last_sync_at"] is not None


def test_an_item_for_another_location_or_terminal_is_refused_alone_and_logged(hq, make_terminal, caplog):
    with at(hq.database):
        factories.product("P1")
        factories.actor("T09", "STORE2")
    term = enrolled(hq, make_terminal, "t", "STORE1", "T01")

    def event(n: int, **changes: str) -> dict:
        return {"id": f"0190a0b0-0000-7000-8000-00000000000{n}", "location": "STORE1", "sku": "P1", "bin": "",
                "lot": "", "expiry": None, "quantity": "5", "kind": "receipt", "reason": "",
                "occurred_at": clock.iso(clock.now()), "terminal": "T01", "user": "C1", "reference": ""} | changes

    foreign, impostor, mine = event(1, location="STORE2"), event(2, terminal="T09"), event(3)
    with term:
        for doc in (foreign, impostor, mine):
            enqueue("stock_event", doc["id"], doc)
        caplog.set_level(logging.WARNING, logger="counter.hq")
        result = sync.run_sync(term.cfg)
        assert result.ok and result.push.accepted == 1  # the good one behind them is not held up
        reasons = [r["reason"] for r in result.push.rejected]
        assert "Terminal T01 belongs to STORE1 and may not write stock for STORE2." in reasons
        assert "Terminal T01 may not write as terminal T09." in reasons
        assert pending_count() == 0 and attention.open_count() == 2
    assert sum(getattr(r, "fields", {}).get("event") == "forbidden_location" for r in caplog.records) == 2
    with at(hq.database):
        assert [e.id for e in StockEvent.select()] == [mine["id"]]


def test_add_terminal_refuses_a_taken_code(hq):
    add_terminal(hq, "STORE1", "T01")
    with pytest.raises(Exception, match="already exists"):
        add_terminal(hq, "STORE1", "T01")
    with at(hq.database):
        assert [c.code for c in auth.list_terminals()] == ["T01"]
        assert Product.select().count() == 0 and OutboxEntry.select().count() == 0
        assert attention.open_count() == 0


def test_tokens_never_look_like_command_line_options():
    from hq.auth import new_token

    tokens = [new_token() for _ in range(500)]
    assert all(t.startswith("cnt_") and len(t) > 40 for t in tokens)
    assert len(set(tokens)) == 500
