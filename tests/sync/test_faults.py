"""A real terminal, a real head office, and a TCP proxy between them that cuts connections.

Whatever the cut, sync fails cleanly (a `SyncError`, recorded as the last error), the outbox keeps
every row head office has not acknowledged, and once the network is back one more sync leaves head
office with each event exactly once and the outbox empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from models.catalog import Product, product_by_sku
from models.hq import CURSOR, LAST_ERROR, get_state
from models.ledger import StockEvent, verify_levels
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.selling import Payment, SaleLine, sell
from models.orders import Order
from models.outbox import OutboxEntry, pending_count
from models.store import actor_for
from sync import client as sync
from tests import factories
from tests.sync.conftest import at, enrolled
from tests.sync.proxy import DOWN, UP, Fault, FaultProxy

PUSH, PULL = b"POST /v1/push", b"GET /v1/pull"
SKUS = ("F1", "F2", "F3", "F4", "F5")


@pytest.fixture
def proxy(hq) -> Iterator[FaultProxy]:
    with FaultProxy(hq.url) as p:
        yield p


@pytest.fixture
def terminal(hq, make_terminal, proxy):
    """Enrolled directly, then pointed at the proxy; holds 26 unsent events and one sale."""
    with at(hq.database):
        for sku in SKUS:
            factories.product(sku)
        factories.user("C1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    term.cfg.sync_url = proxy.url
    with term:
        _make_outbox(term, receipts=25)
    return term


def _make_outbox(term, receipts: int) -> None:
    actor = actor_for(term.cfg.terminal, "C1")
    lines = [ReceivedLine(product_by_sku(SKUS[i % len(SKUS)]), Decimal(i + 1)) for i in range(receipts)]
    receive_goods(actor, lines)
    sell(actor, [SaleLine(product_by_sku("F1"), Decimal(2), factories.eur("2.50"))],
         [Payment("cash", factories.eur("5"))])


def _local_event_ids() -> set[str]:
    return {e.id for e in StockEvent.select(StockEvent.id)}


def _hq_state(hq) -> tuple[int, set[str], int]:
    with at(hq.database):
        return StockEvent.select().count(), {e.id for e in StockEvent.select(StockEvent.id)}, Order.select().count()


def _resync_and_check(hq, term, proxy) -> None:
    proxy.clear()
    with term:
        result = sync.run_sync(term.cfg)
        assert result.ok, result.error
        assert pending_count() == 0 and get_state(LAST_ERROR) == ""
        mine = _local_event_ids()
    count, ids, orders = _hq_state(hq)
    assert count == len(ids) == len(mine) == 26 and ids == mine  # each event exactly once
    assert orders == 1
    with at(hq.database):
        assert verify_levels() == []


@pytest.mark.parametrize("after", [0, 25, 180, 600])
def test_a_push_request_cut_on_its_way_loses_nothing_and_applies_nothing(hq, terminal, proxy, after):
    proxy.cut(Fault(UP, after=after, trigger=PUSH))
    with terminal:
        before = pending_count()
        result = sync.run_sync(terminal.cfg)
        assert not result.ok and result.error.startswith("Head office unreachable")
        assert get_state(LAST_ERROR) == result.error
        assert pending_count() == before == 27
        assert OutboxEntry.select().where(OutboxEntry.attempts == 1).count() == 27
    assert proxy.cuts == [(UP, after)]
    assert _hq_state(hq)[0] == 0  # head office never saw a whole request
    _resync_and_check(hq, terminal, proxy)


@pytest.mark.parametrize("after", [0, 60, 400])
def test_a_push_answer_cut_on_its_way_back_keeps_the_rows_and_the_resend_applies_once(hq, terminal, proxy, after):
    proxy.cut(Fault(DOWN, after=after, trigger=PUSH))
    with terminal:
        result = sync.run_sync(terminal.cfg)
        assert not result.ok and result.error.startswith("Head office unreachable")
        assert pending_count() == 27  # the terminal never heard head office say yes
    assert proxy.cuts == [(DOWN, after)]
    count, _, orders = _hq_state(hq)
    assert count == 26 and orders == 1  # ... but head office had committed
    _resync_and_check(hq, terminal, proxy)


def test_push_itself_raises_sync_error_on_a_cut(hq, terminal, proxy):
    proxy.cut(Fault(DOWN, after=10, trigger=PUSH))
    with terminal, sync.connect(proxy.url, terminal.cfg.sync_token) as client, pytest.raises(sync.SyncError):
        sync.push(client)
    _resync_and_check(hq, terminal, proxy)


def test_a_cut_in_the_second_batch_keeps_only_the_unacknowledged_rows(hq, terminal, proxy):
    proxy.cut(Fault(DOWN, after=100, trigger=PUSH, skip=1))
    with terminal, sync.connect(proxy.url, terminal.cfg.sync_token) as client:
        with pytest.raises(sync.SyncError):
            sync.push(client, batch_size=10)
        assert pending_count() == 17  # the first ten were acknowledged and deleted
    assert _hq_state(hq)[0] == 20  # the second batch was committed before its answer was lost
    _resync_and_check(hq, terminal, proxy)


@pytest.mark.parametrize(("trigger", "direction", "after"),
                         [(PULL, UP, 5), (PULL, DOWN, 0), (PULL, DOWN, 300), (PUSH, DOWN, 0), (PUSH, DOWN, 200)])
def test_a_cut_page_leaves_the_cursor_where_it_was(hq, terminal, proxy, trigger, direction, after):
    """A cut pull, or a cut push answer that carried the first page: the terminal applies nothing."""
    with terminal:
        if trigger == PULL:
            # A sync with something to push gets its first page with the push's answer; with
            # nothing to push it pulls on its own, which is what is cut here.
            assert sync.run_sync(terminal.cfg).ok
        cursor = get_state(CURSOR)
    with at(hq.database):
        factories.product("NEW")
    proxy.cut(Fault(direction, after=after, trigger=trigger))
    with terminal:
        result = sync.run_sync(terminal.cfg)
        assert not result.ok and result.error.startswith("Head office unreachable")
        # Pushed and answered before: nothing to resend; an answer lost with its page: all of it.
        assert pending_count() == (0 if trigger == PULL else 27)
        assert get_state(CURSOR) == cursor
        assert Product.get_or_none(Product.sku == "NEW") is None
    _resync_and_check(hq, terminal, proxy)
    with terminal:
        assert product_by_sku("NEW").sku == "NEW" and get_state(CURSOR) != cursor


def test_a_head_office_that_is_down_is_a_clean_failure(hq, terminal, proxy):
    hq.stop()
    with terminal:
        result = sync.run_sync(terminal.cfg, timeout=2)
        assert not result.ok and result.error.startswith("Head office unreachable")
        assert pending_count() == 27
