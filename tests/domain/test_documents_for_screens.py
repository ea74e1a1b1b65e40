"""The reads the counter screens show: deliveries, transfers, count lines, recent sales, a terminal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.errors import NotFound
from models.ops.counting import count_line, count_lines, start_count
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.returning import ReturnLine, return_goods
from models.ops.selling import CASH, Payment, SaleLine, sell
from models.ops.transfers import TransferItem, transfer_out
from models.orders import Order, order_lines, recent_sales
from models.places import terminal_with_location
from models.stock_docs import (
    DONE,
    Delivery,
    DeliveryLine,
    delivery_by_number,
    delivery_lines,
    open_deliveries,
    transfer_by_id,
    transfer_lines,
)
from tests import factories as f

DAY = dt.datetime(2025, 3, 1, 9, 0)


def _delivery(number: str, location, expected_at: dt.datetime | None, status: str = "open") -> Delivery:
    return Delivery.create(number=number, location=location, supplier="Acme", expected_at=expected_at,
                           status=status)


def test_open_deliveries_are_this_locations_not_yet_received_soonest_first(store):
    shop = f.actor()
    wh = f.actor("W01", "WH1", kind="warehouse", user_code="W")
    _delivery("D-LATE", shop.location, DAY + dt.timedelta(days=2))
    _delivery("D-SOON", shop.location, DAY)
    _delivery("D-DONE", shop.location, DAY - dt.timedelta(days=1), status=DONE)
    _delivery("D-WH", wh.location, DAY)
    assert [d.number for d in open_deliveries(shop.location)] == ["D-SOON", "D-LATE"]
    assert [d.number for d in open_deliveries(wh.location)] == ["D-WH"]


def test_delivery_by_number_reads_it_fresh_and_names_what_is_missing(store):
    shop = f.actor()
    _delivery("D-1", shop.location, DAY)
    Delivery.update(status=DONE).where(Delivery.number == "D-1").execute()
    assert delivery_by_number(" D-1 ").status == DONE
    with pytest.raises(NotFound, match="No delivery D-9"):
        delivery_by_number("D-9")


def test_delivery_lines_are_the_deliverys_own_in_written_order(store):
    shop = f.actor()
    a, b = f.product("A"), f.product("B")
    first, other = _delivery("D-1", shop.location, DAY), _delivery("D-2", shop.location, DAY)
    DeliveryLine.create(delivery=first, product=b, expected=Decimal(5))
    DeliveryLine.create(delivery=other, product=a, expected=Decimal(1))
    DeliveryLine.create(delivery=first, product=a, expected=Decimal(2))
    assert [(line.product.sku, line.expected) for line in delivery_lines(first)] == [("B", 5), ("A", 2)]


def test_transfer_by_id_and_its_lines(store):
    shop = f.actor()
    f.actor("W01", "WH1", kind="warehouse", user_code="W")
    a, b = f.product("A"), f.product("B")
    sent = transfer_out(shop, "WH1", [TransferItem(b, Decimal(2)), TransferItem(a, Decimal(3), "L1")])
    transfer_out(shop, "WH1", [TransferItem(a, Decimal(9))])
    found = transfer_by_id(sent.id)
    assert (found.number, found.source.code) == (sent.number, "STORE1")
    assert [(line.product.sku, line.quantity, line.lot) for line in transfer_lines(sent.id)] == [
        ("B", 2, ""), ("A", 3, "L1")]
    assert transfer_lines(sent.id + 100) == []
    with pytest.raises(NotFound, match="No transfer"):
        transfer_by_id(sent.id + 100)


def test_count_lines_in_the_order_they_joined_the_count(store):
    shop = f.actor()
    a, b, c = f.product("A"), f.product("B"), f.product("C")
    count = start_count(shop, [b, a])
    start_count(shop, [c])  # another count's lines stay out
    count_line(count, c, Decimal(4))  # scanned, not in the list: joins at the end
    count_line(count, b, Decimal(1))
    assert [(line.product.sku, line.counted) for line in count_lines(count)] == [("B", 1), ("A", None), ("C", 4)]


def test_recent_sales_are_this_locations_sales_newest_first(store):
    shop = f.actor()
    other = f.actor("T02", "STORE2", user_code="C2")
    p = f.product("P", price="1.00")
    receive_goods(shop, [ReceivedLine(p, Decimal(10))])

    def sale(actor):
        return sell(actor, [SaleLine(p, Decimal(1), f.eur("1.00"))], [Payment(CASH, f.eur("1.00"))])

    first, second, third = sale(shop), sale(shop), sale(shop)
    sale(other)
    return_goods(shop, first, [ReturnLine(first.lines[0], Decimal(1), "broken")], [Payment(CASH, f.eur("1.00"))])
    Order.update(created_at=DAY).where(Order.id == third.id).execute()  # rung up earlier (clock moved)
    assert [o.number for o in recent_sales(shop.location)] == [second.number, first.number, third.number]
    assert [o.number for o in recent_sales(shop.location, limit=1)] == [second.number]
    assert [o.number for o in recent_sales(shop.location.id, limit=2)] == [second.number, first.number]


def test_order_lines_in_receipt_order(store):
    shop = f.actor()
    a, b = f.product("A", price="1.00"), f.product("B", price="2.00")
    order = sell(shop, [SaleLine(b, Decimal(1), f.eur("2.00")), SaleLine(a, Decimal(2), f.eur("1.00"))],
                 [Payment(CASH, f.eur("4.00"))])
    assert [(line.position, line.product.sku) for line in order_lines(order)] == [(1, "B"), (2, "A")]


def test_terminal_with_location(store):
    f.actor("T07", "STORE7")
    terminal = terminal_with_location("T07")
    assert terminal is not None and (terminal.code, terminal.location.code) == ("T07", "STORE7")
    assert terminal_with_location("T99") is None
