"""Push idempotency, conflicts, pages and cursor, convergence, clock offset, lost responses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest

from hq.models import PushRejection
from hq.server import serve_in_thread
from models import attention, clock
from models.catalog import Product, product_by_sku
from models.hq import CURSOR, get_state, remote_levels
from models.ledger import COUNT, RECEIPT, SALE, StockEvent, on_hand, verify_levels
from models.ops.recording import record_stock
from models.ops.selling import Payment, SaleLine, sell
from models.orders import Order
from models.outbox import OutboxEntry, pending_count
from models.store import actor_for
from sync import client as sync
from sync.wire import API, gzip_json
from tests import factories
from tests.sync.conftest import at, enrolled


def _seed(hq, *skus: str) -> None:
    with at(hq.database):
        for sku in skus:
            factories.product(sku)
        factories.user("C1")


def _actor(term):
    return actor_for(term.cfg.terminal, "C1")


def _outbox_items() -> list[dict]:
    return [{"kind": r.kind, "ref": r.ref, "payload": json.loads(r.payload)}
            for r in OutboxEntry.select().order_by(OutboxEntry.id)]


def test_the_same_batch_twice_is_applied_once(hq, make_terminal):
    _seed(hq, "P1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        actor = _actor(term)
        record_stock(actor, product_by_sku("P1"), Decimal(10), RECEIPT)
        sell(actor, [SaleLine(product_by_sku("P1"), Decimal(3), factories.eur("2.50"))],
             [Payment("cash", factories.eur("10"))])
        items = _outbox_items()
    assert len(items) == 3
    headers = {"Authorization": f"Bearer {term.cfg.sync_token}", "Content-Encoding": "gzip"}
    answers = [httpx.post(f"{hq.url}{API}/push", content=gzip_json({"items": items}), headers=headers).json()
               for _ in range(2)]
    assert answers[0]["accepted"] == answers[1]["accepted"] == [i["ref"] for i in items]
    assert answers[1]["rejected"] == []
    with at(hq.database):
        assert StockEvent.select().count() == 2
        assert on_hand(factories.location("STORE1"), Product.get(Product.sku == "P1")) == 7
        order = Order.get()
        assert order.total == Decimal("7.5") and [li.sku for li in order.lines] == ["P1"]
        assert all(e.received_at is not None for e in StockEvent.select())
        assert verify_levels() == []


def test_same_id_with_different_content_is_rejected_recorded_and_filed_for_attention(hq, make_terminal):
    _seed(hq, "P1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        event = record_stock(_actor(term), product_by_sku("P1"), Decimal(4), RECEIPT)
        assert sync.run_sync(term.cfg).ok
        forged = event.payload() | {"quantity": "40"}
        OutboxEntry.create(kind="stock_event", ref=event.id, payload=json.dumps(forged))
        result = sync.run_sync(term.cfg)
        assert result.ok and [r["ref"] for r in result.push.rejected] == [event.id]
        assert pending_count() == 0
        [item] = attention.open_items(attention.REJECTED)
        assert item.ref == event.id and "different content" in item.message and '"40"' in item.payload
    with at(hq.database):
        assert StockEvent.get_by_id(event.id).quantity == 4
        assert PushRejection.get().ref == event.id


def test_pull_comes_in_pages_and_the_cursor_moves_only_forward(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        start = get_state(CURSOR)
    _seed(hq, *[f"P{i}" for i in range(7)])
    with term, sync.connect(hq.url, term.cfg.sync_token) as client:
        first = sync.pull(client, page_size=3)
        assert first.pages >= 3 and first.applied.counts["products"] >= 7
        assert Product.select().count() == 7
        cursor = get_state(CURSOR)
        assert cursor == first.cursor and cursor != start
        again = sync.pull(client, page_size=3)
        assert again.pages == 1 and again.applied.counts == {} and get_state(CURSOR) == cursor
    with at(hq.database):
        Product.update(name="Renamed").where(Product.sku == "P3").execute()
    with term, sync.connect(hq.url, term.cfg.sync_token) as client:
        later = sync.pull(client)
        assert later.applied.changed_skus == ["P3"] and Product.get(Product.sku == "P3").name == "Renamed"


def test_terminals_of_one_location_converge_and_others_see_a_snapshot(hq, make_terminal):
    _seed(hq, "P1", "P2")
    t1 = enrolled(hq, make_terminal, "t1", code="T01")
    t2 = enrolled(hq, make_terminal, "t2", code="T02")
    far = enrolled(hq, make_terminal, "far", "STORE2", code="T09")
    with t1:
        record_stock(_actor(t1), product_by_sku("P1"), Decimal(20), RECEIPT)
        record_stock(_actor(t1), product_by_sku("P2"), Decimal(5), RECEIPT)
    with t2:
        record_stock(_actor(t2), product_by_sku("P1"), Decimal(-2), SALE)
        later = clock.now() + dt.timedelta(seconds=1)
        record_stock(_actor(t2), product_by_sku("P2"), Decimal(3), COUNT, occurred_at=later)
    for term in (t1, t2, t1, far):
        with term:
            assert sync.run_sync(term.cfg).ok
    levels = []
    for database in (hq.database, t1.database, t2.database):
        with at(database):
            store = factories.location("STORE1")
            levels.append([on_hand(store, product_by_sku(s)) for s in ("P1", "P2")])
            assert verify_levels() == []
    assert levels == [[18, 3]] * 3
    with far:
        snapshot = {(r.location_code, r.sku): r.on_hand for r in remote_levels("P1") + remote_levels("P2")}
        assert snapshot == {("STORE1", "P1"): 18, ("STORE1", "P2"): 3}
        assert StockEvent.select().count() == 0  # another location's events stay there


def test_the_terminal_keeps_head_offices_clock_offset(tmp_path, make_terminal):
    ahead = dt.timedelta(hours=2)
    hq = serve_in_thread(str(tmp_path / "skewed.db"),
                         now=lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None) + ahead)
    try:
        _seed(hq, "P1")
        term = enrolled(hq, make_terminal, "t", code="T01")
        with term:
            assert abs(clock.get_offset() - ahead) < dt.timedelta(seconds=2)
            clock.set_offset(dt.timedelta(0))
            result = sync.run_sync(term.cfg)  # measured again on every request
            assert abs(result.clock_offset - ahead) < dt.timedelta(seconds=2)
            assert abs(sync.status()["clock_offset_seconds"] - ahead.total_seconds()) < 2
            event = record_stock(_actor(term), product_by_sku("P1"), Decimal(1), RECEIPT)
            assert abs(event.occurred_at - (dt.datetime.now(dt.UTC).replace(tzinfo=None) + ahead)) < dt.timedelta(seconds=2)
            assert sync.run_sync(term.cfg).ok
        with at(hq.database):
            stored = StockEvent.get_by_id(event.id)
            assert stored.occurred_at == event.occurred_at
            assert abs(stored.received_at - stored.occurred_at) < dt.timedelta(seconds=5)
    finally:
        hq.stop()


class LoseFirstPushResponse(httpx.BaseTransport):
    """The network at its worst moment: the request reaches head office, the answer never comes back."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.cut = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.url.path.endswith("/push") and not self.cut:
            response.read()  # head office has answered, so it has committed
            response.close()
            self.cut += 1
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


