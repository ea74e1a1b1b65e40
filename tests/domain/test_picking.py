from __future__ import annotations

import json
from decimal import Decimal

import pytest

from models.errors import DomainError, InsufficientStock
from models.ledger import StockEvent, on_hand, verify_levels
from models.ops.picking import PickedLine, outstanding, pack, pick, put_back, ship
from models.ops.receiving import ReceivedLine, receive_goods
from models.orders import ALLOCATED, CANCELLED, PACKED, SHIPPED, Order, OrderLine, set_status
from models.outbox import OutboxEntry
from tests import factories as f


def _web_order(location, product, qty):
    order = Order.create(number="WEB-1", channel="web", location=location, currency="EUR", status=ALLOCATED)
    OrderLine.create(order=order, position=1, product=product, sku=product.sku, name=product.name,
                     quantity=qty, unit_price=Decimal("2.50"), total=Decimal("2.50") * qty)
    return order


def test_pick_never_exceeds_the_bin_and_flows_to_shipped(store):
    wh = f.actor("W01", "WH1", kind="warehouse")
    p = f.product("P")
    receive_goods(wh, [ReceivedLine(p, Decimal(2), bin="A-01"), ReceivedLine(p, Decimal(5), bin="B-02")])
    order = _web_order(wh.location, p, 4)
    before = StockEvent.select().count()
    with pytest.raises(InsufficientStock, match="bin A-01"):
        pick(wh, order, [PickedLine(p, Decimal(3), bin="A-01")])
    with pytest.raises(DomainError, match="needs only 4"):
        pick(wh, order, [PickedLine(p, Decimal(5), bin="B-02")])
    assert StockEvent.select().count() == before
    pick(wh, order, [PickedLine(p, Decimal(2), bin="A-01")])
    with pytest.raises(DomainError, match="not fully picked"):
        pack(wh, Order.get_by_id(order.id))
    pick(wh, Order.get_by_id(order.id), [PickedLine(p, Decimal(2), bin="B-02")])
    order = Order.get_by_id(order.id)
    assert outstanding(order) == {} and on_hand(wh.location, p) == 3
    pack(wh, order)
    with pytest.raises(DomainError, match="tracking"):
        ship(wh, order, "DHL", "")
    ship(wh, order, "DHL", "JJD000123")
    assert Order.get_by_id(order.id).status == SHIPPED
    sent = [json.loads(e.payload)["status"] for e in OutboxEntry.select().where(OutboxEntry.kind == "order")
            .order_by(OutboxEntry.id)]
    assert sent == ["picking", "packed", "shipped"]  # head office hears of every step
    assert verify_levels() == []


def test_cancelled_order_refuses_picks_and_goods_go_back(store):
    wh = f.actor("W01", "WH1", kind="warehouse")
    p = f.product("P")
    receive_goods(wh, [ReceivedLine(p, Decimal(5))])
    order = _web_order(wh.location, p, 3)
    pick(wh, order, [PickedLine(p, Decimal(3))])
    set_status(order, CANCELLED, by="HQ")
    with pytest.raises(DomainError, match="cancelled"):
        pick(wh, order, [PickedLine(p, Decimal(1))])
    with pytest.raises(DomainError, match="cannot put back 4"):
        put_back(wh, order, [PickedLine(p, Decimal(4))])
    put_back(wh, order, [PickedLine(p, Decimal(3))])
    assert on_hand(wh.location, p) == 5
    assert Order.get_by_id(order.id).status == CANCELLED != PACKED
