"""Head office as a hostile integrator, a broken terminal or a careless migration tries it.

Every case answers a 4xx problem or rejects the item alone with its reason: never a 5xx, and
nothing refused is written (a digest of the data tables is the same before and after).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid

import httpx
import pytest

from models import clock
from models.catalog import Barcode, Price, Product
from models.ledger import StockEvent, StockLevel
from models.orders import Order, OrderLine, Tender
from models.stock_docs import Transfer, TransferLine
from sync.wire import API
from tests import factories
from tests.sync.conftest import at, enrolled

TABLES = (Product, Barcode, Price, StockEvent, StockLevel, Order, OrderLine, Tender, Transfer, TransferLine)


def digest(hq) -> str:
    with at(hq.database):
        h = hashlib.sha256()
        for model in TABLES:
            for row in model.select().order_by(model._meta.primary_key).tuples():
                h.update(repr(row).encode())
        return h.hexdigest()


def event(**changes) -> dict:
    body = {"id": str(uuid.uuid4()), "location": "STORE1", "sku": "P1", "bin": "", "lot": "", "expiry": None,
            "quantity": "5", "kind": "receipt", "reason": "", "occurred_at": clock.iso(clock.now()),
            "terminal": "T01", "user": "C1", "reference": ""}
    return body | changes


def order(**changes) -> dict:
    body = {"number": f"S-T01-{uuid.uuid4().hex[:6]}", "kind": "sale", "channel": "counter", "location": "STORE1",
            "terminal": "T01", "user": "C1", "currency": "EUR", "subtotal": "2.50", "discount": "0", "tax": "0",
            "total": "2.50", "status": "ordered", "created_at": clock.iso(clock.now()),
            "lines": [{"sku": "P1", "quantity": "1", "unit_price": "2.50", "total": "2.50"}],
            "tenders": [{"kind": "cash", "amount": "2.50"}]}
    return body | changes


BAD_EVENTS = {
    "location is a list": event(location=["STORE1"]),
    "location is an object": event(location={"code": "STORE1"}),
    "another location": event(location="STORE2"),
    "another terminal": event(terminal="T09"),
    "quantity NaN": event(quantity="NaN"),
    "quantity Infinity": event(quantity="Infinity"),
    "quantity 1e30": event(quantity="1e30"),
    "quantity 2**70": event(quantity=2**70),
    "quantity finer than the unit": event(quantity="0.0001"),
    "quantity finer than a whole unit": event(quantity="0.5"),
    "quantity not a number": event(quantity="five"),
    "dated 1970": event(occurred_at="1970-01-01T00:00:00"),
    "dated 2999": event(occurred_at="2999-01-01T00:00:00", kind="count", quantity="1000"),
    "dated 9999": event(occurred_at="9999-12-31T23:59:59"),
    "date not a date": event(occurred_at="yesterday"),
    "bin of 10 KB": event(bin="B" * 10_000),
    "lot of 10 KB": event(lot="L" * 10_000),
    "terminal of 10 KB": event(terminal="T" * 10_000),
    "id no UUID": event(id="not-a-uuid"),
    "NUL in the bin": event(bin="A\x001"),
    "unknown kind of event": event(kind="teleport"),
    "unknown scope": event(kind="count", scope="galaxy"),
    "expiry in the year 20000": event(expiry="20000-01-01"),
}
BAD_ITEMS = {
    **{name: {"kind": "stock_event", "ref": str(doc["id"])[:64], "payload": doc} for name, doc in BAD_EVENTS.items()},
    "order with no location": {"kind": "order", "ref": "S-X", "payload": order(location=None)},
    "order for another location": {"kind": "order", "ref": "S-X", "payload": order(location="STORE2")},
    "order as another terminal": {"kind": "order", "ref": "S-X", "payload": order(terminal="T09")},
    "order total of 1e25": {"kind": "order", "ref": "S-X", "payload": order(total="1e25")},
    "order line quantity 1e13": {"kind": "order", "ref": "S-X", "payload": order(
        lines=[{"sku": "P1", "quantity": "10000000000000", "unit_price": "1", "total": "1"}])},
    "transfer between two others": {"kind": "transfer", "ref": "TR-1", "payload": {
        "number": "TR-1", "source": "STORE2", "destination": "WH1", "lines": []}},
    "unknown kind": {"kind": "teleport", "ref": "x", "payload": {}},
    "payload not an object": {"kind": "stock_event", "ref": "x", "payload": [1, 2]},
    "item not an object": 3,
    "ref of 10 KB": {"kind": "stock_event", "ref": "R" * 10_000, "payload": event()},
    "product without a name": {"kind": "product", "ref": "NEW1", "payload": {"sku": "NEW1"}},
    "product with a 1 KB unit": {"kind": "product", "ref": "NEW2", "payload": {"sku": "NEW2", "name": "x",
                                                                              "unit": "u" * 1000}},
}


@pytest.fixture
def shop(hq, make_terminal):
    with at(hq.database):
        factories.product("P1")
        factories.user("C1")
        factories.actor("T09", "STORE2")
        factories.actor("W01", "WH1", kind="warehouse")
    term = enrolled(hq, make_terminal, "t", "STORE1", "T01")
    client = httpx.Client(base_url=hq.url, headers={"Authorization": f"Bearer {term.cfg.sync_token}"}, timeout=30)
    yield hq, client
    client.close()


def test_every_bad_item_is_rejected_alone_and_writes_nothing(shop):
    hq, client = shop
    before = digest(hq)
    names = list(BAD_ITEMS)
    response = client.post(f"{API}/push", json={"items": [BAD_ITEMS[name] for name in names]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["accepted"] == []
    rejected = {r["index"]: r for r in body["rejected"]}
    assert sorted(rejected) == list(range(len(names))), [names[i] for i in range(len(names)) if i not in rejected]
    for index, name in enumerate(names):
        reason = rejected[index]["reason"]
        assert reason and len(reason) < 600, (name, reason)
        assert "B" * 200 not in reason and "L" * 200 not in reason  # an excerpt, never the whole input
    assert digest(hq) == before


@pytest.mark.parametrize("name", ["quantity NaN", "dated 2999", "another terminal", "bin of 10 KB"])
def test_a_bad_item_does_not_hold_up_the_good_ones_behind_it(shop, name):
    hq, client = shop
    good = event()
    response = client.post(f"{API}/push", json={"items": [BAD_ITEMS[name], {"kind": "stock_event", "ref": good["id"],
                                                                            "payload": good}]})
    assert response.status_code == 200 and response.json()["accepted"] == [good["id"]]
    with at(hq.database):
        assert [e.id for e in StockEvent.select()] == [good["id"]]


def test_a_rejection_keeps_only_an_excerpt_of_a_huge_payload(shop):
    from hq.models import PushRejection

    hq, client = shop
    huge = event(reason="R" * 5_000_000, quantity="NaN")
    assert client.post(f"{API}/push", json={"items": [{"kind": "stock_event", "ref": huge["id"],
                                                        "payload": huge}]}).status_code == 200
    with at(hq.database):
        [kept] = PushRejection.select()
        assert len(kept.payload) < 3000 and "characters in all" in kept.payload


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    assert len(response.content) < 2000  # never the input echoed back
    return body


REQUESTS = {
    "enrol token with a lone surrogate": ("POST", f"{API}/enroll", {"content": b'{"token": "\\ud800"}'}, (400, 401, 422)),
    "enrol token of 10 KB": ("POST", f"{API}/enroll", {"json": {"token": "x" * 10_000}}, (422,)),
    "enrol token a number": ("POST", f"{API}/enroll", {"json": {"token": 3}}, (422,)),
    "enrol body not JSON": ("POST", f"{API}/enroll", {"content": b"\xff\xfe"}, (422,)),
    "enrol body of 17 MB": ("POST", f"{API}/enroll", {"content": b'{"token": "' + b"x" * (17 * 1024 * 1024) + b'"}'},
                            (413,)),
    "pull cursor past 64 bits": ("GET", f"{API}/pull?cursor=0-99999999999999999999", {}, (422,)),
    "pull cursor free text": ("GET", f"{API}/pull?cursor=abc", {}, (422,)),
    "pull limit of a million": ("GET", f"{API}/pull?limit=1000000", {}, (422,)),
    "push cursor past 64 bits": ("POST", f"{API}/push?pull_cursor=99999999999999999999-0", {"json": {"items": []}},
                                 (422,)),
    "push gzip that is not gzip": ("POST", f"{API}/push", {"content": b"plain", "headers": {
        "Content-Encoding": "gzip"}}, (400,)),
    "push in an unknown encoding": ("POST", f"{API}/push", {"content": b"x", "headers": {
        "Content-Encoding": "br"}}, (400,)),
    "push gzip bomb": ("POST", f"{API}/push", {"content": gzip.compress(b"{" + b" " * (40 * 1024 * 1024)),
                                               "headers": {"Content-Encoding": "gzip"}}, (413,)),
    "push over the body limit": ("POST", f"{API}/push", {"content": b" " * (17 * 1024 * 1024)}, (413,)),
    "push items not a list": ("POST", f"{API}/push", {"json": {"items": "all"}}, (400,)),
    "push of 100,000 items": ("POST", f"{API}/push", {"json": {"items": [1] * 100_000}}, (400,)),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_a_request_that_cannot_be_read_gets_a_4xx_problem_and_changes_nothing(shop, name):
    hq, client = shop
    method, path, options, statuses = REQUESTS[name]
    before = digest(hq)
    response = client.request(method, path, **options)
    assert response.status_code in statuses, (name, response.status_code, response.text[:300])
    problem(response, response.status_code)
    assert digest(hq) == before


def test_without_a_credential_the_body_is_not_read(shop):
    hq, client = shop

    def body():
        yield b'{"items": ['
        for _ in range(100):  # 100 MB if it were read
            yield b" " * (1024 * 1024)
        yield b"]}"

    with httpx.Client(base_url=hq.url, timeout=30) as stranger:
        response = stranger.post(f"{API}/push", content=body(), headers={"Authorization": "Bearer nope"})
    body_json = problem(response, 401)
    assert "credential" in body_json["detail"]


def test_the_openapi_document_resolves_and_documents_the_refusals(shop):
    hq, client = shop
    spec = client.get("/openapi.json").json()
    text = json.dumps(spec)
    for ref in set(__import__("re").findall(r'"\$ref": "#/components/schemas/([^"]+)"', text)):
        assert ref in spec["components"]["schemas"], ref
    assert "$defs" not in text
    push = spec["paths"][f"{API}/push"]["post"]
    assert {"400", "401", "413", "422", "503"} <= set(push["responses"])
    assert push["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PushRequest"}


def test_a_busy_database_answers_503_with_retry_after_and_the_client_retries(shop, hq_url):
    import sqlite3
    import threading

    from sync import client as sync

    hq, client = shop
    if "://" in hq_url:
        pytest.skip("SQLite's write lock; PostgreSQL queues writers on row locks instead")
    holder = sqlite3.connect(hq_url, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the database longer than head office waits
    first, second = event(), event()
    try:
        response = client.post(f"{API}/push", json={"items": [{"kind": "stock_event", "ref": first["id"],
                                                                "payload": first}]})
        body = problem(response, 503)
        assert response.headers["retry-after"] == "1" and "busy" in body["detail"]
        # The terminal's client waits as asked and asks again; by then the lock is gone.
        threading.Timer(5.5, holder.rollback).start()
        answer, _ = sync.call(client, "POST", f"{API}/push", json={"items": [
            {"kind": "stock_event", "ref": second["id"], "payload": second}]})
        assert answer["accepted"] == [second["id"]]
    finally:
        holder.close()
    with at(hq.database):
        assert [e.id for e in StockEvent.select()] == [second["id"]]
