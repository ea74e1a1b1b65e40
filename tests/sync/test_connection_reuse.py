"""The terminal keeps its connection to head office between syncs that follow closely, and lets go of
it when sync stops or the terminal's credential changes (counted on a TCP proxy on loopback).

"At once" is well inside the 5 s after which head office closes an idle connection itself."""

from __future__ import annotations

from sync import client as sync
from sync.scheduler import SyncScheduler
from tests.sync.conftest import enrolled
from tests.sync.proxy import FaultProxy
from tests.sync.test_scheduler import wait_for

AT_ONCE = 1.0  # seconds


def test_syncs_in_quick_succession_share_one_connection_and_stopping_sync_closes_it(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    with FaultProxy(hq.url) as proxy:
        term.cfg.sync_url = proxy.url
        with term:
            assert sync.run_sync(term.cfg).ok
            assert sync.run_sync(term.cfg).ok
        assert (proxy.connections, proxy.open_connections) == (1, 1)

        SyncScheduler(term.cfg, database=term.database).stop()

        wait_for(lambda: proxy.open_connections == 0, timeout=AT_ONCE)


def test_a_kept_connection_made_for_another_credential_is_closed(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    with FaultProxy(hq.url) as proxy:
        term.cfg.sync_url = proxy.url
        with term:
            assert sync.run_sync(term.cfg).ok
            term.cfg.sync_token = "not-a-credential"
            refused = sync.run_sync(term.cfg)

        assert not refused.ok and proxy.connections == 2
        wait_for(lambda: proxy.open_connections == 0, timeout=AT_ONCE)
    sync.close_idle()
