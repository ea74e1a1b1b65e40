from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import clock
from models.catalog import Product
from models.errors import DomainError, InsufficientStock, NotFound, PermissionDenied
from models.ledger import COUNT, StockEvent, on_hand, verify_levels
from models.ops.adjusting import adjust
from models.ops.counting import (
    CountedLine,
    count_line,
    needs_recount,
    post_count,
    record_count,
    recount,
    start_count,
)
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.transfers import TransferItem, transfer_in, transfer_out
from models.outbox import OutboxEntry
from models.stock_docs import Delivery, DeliveryLine
from tests import factories as f


def _snapshot():
    return StockEvent.select().count(), OutboxEntry.select().count()


def test_receive_blind_with_lot_and_expiry(store):
    actor = f.actor()
    milk = f.product("MILK", track_lot=True, track_expiry=True)
    before = _snapshot()
    with pytest.raises(DomainError, match="lot-tracked"):
        receive_goods(actor, [ReceivedLine(milk, Decimal(5))])
    with pytest.raises(DomainError, match="expiry"):
        receive_goods(actor, [ReceivedLine(milk, Decimal(5), lot="L1")])
    assert _snapshot() == before
    result = receive_goods(actor, [ReceivedLine(milk, Decimal(5), lot="L1", expiry=dt.date(2027, 1, 31))])
    assert result.reference == "B-T01-000001"
    assert on_hand(actor.location, milk, lot="L1") == 5
    assert result.events[0].expiry == dt.date(2027, 1, 31)


def test_receive_against_delivery_reports_discrepancies_and_needs_supervisor_over_tolerance(store):
    actor = f.actor()
    a, b, c = f.product("A"), f.product("B"), f.product("C")
    delivery = Delivery.create(number="D-1", location=actor.location)
    DeliveryLine.create(delivery=delivery, product=a, expected=10)
    DeliveryLine.create(delivery=delivery, product=b, expected=4)
    before = _snapshot()
    with pytest.raises(PermissionDenied, match="supervisor"):
        receive_goods(actor, [ReceivedLine(a, Decimal(12))], delivery=delivery)
    assert _snapshot() == before
    result = receive_goods(actor, [ReceivedLine(a, Decimal(12)), ReceivedLine(c, Decimal(1))],
                           delivery=delivery, approver=f.supervisor())
    diffs = {d.sku: (d.expected, d.received) for d in result.discrepancies}
    assert diffs == {"A": (10, 12), "B": (4, 0), "C": (0, 1)}
    assert Delivery.get_by_id(delivery.id).status == "done"
    with pytest.raises(DomainError, match="already received"):
        receive_goods(actor, [ReceivedLine(a, Decimal(1))], delivery=Delivery.get_by_id(delivery.id))


def test_quantities_keep_unit_precision(store):
    actor = f.actor()
    cheese = f.product("CHEESE", unit="kg", precision=3)
    receive_goods(actor, [ReceivedLine(cheese, Decimal("1.255"))])
    with pytest.raises(DomainError, match="3 decimals"):
        receive_goods(actor, [ReceivedLine(cheese, Decimal("0.0001"))])
    assert on_hand(actor.location, cheese) == Decimal("1.255")


def test_count_is_as_of_when_counted_and_clears_the_flag(store):
    actor = f.actor()
    p = f.product("P", needs_count=True)
    receive_goods(actor, [ReceivedLine(p, Decimal(10))])
    counted_at = clock.now()
    adjust(actor, p, Decimal(-1), "damaged")  # after the count line was taken: applies on top
    record_count(actor, [CountedLine(p, Decimal(7), counted_at)])
    assert on_hand(actor.location, p) == 6
    assert not Product.get_by_id(p.id).needs_count
    assert verify_levels() == []


def test_count_document_recount_and_supervisor_approval(store):
    actor = f.actor()
    a, b = f.product("A"), f.product("B")
    receive_goods(actor, [ReceivedLine(a, Decimal(10)), ReceivedLine(b, Decimal(5))])
    count = start_count(actor, [a, b], scope="list")
    count_line(count, a, Decimal(3))
    count_line(count, a, Decimal(3))  # scans add up
    line_b = count_line(count, b, Decimal(5))
    assert [line.product.sku for line in needs_recount(count)] == ["A"]
    with pytest.raises(DomainError, match="Recount first"):
        post_count(actor, count, f.supervisor())
    line_a = next(line for line in count.lines if line.product_id == a.id)
    recount(line_a, Decimal(6))
    with pytest.raises(PermissionDenied):
        post_count(actor, count, actor.user)
    events = post_count(actor, count, f.supervisor())
    assert {e.kind for e in events} == {COUNT}
    assert {e.occurred_at for e in events if e.sku == "B"} == {line_b.counted_at}
    assert on_hand(actor.location, a) == 6 and on_hand(actor.location, b) == 5


def test_adjust_needs_reason_and_warehouse_cannot_go_negative(store):
    wh = f.actor("W01", "WH1", kind="warehouse")
    p = f.product("P")
    before = _snapshot()
    with pytest.raises(DomainError, match="reason"):
        adjust(wh, p, Decimal(1), " ")
    with pytest.raises(InsufficientStock):
        adjust(wh, p, Decimal(-1), "theft")
    assert _snapshot() == before
    adjust(wh, p, Decimal(4), "found")
    assert on_hand(wh.location, p) == 4


def test_transfer_out_and_in(store):
    wh = f.actor("W01", "WH1", kind="warehouse", user_code="W")
    shop = f.actor("T01", "STORE1", user_code="C")
    p = f.product("P")
    receive_goods(wh, [ReceivedLine(p, Decimal(10))])
    with pytest.raises(InsufficientStock):
        transfer_out(wh, "STORE1", [TransferItem(p, Decimal(11))])
    with pytest.raises(NotFound):
        transfer_out(wh, "NOWHERE", [TransferItem(p, Decimal(1))])
    transfer = transfer_out(wh, "STORE1", [TransferItem(p, Decimal(4))])
    assert on_hand(wh.location, p) == 6 and on_hand(shop.location, p) == 0
    with pytest.raises(DomainError, match="is for STORE1"):
        transfer_in(wh, transfer)
    line = transfer.lines[0]
    transfer_in(shop, transfer, {line.id: Decimal(3)})
    assert on_hand(shop.location, p) == 3
    with pytest.raises(DomainError, match="already received"):
        transfer_in(shop, transfer)
    assert verify_levels() == []
