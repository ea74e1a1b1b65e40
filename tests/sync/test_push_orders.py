"""Head office files a batch's orders together: the same rows as one by one, refusals per order."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from hq.models import PushRejection
from models.catalog import product_by_sku
from models.money import Money
from models.ops.returning import ReturnLine, refund_value, return_goods
from models.ops.selling import Payment, SaleLine, order_document, sell
from models.orders import Order, OrderStatusChange, Tender
from models.outbox import OutboxEntry
from models.store import actor_for
from sync.wire import API, gzip_json
from tests import factories
from tests.sync.conftest import at, enrolled


def _push(hq, term, items: list[dict]) -> dict:
    headers = {"Authorization": f"Bearer {term.cfg.sync_token}", "Content-Encoding": "gzip"}
    response = httpx.post(f"{hq.url}{API}/push", content=gzip_json({"items": items}), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


_AMOUNTS = {"subtotal", "discount", "tax", "total", "quantity", "unit_price", "amount", "change"}


def _plain(value: object, key: str = "") -> object:
    """A document with its amounts as numbers: "2.50" was stored as 2.5."""
    if isinstance(value, dict):
        return {k: _plain(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return Decimal(value).normalize() if key in _AMOUNTS else value


def _hq_orders() -> dict[str, dict]:
    return {o.number: _plain(order_document(o)) for o in Order.select()}


def test_a_batch_of_orders_lands_as_the_terminal_wrote_them_and_once(hq, make_terminal):
    with at(hq.database):
        factories.product("P1", price="2.50")
        factories.product("P2", price="4.00")
        factories.user("C1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        actor = actor_for("T01", "C1")
        p1, p2 = product_by_sku("P1"), product_by_sku("P2")
        sale = sell(actor, [SaleLine(p1, Decimal(2), factories.eur("2.50")), SaleLine(p2, Decimal(1), factories.eur("4"))],
                    [Payment("cash", factories.eur("5")), Payment("card", factories.eur("4"), "A1B2")])
        other = sell(actor, [SaleLine(p2, Decimal(3), factories.eur("4"))], [Payment("cash", factories.eur("12"))])
        line = sale.lines.first()
        refund = refund_value(line, Decimal(1))
        # A sale and its return in one batch: the return must find the sale it refers to.
        back = return_goods(actor, sale, [ReturnLine(line, Decimal(1), "damaged")],
                            [Payment("cash", Money(refund, "EUR"))])
        items = [{"kind": r.kind, "ref": r.ref, "payload": json.loads(r.payload)}
                 for r in OutboxEntry.select().where(OutboxEntry.kind == "order").order_by(OutboxEntry.id)]
        written = {i["ref"]: _plain(i["payload"]) for i in items}
    unknown = {"kind": "order", "ref": "S-T01-999999",
               "payload": items[0]["payload"] | {"number": "S-T01-999999",
                                                 "lines": [{"sku": "NOPE", "quantity": "1", "total": "1"}]}}
    batch = [*items, items[0], unknown]  # the first order twice, and one naming an unknown product

    answer = _push(hq, term, batch)
    assert answer["accepted"] == [i["ref"] for i in items] + [items[0]["ref"]]
    [refused] = answer["rejected"]
    assert refused["index"] == len(batch) - 1 and "NOPE" in refused["reason"]
    with at(hq.database):
        filed = _hq_orders()
        assert filed == written
        assert Order.get(Order.number == back.number).original.number == sale.number
        histories = {o.number: [(h.status, h.by) for h in OrderStatusChange.select().where(
            OrderStatusChange.order == o)] for o in Order.select()}
        assert histories == {number: [(doc["status"], doc["user"])] for number, doc in written.items()}
        assert sale.number in filed and back.number in filed and other.number in filed
        tenders = Tender.select().count()
        assert PushRejection.select().where(PushRejection.ref == "S-T01-999999").count() == 1

    again = _push(hq, term, batch)
    assert again["accepted"] == answer["accepted"] and len(again["rejected"]) == 1
    with at(hq.database):
        assert _hq_orders() == written and Tender.select().count() == tenders
        assert OrderStatusChange.select().count() == len(written)


def test_an_order_filed_meanwhile_is_left_to_the_one_by_one_path(hq, make_terminal):
    """A resend crossing its first attempt: the bulk insert skips the order the other request filed."""
    from hq import push_orders
    from hq.models import TerminalCredential

    with at(hq.database):
        factories.product("P1", price="2.50")
        factories.user("C1")
    term = enrolled(hq, make_terminal, "t", code="T01")
    with term:
        sell(actor_for("T01", "C1"), [SaleLine(product_by_sku("P1"), Decimal(1), factories.eur("2.50"))],
             [Payment("cash", factories.eur("2.50"))])
        [row] = OutboxEntry.select().where(OutboxEntry.kind == "order")
        doc = json.loads(row.payload)
    with at(hq.database):
        cred = TerminalCredential.get(TerminalCredential.code == "T01")
        assert push_orders.apply_new_orders([(0, doc)], cred) == (set(), {})
        products = {"P1": product_by_sku("P1").id}
        again = push_orders._new_order_row(doc, cred, {"STORE1": factories.location("STORE1").id}, {}, {}, products)
        assert push_orders._insert_orders([(0, doc, again)], products, cred) == set()
        assert Order.select().count() == 1 and Tender.select().count() == 1
        assert OrderStatusChange.select().count() == 1
