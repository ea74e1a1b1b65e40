"""Every movement lands in a bin, by the rules in `models.shelves`, and a count leaves on hand
equal to what was counted (issue #10's "stock lands in no bin")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models import attention, clock
from models.catalog import Price, current_price
from models.errors import NotFound
from models.ledger import StockLevel, on_hand, verify_counts, verify_levels
from models.ops.counting import CountedLine, record_count
from models.ops.picking import PickedLine, finish_put_back, pick, put_back_list
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.returning import RESTOCK, WRITE_OFF, ReturnLine, return_goods
from models.ops.selling import CASH, Payment, SaleLine, sell
from models.ops.transfers import TransferItem, transfer_in, transfer_out
from models.orders import ALLOCATED, Order, OrderLine
from models.stock_docs import Transfer
from sync.local import upsert_order
from tests import factories as f


def levels(location, product) -> dict[tuple[str, str], Decimal]:
    return {(lv.bin, lv.lot): lv.on_hand for lv in StockLevel.select().where(
        (StockLevel.location == location) & (StockLevel.product == product))}


def cash_sale(actor, product, qty: int = 1):
    price = current_price(product, "EUR")
    return sell(actor, [SaleLine(product, Decimal(qty), price)], [Payment(CASH, f.eur("1000"))])


def test_a_sale_takes_from_the_bin_and_a_bin_count_then_reads_what_was_counted(store):
    """ALC-0001 in the demo: 24 in bin I-07, one sold, bin I-07 counted at 21: on hand is 21."""
    clerk = f.actor()
    wine = f.product("ALC-0001", price="6.09")
    receive_goods(clerk, [ReceivedLine(wine, Decimal(24), bin="I-07")])
    cash_sale(clerk, wine)
    assert levels(clerk.location, wine) == {("I-07", ""): 23}
    record_count(clerk, [CountedLine(wine, Decimal(21), clock.now(), bin="I-07")])
    assert on_hand(clerk.location, wine) == 21
    assert verify_levels() == [] and verify_counts() == []


def test_a_count_without_a_bin_states_the_whole_location(store):
    clerk = f.actor()
    tea = f.product("TEA1")
    receive_goods(clerk, [ReceivedLine(tea, Decimal(8), bin="A-01"), ReceivedLine(tea, Decimal(4), bin="B-02")])
    record_count(clerk, [CountedLine(tea, Decimal(10), clock.now())])
    # The counted ten sit in the home bin (where most of it was), the other bin is stated empty.
    assert levels(clerk.location, tea) == {("A-01", ""): 10, ("B-02", ""): 0}
    assert on_hand(clerk.location, tea) == 10 and verify_counts() == []


def test_a_sale_bigger_than_its_home_bin_spills_into_the_next_bin_then_below_zero(store):
    clerk = f.actor()
    tea = f.product("TEA1")
    receive_goods(clerk, [ReceivedLine(tea, Decimal(5), bin="B-02"), ReceivedLine(tea, Decimal(2), bin="A-01")])
    cash_sale(clerk, tea, 6)  # home bin B-02 (most stock) first, then A-01
    assert levels(clerk.location, tea) == {("B-02", ""): 0, ("A-01", ""): 1}
    # A store hands it over anyway: A-01's last one, and the shortfall booked to the home bin (now
    # A-01, the bin holding most); nothing goes to "no bin".
    cash_sale(clerk, tea, 3)
    assert levels(clerk.location, tea) == {("B-02", ""): 0, ("A-01", ""): -2}
    assert tea.__class__.get_by_id(tea.id).needs_count


def test_intake_and_a_return_go_to_the_home_bin_and_the_sold_lot(store):
    clerk = f.actor()
    milk = f.product("MILK", track_lot=True, track_expiry=True)
    receive_goods(clerk, [ReceivedLine(milk, Decimal(3), lot="L1", expiry=dt.date(2027, 1, 5), bin="C-03"),
                          ReceivedLine(milk, Decimal(3), lot="L2", expiry=dt.date(2027, 1, 1), bin="C-03")])
    receive_goods(clerk, [ReceivedLine(milk, Decimal(2), lot="L3", expiry=dt.date(2027, 2, 1))])  # no bin said
    assert levels(clerk.location, milk)[("C-03", "L3")] == 2
    sale = cash_sale(clerk, milk, 4)  # first expiry first: all of L2, then one of L1
    assert levels(clerk.location, milk) == {("C-03", "L1"): 2, ("C-03", "L2"): 0, ("C-03", "L3"): 2}
    line = OrderLine.get(OrderLine.order == sale)
    return_goods(clerk, sale, [ReturnLine(line, Decimal(3), "unwanted", RESTOCK)], [Payment(CASH, f.eur("7.50"))])
    # Back into the lots it left from, in the order sold: L2's three.
    assert levels(clerk.location, milk)[("C-03", "L2")] == 3
    return_goods(clerk, Order.get_by_id(sale.id), [ReturnLine(line, Decimal(1), "leaking", WRITE_OFF)],
                 [Payment(CASH, f.eur("2.50"))])
    # The written-off unit came back to L1 and went out again: L1 unchanged, nothing in "no bin".
    assert levels(clerk.location, milk) == {("C-03", "L1"): 2, ("C-03", "L2"): 3, ("C-03", "L3"): 2}
    assert verify_levels() == []


def test_a_transfer_of_a_lot_tracked_product_moves_its_lots_first_expiry_first(store):
    store1 = f.actor()
    wh = f.actor("W01", "WH1", kind="warehouse", user_code="W1")
    pills = f.product("IBU", track_lot=True, track_expiry=True)
    receive_goods(store1, [ReceivedLine(pills, Decimal(18), lot="L2412A", expiry=dt.date(2027, 6, 1), bin="P-01"),
                           ReceivedLine(pills, Decimal(5), lot="L2411Z", expiry=dt.date(2027, 3, 1), bin="P-01")])
    transfer = transfer_out(store1, "WH1", [TransferItem(pills, Decimal(7))])  # no lot asked
    sent = sorted((line.lot, line.quantity, line.expiry) for line in transfer.lines)
    assert sent == [("L2411Z", 5, dt.date(2027, 3, 1)), ("L2412A", 2, dt.date(2027, 6, 1))]
    assert levels(store1.location, pills) == {("P-01", "L2412A"): 16, ("P-01", "L2411Z"): 0}
    receive_goods(wh, [ReceivedLine(pills, Decimal(1), lot="L2412A", expiry=dt.date(2027, 6, 1), bin="R01-02")])
    transfer_in(wh, Transfer.get_by_id(transfer.id))
    assert levels(wh.location, pills) == {("R01-02", "L2412A"): 3, ("R01-02", "L2411Z"): 5}
    assert verify_levels() == []


def test_picking_without_a_bin_takes_from_the_shelves_and_a_cancel_puts_it_back_there(store):
    """The put-back on "Needs attention" books the goods back (WEB-100: 5 on hand, 2 picked)."""
    wh = f.actor("W01", "WH1", kind="warehouse")
    p = f.product("P")
    receive_goods(wh, [ReceivedLine(p, Decimal(5), bin="A-01")])
    order = Order.create(number="WEB-100", channel="web", location=wh.location, currency="EUR", status=ALLOCATED)
    OrderLine.create(order=order, position=1, product=p, sku="P", name="P", quantity=2, unit_price=Decimal(1),
                     total=Decimal(2))
    pick(wh, order, [PickedLine(p, Decimal(2))])
    assert levels(wh.location, p) == {("A-01", ""): 3}
    # Head office cancels while it is being picked: the pull marks it and asks for a put-back.
    note = upsert_order({"number": "WEB-100", "status": "cancelled", "currency": "EUR", "lines": []})
    item = attention.add(*note)
    assert [(line.product.sku, line.quantity, line.bin) for line in put_back_list(wh, Order.get_by_id(order.id))] \
        == [("P", 2, "A-01")]
    finish_put_back(wh, item)
    assert levels(wh.location, p) == {("A-01", ""): 5}
    assert attention.open_count() == 0
    assert put_back_list(wh, Order.get_by_id(order.id)) == []
    finish_put_back(wh, item)  # marking it done twice books nothing twice
    assert on_hand(wh.location, p) == 5


def test_a_price_in_a_second_currency_does_not_stop_selling(store):
    clerk = f.actor()
    tea = f.product("TEA1", price="3.20")
    Price.create(product=tea, amount=Decimal(25), currency="CNY", valid_from=dt.datetime(2026, 6, 1))
    assert current_price(tea, "EUR") == f.eur("3.20")
    assert current_price(tea, "CNY").currency == "CNY"
    cash_sale(clerk, tea)
    coffee = f.product("COF1", price="99", currency="CNY")
    with pytest.raises(NotFound, match="no EUR price .*CNY"):
        current_price(coffee, "EUR")

