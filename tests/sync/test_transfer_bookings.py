"""A transfer is booked in once, even when two terminals of the destination each book it in offline.

Head office keeps the booking that reaches it first and refuses the other; the refused terminal
takes its booking out of its own stock, lists it under Needs attention, and agrees with head office.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from models import attention
from models.catalog import product_by_sku
from models.ledger import TRANSFER_IN, StockEvent, on_hand, verify_levels
from models.ops.transfers import TransferItem, transfer_in, transfer_out
from models.outbox import pending_count
from models.places import Location
from models.stock_docs import Transfer
from models.store import actor_for
from sync import client as sync
from tests import factories
from tests.sync.conftest import at, enrolled


@pytest.fixture
def world(hq, make_terminal):
    """A warehouse terminal and two terminals of STORE1; the warehouse sent 5 × P1 to STORE1 and the
    two store terminals both have the transfer, waiting to be booked in."""
    with at(hq.database):
        factories.product("P1")
        factories.user("C1")
    s1 = enrolled(hq, make_terminal, "s1", code="S01")
    s2 = enrolled(hq, make_terminal, "s2", code="S02")
    wh = enrolled(hq, make_terminal, "wh", location="WH1", code="W01")
    with wh:
        transfer_out(actor_for("W01", "C1"), "STORE1", [TransferItem(product_by_sku("P1"), Decimal(5))])
        assert sync.run_sync(wh.cfg).ok
    for term in (s1, s2):
        with term:
            assert sync.run_sync(term.cfg).ok
    return wh, s1, s2


def _book_in(term, code: str, received: Decimal) -> str:
    with term:
        waiting = Transfer.get(Transfer.status == "sent")
        line = waiting.lines[0]
        transfer_in(actor_for(code, "C1"), waiting, {line.id: received})
        return waiting.number


def _store1_p1() -> Decimal:
    return on_hand(Location.get(Location.code == "STORE1"), product_by_sku("P1"))


def test_the_second_booking_to_reach_head_office_is_refused_and_taken_out_at_its_terminal(hq, world):
    _, s1, s2 = world
    number = _book_in(s1, "S01", Decimal(5))
    _book_in(s2, "S02", Decimal(4))  # offline too: each terminal believes it booked the goods in

    with s1:
        first = sync.run_sync(s1.cfg)
    with s2:
        second = sync.run_sync(s2.cfg)
        assert _store1_p1() == Decimal(5)  # its own booking is out; S01's came with the pull
        assert verify_levels() == [] and pending_count() == 0
        [item] = attention.open_items(attention.REJECTED)
        assert Transfer.get(Transfer.number == number).lines[0].received == Decimal(5)  # head office's figure

    assert first.ok and not first.push.rejected
    assert second.ok and [r["kind"] for r in second.push.rejected] == ["stock_event"]
    assert f"Transfer {number} was already booked in by terminal S01" in item.message
    assert "no longer counts in this terminal's stock" in item.message
    assert json.loads(item.payload)["quantity"] == "4"  # the refused booking is kept whole
    with at(hq.database):
        assert _store1_p1() == Decimal(5)
        assert {e.terminal for e in StockEvent.select().where(StockEvent.kind == TRANSFER_IN)} == {"S01"}
        transfer = Transfer.get(Transfer.number == number)
        assert (transfer.status, transfer.lines[0].received) == ("received", Decimal(5))
    with s1:
        assert sync.run_sync(s1.cfg).ok
        assert _store1_p1() == Decimal(5)


def test_a_booking_document_behind_the_other_terminals_events_is_refused_too(hq, world):
    _, s1, s2 = world
    number = _book_in(s1, "S01", Decimal(5))
    _book_in(s2, "S02", Decimal(4))
    with s1, sync.connect(s1.cfg.sync_url, s1.cfg.sync_token) as client:
        sync.push(client, batch_size=1, max_batches=1)  # S01's event arrives, its document not yet

    with s2:
        second = sync.run_sync(s2.cfg)
    with s1:
        assert sync.run_sync(s1.cfg).ok

    assert sorted(r["kind"] for r in second.push.rejected) == ["stock_event", "transfer"]
    with at(hq.database):
        transfer = Transfer.get(Transfer.number == number)
        assert (transfer.status, transfer.lines[0].received) == ("received", Decimal(5))
        assert _store1_p1() == Decimal(5)
