"""The terminal keeps its connection to head office between syncs that follow closely, and lets go of
it when sync stops or the terminal's credential changes (counted on a TCP proxy on loopback).

"At once" is well inside the 5 s after which head office closes an idle connection itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sync import client as sync
from sync.scheduler import SyncScheduler
from tests.sync.conftest import TerminalStore, enrolled
from tests.sync.proxy import FaultProxy
from tests.sync.test_scheduler import wait_for

AT_ONCE = 1.0  # seconds


@pytest.fixture
def behind_proxy(hq, make_terminal) -> Iterator[tuple[TerminalStore, FaultProxy]]:
    """An enrolled terminal that reaches head office through the proxy, synced once."""
    term = enrolled(hq, make_terminal, "t", code="T01")
    with FaultProxy(hq.url) as proxy:
        term.cfg.sync_url = proxy.url
        with term:
            assert sync.run_sync(term.cfg).ok
        yield term, proxy
    sync.close_idle()


def test_syncs_in_quick_succession_share_one_connection_and_stopping_sync_closes_it(behind_proxy):
    term, proxy = behind_proxy
    with term:
        assert sync.run_sync(term.cfg).ok
    assert (proxy.connections, proxy.open_connections) == (1, 1)

    SyncScheduler(term.cfg, database=term.database).stop()

    wait_for(lambda: proxy.open_connections == 0, timeout=AT_ONCE)


def test_a_kept_connection_made_for_another_credential_is_closed(behind_proxy):
    term, proxy = behind_proxy
    term.cfg.sync_token = "not-a-credential"
    with term:
        refused = sync.run_sync(term.cfg)

    assert not refused.ok and proxy.connections == 2
    wait_for(lambda: proxy.open_connections == 0, timeout=AT_ONCE)