def test_outbox_rows_stay_until_head_office_answers_and_a_resend_applies_once(hq, make_terminal):
    _seed(hq, "P1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    transport = LoseFirstPushResponse()
    with term:
        actor = _actor(term)
        for qty in (5, 6, 7):
            record_stock(actor, product_by_sku("P1"), Decimal(qty), RECEIPT)
        failed = sync.run_sync(term.cfg, transport=transport)
        assert not failed.ok and "ReadError" in failed.error and transport.cut == 1
        assert pending_count() == 3 and OutboxEntry.select().where(OutboxEntry.attempts == 1).count() == 3
    with at(hq.database):
        assert StockEvent.select().count() == 3  # committed before the cut
    with term:
        resent = sync.run_sync(term.cfg, transport=transport)
        assert resent.ok and resent.push.accepted == 3 and pending_count() == 0
        assert attention.open_count() == 0
    with at(hq.database):
        assert StockEvent.select().count() == 3
        assert on_hand(factories.location("STORE1"), Product.get(Product.sku == "P1")) == 18


def test_a_sync_records_its_end_offset_and_cursor_together(hq, make_terminal):
    _seed(hq, "P1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        record_stock(_actor(term), product_by_sku("P1"), Decimal(2), RECEIPT)
        result = sync.run_sync(term.cfg)
        assert result.ok and result.pull.finished
        status = sync.status()
        assert status["last_sync_at"] == clock.iso(result.finished_at) and status["last_error"] is None
        assert status["clock_offset_seconds"] == result.clock_offset.total_seconds()
        assert status["cursor"] == result.pull.cursor == get_state(CURSOR)
    hq.stop()
    with term:
        failed = sync.run_sync(term.cfg)
        assert not failed.ok and not failed.pull.finished
        status = sync.status()
        assert status["last_error"] == failed.error and status["last_error_at"] == clock.iso(failed.finished_at)
        assert status["last_sync_at"] == clock.iso(result.finished_at)


class CountingTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path.removeprefix(API))
        return self.inner.handle_request(request)


def test_a_sync_with_something_to_push_gets_its_first_page_with_the_answer(hq, make_terminal):
    _seed(hq, "P1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    other = enrolled(hq, make_terminal, "u", code="T02")
    with other:
        record_stock(_actor(other), product_by_sku("P1"), Decimal(4), RECEIPT)
        assert sync.run_sync(other.cfg).ok
    with at(hq.database):
        factories.product("P2")
    transport = CountingTransport()
    with term:
        record_stock(_actor(term), product_by_sku("P1"), Decimal(2), RECEIPT)
        result = sync.run_sync(term.cfg, transport=transport)
        assert result.ok and transport.paths == ["/push"]  # one request for the whole sync
        assert product_by_sku("P2").sku == "P2"  # the page came back with the push's answer...
        assert on_hand(factories.location("STORE1"), product_by_sku("P1")) == 6  # ...T02's receipt too
        assert result.pull.cursor == get_state(CURSOR) and result.pull.finished
        again = sync.run_sync(term.cfg, transport=transport)  # nothing to push: a pull of its own
        assert again.ok and transport.paths == ["/push", "/pull"]


def test_a_push_with_a_cursor_head_office_cannot_read_applies_nothing(hq, make_terminal):
    _seed(hq, "P1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        record_stock(_actor(term), product_by_sku("P1"), Decimal(2), RECEIPT)
        with sync.connect(hq.url, term.cfg.sync_token) as client:
            response = client.post(f"{API}/push", params={"pull_cursor": "not-a-cursor"},
                                   content=gzip_json({"items": _outbox_items()}),
                                   headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert response.status_code == 422 and "cursor" in response.json()["detail"]
    assert response.headers["content-type"] == "application/problem+json"
    with at(hq.database):
        assert StockEvent.select().count() == 0


@pytest.mark.parametrize("body, says", [(b"not json", "Unreadable push body"), (b'{"items": 3}', "valid list"),
                                        (b'[1, 2]', "JSON object")])
def test_a_push_body_head_office_cannot_read_is_refused_whole(hq, make_terminal, body, says):
    term = enrolled(hq, make_terminal, "t", code="T01")
    with sync.connect(hq.url, term.cfg.sync_token) as client:
        response = client.post(f"{API}/push", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and says in response.json()["detail"]
    assert response.json()["status"] == 400 and response.json()["title"] == "Bad Request"
    with at(hq.database):
        assert StockEvent.select().count() == 0


def test_an_item_that_does_not_read_is_rejected_alone(hq, make_terminal):
    term = enrolled(hq, make_terminal, "t", code="T01")
    with sync.connect(hq.url, term.cfg.sync_token) as client:
        response = client.post(f"{API}/push", content=b'{"items": [{"kind": "stock_event"}]}',
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    [rejected] = response.json()["rejected"]
    assert rejected["index"] == 0 and "payload: Field required" in rejected["reason"]
