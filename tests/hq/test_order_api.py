"""The channels' door over real HTTP: keys, idempotency, refusals, Shopify's webhook, the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from cli.main import cli
from hq.orders import shopify
from hq.orders.tables import Channel, ChannelOrder, IdempotencyRecord
from hq.server import HQHandle, serve_in_thread
from models.db import bind
from models.orders import Order

from .conftest import order_doc, shop, stock


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[HQHandle, httpx.Client]]:
    handle = serve_in_thread(str(tmp_path / "hq.db"))
    with bind(handle.database), handle.database.connection_context():
        key = shop().key
        stock("WH1", "P1", 5)
        Channel.update(shopify_secret="shhh").execute()
    with httpx.Client(base_url=handle.url, headers={"authorization": f"Bearer {key}"}, timeout=10) as client:
        yield handle, client
    handle.stop()


def orders(handle: HQHandle) -> int:
    with bind(handle.database), handle.database.connection_context():
        return Order.select().count()


def test_intake_is_authenticated_per_channel(office) -> None:
    handle, client = office
    for headers in ({}, {"authorization": "Bearer chn_wrong"}, {"authorization": "Basic abc"}):
        answer = httpx.post(f"{handle.url}/v1/orders", json=order_doc("1"), headers=headers)
        assert answer.status_code == 401 and "channel key" in answer.json()["detail"]
    assert orders(handle) == 0
    spec = httpx.get(f"{handle.url}/openapi.json").json()
    assert "channel" in spec["components"]["securitySchemes"]
    assert spec["paths"]["/v1/orders"]["post"]["security"] == [{"channel": []}]


def test_the_same_order_twice_is_one_order_and_a_key_replays_its_answer(office) -> None:
    handle, client = office
    first = client.post("/v1/orders", json=order_doc("1", [("P1", "2")]), headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and first.json()["status"] == "allocated"
    replay = client.post("/v1/orders", json=order_doc("1", [("P1", "2")]), headers={"Idempotency-Key": "k-1"})
    assert (replay.status_code, replay.json()) == (201, first.json())
    other_body = client.post("/v1/orders", json=order_doc("1", [("P1", "3")]), headers={"Idempotency-Key": "k-1"})
    assert other_body.status_code == 422 and "another body" in other_body.json()["detail"]
    retry = client.post("/v1/orders", json=order_doc("1", [("P1", "2")]))  # no key: the channel order id decides
    assert retry.status_code == 200 and retry.json()["number"] == first.json()["number"]
    assert orders(handle) == 1
    with bind(handle.database), handle.database.connection_context():
        assert IdempotencyRecord.select().count() == 1


def test_refusals_name_the_line_and_store_nothing(office) -> None:
    handle, client = office
    answer = client.post("/v1/orders", json=order_doc("2", [("P1", "1"), ("NOPE", "1"), ("P1", "-1")]))
    body = answer.json()
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in body["errors"]] == ["body.lines.2"] and "more than 0" in body["errors"][0]["reason"]
    answer = client.post("/v1/orders", json=order_doc("2", [("P1", "1"), ("NOPE", "1")]))
    assert answer.status_code == 422 and answer.json()["errors"] == [
        {"field": "lines.1.sku", "reason": "unknown SKU 'NOPE': no such product"}]
    answer = client.post("/v1/orders", json=order_doc("2", currency="USD"))
    assert answer.status_code == 422 and "does not sell in USD" in answer.json()["detail"]
    answer = client.post("/v1/orders", content=b"{not json", headers={"content-type": "application/json"})
    assert answer.status_code == 422
    assert orders(handle) == 0


def test_an_order_its_timeline_cancel_and_availability(office) -> None:
    handle, client = office
    number = client.post("/v1/orders", json=order_doc("3", [("P1", "2")])).json()["number"]
    view = client.get(f"/v1/orders/{number}").json()
    assert view["channel_order_id"] == "3" and [e["kind"] for e in view["timeline"]] == [
        "received", "approved", "allocated"]
    assert client.get("/v1/availability", params={"sku": "P1"}).json()["available"] == "3"
    assert client.get("/v1/availability", params={"sku": "P1", "channel": "OTHER"}).status_code == 403
    assert client.get("/v1/availability", params={"sku": "NOPE"}).status_code == 404
    cancelled = client.post(f"/v1/orders/{number}/cancel", json={"note": "customer asked"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.get("/v1/availability", params={"sku": "P1"}).json()["available"] == "5"
    assert client.get("/v1/orders/WEB-nope").status_code == 404


def shopify_order(order_id: int = 450789469, sku: str = "P1") -> dict:
    return {"id": order_id, "name": "#1001", "email": "bob@example.com", "currency": "EUR",
            "created_at": "2026-12-01T10:00:00+01:00", "financial_status": "paid",
            "customer": {"first_name": "Bob", "last_name": "Norman", "phone": "+4930555"},
            "shipping_address": {"name": "Bob Norman", "address1": "Chestnut Street 92", "city": "Berlin",
                                 "zip": "10115", "country_code": "DE"},
            "shipping_lines": [{"code": "Express", "title": "Express"}],
            "line_items": [{"sku": sku, "quantity": 1, "price": "9.90"}]}


def test_shopify_orders_create_is_verified_mapped_and_taken_once(office) -> None:
    handle, _ = office
    url = f"{handle.url}/v1/channels/web/shopify/orders-create"
    body = json.dumps(shopify_order()).encode()
    bad = httpx.post(url, content=body, headers={"X-Shopify-Hmac-Sha256": shopify.sign("wrong", body)})
    assert bad.status_code == 401 and orders(handle) == 0
    good = {"X-Shopify-Hmac-Sha256": shopify.sign("shhh", body), "content-type": "application/json"}
    answer = httpx.post(url, content=body, headers=good)
    assert answer.status_code == 200 and answer.json()["accepted"] and answer.json()["created"]
    again = httpx.post(url, content=body, headers=good)
    assert again.json() == {"accepted": True, "number": "WEB-450789469", "created": False}
    with bind(handle.database), handle.database.connection_context():
        head = ChannelOrder.get()
        assert (head.payment_status, head.service_level, head.ship_to["postcode"]) == ("captured", "express", "10115")
        assert head.contact == {"name": "Bob Norman", "email": "bob@example.com", "phone": "+4930555"}
    unknown = json.dumps(shopify_order(2, sku="GONE")).encode()
    refused = httpx.post(url, content=unknown, headers={"X-Shopify-Hmac-Sha256": shopify.sign("shhh", unknown)})
    assert refused.status_code == 200 and not refused.json()["accepted"] and "GONE" in refused.json()["reason"]
    assert orders(handle) == 1


def test_cli_add_channel_prints_the_key_once_and_imports_orders(tmp_path: Path) -> None:
    db = str(tmp_path / "hq.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["hq", "add-location", "WH1", "--kind", "warehouse", "--db", db]).exit_code == 0
    added = runner.invoke(cli, ["hq", "add-channel", "market", "--db", db, "--json"])
    assert added.exit_code == 0, added.output
    key = json.loads(added.output)["key"]
    assert key.startswith("chn_")
    listed = runner.invoke(cli, ["hq", "list-channels", "--db", db])
    assert "MARKET" in listed.output and key not in listed.output
    from hq.server import connect_database, prepare
    from tests import factories

    database = connect_database(db)
    prepare(database)
    with bind(database), database.connection_context():
        factories.product("P1")
        stock("WH1", "P1", 3)
    database.close()
    file = tmp_path / "orders.csv"
    file.write_text("channel_order_id,sku,quantity,unit_price,currency,postcode,country\n"
                    "A1,P1,1,2.50,EUR,10115,DE\nA1,P1,1,2.50,,,\nA2,NOPE,1,2.50,EUR,,\nA3,P1,1,2.50,USD,,\n"
                    "A4,P1,1,2.50,EUR,,\nA4,P1,1,2.50,GBP,,\n", encoding="utf-8")
    dry = runner.invoke(cli, ["hq", "import", "orders", str(file), "--channel", "MARKET", "--dry-run", "--db", db])
    assert dry.exit_code == 1 and "Would take 1 orders" in dry.output and "3 refused" in dry.output, dry.output
    assert "unknown SKU 'NOPE'" in dry.output and "currency is 'GBP' here" in dry.output
    with bind(database), database.connection_context():
        assert Order.select().count() == 0
    real = runner.invoke(cli, ["hq", "import", "orders", str(file), "--channel", "MARKET", "--db", db])
    assert "Took 1 orders" in real.output
    again = runner.invoke(cli, ["hq", "import", "orders", str(file), "--channel", "MARKET", "--db", db])
    assert "Took 0 orders; 1 were taken before" in again.output
    shown = runner.invoke(cli, ["hq", "order", "MARKET-A1", "--db", db])
    assert shown.exit_code == 0 and "allocated" in shown.output and "WH1" in shown.output
    no_channel = runner.invoke(cli, ["hq", "import", "orders", str(file), "--db", db])
    assert no_channel.exit_code != 0 and "--channel" in no_channel.output


def test_stock_pushed_by_a_terminal_places_backordered_orders_at_once(tmp_path: Path) -> None:
    import time
    import uuid

    from hq import auth

    handle = serve_in_thread(str(tmp_path / "hq.db"), broker_every=3600)  # the tick would come in an hour
    try:
        with bind(handle.database), handle.database.connection_context():
            key = shop().key
            token = auth.add_terminal("WH1", "W01").enroll_token
        credential = httpx.post(f"{handle.url}/v1/enroll", json={"token": token}).json()["credential"]
        client = httpx.Client(base_url=handle.url, headers={"authorization": f"Bearer {key}"})
        assert client.post("/v1/orders", json=order_doc("1", [("P1", "2")])).json()["status"] == "backordered"
        event_id = str(uuid.uuid4())
        receipt = {"id": event_id, "location": "WH1", "sku": "P1", "quantity": "5", "kind": "receipt",
                   "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "terminal": "W01", "user": "1"}
        pushed = httpx.post(f"{handle.url}/v1/push", json={"items": [
            {"kind": "stock_event", "ref": event_id, "payload": receipt}]},
            headers={"authorization": f"Bearer {credential}"})
        assert pushed.status_code == 200 and pushed.json()["accepted"] == [event_id], pushed.text
        deadline = time.monotonic() + 10
        while client.get("/v1/orders/WEB-1").json()["status"] != "allocated":
            assert time.monotonic() < deadline, "the backorder was not brokered after the stock arrived"
            time.sleep(0.1)
        assert handle.brokering is not None and handle.brokering.runs >= 1
    finally:
        handle.stop()


def test_cli_review_rules_approval_and_cancel(tmp_path: Path) -> None:
    from hq.server import connect_database, prepare
    from tests import factories

    db = str(tmp_path / "hq.db")
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, ["hq", *args, "--db", db])

    database = connect_database(db)
    prepare(database)
    with bind(database), database.connection_context():
        shop()
        factories.product("P9", price="100.00")
        stock("WH1", "P9", 5)
    database.close()
    assert "No review rules" in run("rules", "list").output
    assert run("rules", "add", "amount_above", "--param", "limit=50").exit_code == 0
    bad = run("rules", "add", "amount_above", "--param", "limit=lots")
    assert bad.exit_code == 1 and "must be an amount" in bad.output
    assert run("setting", "manager_approval_above", "150").exit_code == 0
    file = tmp_path / "o.csv"
    file.write_text("channel_order_id,sku,quantity,unit_price,currency\nX1,P9,2,100,EUR\n", encoding="utf-8")
    assert "Took 1 orders" in run("import", "orders", str(file), "--channel", "WEB").output
    assert "on_hold" in run("order", "WEB-X1").output
    refused = run("approve", "WEB-X1", "--by", "ann", "--note", "ok")
    assert refused.exit_code == 1 and "a manager must approve" in refused.output
    approved = run("approve", "WEB-X1", "--by", "max", "--note", "called", "--role", "manager")
    assert approved.exit_code == 0 and "allocated" in approved.output
    assert run("cancel", "WEB-X1", "--by", "max", "--note", "customer asked").output.strip() == "WEB-X1: cancelled."
    assert run("broker").output.startswith("Brokered 0 orders")
