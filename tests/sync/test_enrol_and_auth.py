"""Enrolment, bearer credentials, revocation, and the location rule."""

from __future__ import annotations

import json
import logging
import tomllib

import pytest

from models import attention
from models.catalog import Product, current_price, find_by_code
from models.ledger import StockEvent
from models.outbox import OutboxEntry, enqueue, pending_count
from models.people import authenticate
from sync import client as sync
from sync.hq import auth
from sync.hq.models import TerminalCredential
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


def test_events_for_another_location_are_refused_with_403_and_logged(hq, make_terminal, caplog):
    with at(hq.database):
        factories.product("P1")
        factories.actor("T09", "STORE2")
    term = enrolled(hq, make_terminal, "t", "STORE1", "T01")
    foreign = {"id": "0190a0b0-0000-7000-8000-000000000001", "location": "STORE2", "sku": "P1", "bin": "",
               "lot": "", "expiry": None, "quantity": "5", "kind": "receipt", "reason": "",
               "occurred_at": "2025-01-01T10:00:00.000000", "terminal": "T01", "user": "C1", "reference": ""}
    with term:
        enqueue("stock_event", foreign["id"], foreign)
        caplog.set_level(logging.WARNING, logger="counter.hq")
        result = sync.run_sync(term.cfg)
        assert not result.ok and "403" in result.error
        assert pending_count() == 1  # kept: nothing was acknowledged
    assert any(getattr(r, "fields", {}).get("event") == "forbidden_location" for r in caplog.records)
    with at(hq.database):
        assert StockEvent.select().count() == 0


def test_add_terminal_refuses_a_taken_code(hq):
    add_terminal(hq, "STORE1", "T01")
    with pytest.raises(Exception, match="already exists"):
        add_terminal(hq, "STORE1", "T01")
    with at(hq.database):
        assert [c.code for c in auth.list_terminals()] == ["T01"]
        assert Product.select().count() == 0 and OutboxEntry.select().count() == 0
        assert attention.open_count() == 0


def test_tokens_never_look_like_command_line_options():
    from sync.hq.auth import new_token

    tokens = [new_token() for _ in range(500)]
    assert all(t.startswith("cnt_") and len(t) > 40 for t in tokens)
    assert len(set(tokens)) == 500
