"""An order's life at head office on a real database: intake, review, brokering, reservations,
short picks, cancellation. Every refusal leaves the database as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hq.orders import broker, fulfilment, review, settings, setup
from hq.orders.document import Refused
from hq.orders.tables import Allocation, ChannelOrder, OrderEvent, OrderHold
from hq.orders.views import availability, order_view
from models.errors import DomainError, PermissionDenied
from models.orders import Order, OrderLine

from .conftest import gtin, order_doc, shop, stock, take


def counts() -> tuple[int, ...]:
    return tuple(m.select().count() for m in (Order, OrderLine, ChannelOrder, Allocation, OrderEvent, OrderHold))


def reserved(location: str, sku: str = "P1") -> Decimal:
    rows = availability(sku)["locations"]
    return next((Decimal(r["reserved"]) for r in rows if r["location"] == location), Decimal(0))


def test_a_clean_order_is_approved_allocated_and_reserved_in_one_step(any_office_db) -> None:
    shop()
    stock("WH1", "P1", 5)
    taken = take(order_doc("1001", [("P1", "2")]))
    assert taken.created and taken.order.status == "allocated"
    view = order_view("WEB-1001")
    assert [e["kind"] for e in view["timeline"]] == ["received", "approved", "allocated"]
    assert all(e["by"] and e["at"] for e in view["timeline"])
    assert [(a["location"], a["quantity"], a["state"]) for a in view["allocations"]] == [("WH1", "2", "reserved")]
    assert reserved("WH1") == 2 and availability("P1")["available"] == "3"
    again = take(order_doc("1001", [("P1", "2")]))
    assert not again.created and again.order.id == taken.order.id and reserved("WH1") == 2


@pytest.mark.parametrize(("doc", "field"), [
    (order_doc("1", [("NOPE", "1")]), "lines.0.sku"),
    (order_doc("1", [("P1", "1"), ("P1", "0.5")]), "lines.1.quantity"),
    (order_doc("1", [("P1", "0")]), "lines.0"),
    (order_doc("1", [("P1", "NaN")]), "lines.0.quantity"),
    (order_doc("1", [("P1", "1e30")]), "lines.0.quantity"),
    (order_doc("1", currency="JPY"), "currency"),
    (order_doc("1", currency="eur"), "currency"),
    (order_doc("1") | {"lines": []}, "lines"),
    ({**order_doc("1"), "qty": 3}, "qty"),
    (order_doc("has space"), "channel_order_id"),
    (order_doc("1", payment_status="maybe"), "payment_status"),
])
def test_bad_orders_are_refused_by_line_and_nothing_is_stored(office_db, doc: dict, field: str) -> None:
    shop()
    stock("WH1", "P1", 5)
    before = counts()
    with pytest.raises(Refused) as refused:
        take(doc)
    assert any(e["field"].startswith(field) for e in refused.value.errors), refused.value.errors
    assert counts() == before


def test_a_gtin_line_and_a_rated_currency(office_db) -> None:
    shop()
    stock("WH1", "P2", 3)
    settings.import_rates("day,currency,rate\n2026-01-01,CNY,0.125\n")
    taken = take(order_doc("7", currency="CNY", lines=[]) | {"lines": [
        {"gtin": gtin(2), "quantity": "2", "unit_price": "80"}]})
    head = ChannelOrder.get(ChannelOrder.order == taken.order)
    assert OrderLine.get(OrderLine.order == taken.order).sku == "P2"
    assert (taken.order.currency, taken.order.total, head.amount_reporting) == ("CNY", Decimal(160), Decimal(20))


def test_review_holds_with_reasons_and_approval_needs_a_manager_above_the_limit(office_db) -> None:
    shop()
    stock("WH1", "P1", 10)
    review.add_rule("amount_above", {"limit": "25"})
    review.add_rule("payment_not_captured")
    settings.set_setting("manager_approval_above", "50")
    taken = take(order_doc("1", [("P1", "6")], payment_status="authorized"))
    view = order_view(taken.order.number)
    assert view["status"] == "on_hold" and [h["reason"] for h in view["holds"]] == ["amount_above",
                                                                                   "payment_not_captured"]
    assert reserved("WH1") == 0  # nothing is promised to an order on hold
    before = counts()
    with pytest.raises(PermissionDenied, match="a manager must approve"):
        review.approve(taken.order.number, by="ops1", role="operator", note="called the customer")
    with pytest.raises(DomainError, match="note"):
        review.approve(taken.order.number, by="mgr", role="manager", note=" ")
    assert counts() == before
    approved = review.approve(taken.order.number, by="mgr", role="manager", note="called the customer")
    assert approved.status == "allocated" and reserved("WH1") == 6
    view = order_view(taken.order.number)
    assert all(h["released_by"] == "mgr" for h in view["holds"])
    assert ("approved", "mgr", "called the customer") in [(e["kind"], e["by"], e["note"]) for e in view["timeline"]]
    with pytest.raises(DomainError, match="only an order on hold"):
        review.approve(taken.order.number, by="mgr", role="manager", note="again")


def test_rejection_cancels_and_reserves_nothing(office_db) -> None:
    shop()
    stock("WH1", "P1", 10)
    review.add_rule("risky_channel")
    ChannelOrder.update(payment_status="captured").execute()
    from hq.orders.tables import Channel
    Channel.update(risky=True).execute()
    taken = take(order_doc("1"))
    assert taken.order.status == "on_hold"
    rejected = review.reject(taken.order.number, by="ops1", note="fraud pattern")
    assert rejected.status == "cancelled" and Allocation.select().count() == 0
    assert broker.run().orders == 0


def test_likely_duplicate_and_new_customer_rules_look_at_the_customers_history(office_db) -> None:
    shop()
    stock("WH1", "P1", 10)
    review.add_rule("likely_duplicate", {"minutes": "30"})
    review.add_rule("new_customer_above", {"limit": "5"})
    first = take(order_doc("1"))
    assert [h.reason for h in review.open_holds(first.order)] == ["new_customer_above"]
    second = take(order_doc("2"))
    assert [h.reason for h in review.open_holds(second.order)] == ["likely_duplicate"]


def test_backorder_is_brokered_when_stock_arrives_and_a_run_is_idempotent(office_db) -> None:
    shop()
    taken = take(order_doc("1", [("P1", "3")]))
    assert taken.order.status == "backordered"
    assert broker.run().placed == 0
    stock("STORE1", "P1", 2)
    stock("WH1", "P1", 1)
    done = broker.run()
    assert done.placed == 1 and Order.get_by_id(taken.order.id).status == "allocated"
    assert sorted((a.location.code, a.quantity) for a in Allocation.select()) == [("STORE1", 2), ("WH1", 1)]
    assert broker.run().placed == 0 and Allocation.select().count() == 2


def test_safety_stock_and_channel_buffer_are_kept_back(office_db) -> None:
    from hq.orders.tables import Channel

    shop()
    stock("WH1", "P1", 5)
    setup.set_safety_stock("WH1", Decimal(2), "P1")
    Channel.update(online_buffer=Decimal(1)).execute()
    assert availability("P1", Channel.get())["available"] == "2"
    # The default rule places what it can and backorders the rest; safety stock is never promised.
    assert take(order_doc("1", [("P1", "4")])).order.status == "partly_allocated"
    assert reserved("WH1") == 3
    assert take(order_doc("2", [("P1", "1")])).order.status == "backordered"
    assert availability("P1", Channel.get())["available"] == "0"


def test_daily_capacity_and_location_rules(office_db) -> None:
    shop()
    stock("WH1", "P1", 5)
    stock("STORE1", "P1", 5)
    setup.set_location("WH1", country="DE", postcode="10115", capacity=1)
    setup.set_location("STORE1", country="DE", postcode="80331")
    take(order_doc("1"))
    take(order_doc("2"))
    placed = [a.location.code for a in Allocation.select().order_by(Allocation.id)]
    assert placed == ["WH1", "STORE1"]  # WH1 is nearest to Berlin but took its one order of the day
    setup.add_allocation_rule("warehouses only", channel="WEB", locations=["WH1"], when_unplaced="unfillable")
    assert take(order_doc("3")).order.status == "unfillable"


def test_short_pick_releases_its_reservation_once_and_rebrokers(office_db) -> None:
    shop()
    stock("WH1", "P1", 2)
    stock("STORE1", "P1", 5)
    setup.set_location("WH1", postcode="10115")
    setup.set_location("STORE1", postcode="80331")
    taken = take(order_doc("1", [("P1", "2")]))
    fulfilment.release(taken.order.number, by="ops")
    allocation = Allocation.get()
    assert allocation.location.code == "WH1" and allocation.state == "released"
    fulfilment.short(allocation.id, Decimal(1), reason="not_found", by="W01")
    assert reserved("WH1") == 1
    with pytest.raises(DomainError, match="cannot become short"):
        fulfilment.short(Allocation.get(Allocation.state == "short").id, Decimal(1), reason="damaged", by="W01")
    with pytest.raises(DomainError, match="reason"):
        fulfilment.short(allocation.id, Decimal(1), reason="lazy", by="W01")
    broker.run()
    assert sorted((a.location.code, a.state, a.quantity) for a in Allocation.select()) == [
        ("STORE1", "reserved", 1), ("WH1", "released", 1), ("WH1", "short", 1)]


def test_cancel_at_once_before_release_and_a_handshake_after(office_db) -> None:
    shop()
    stock("WH1", "P1", 5)
    first = take(order_doc("1", [("P1", "2")]))
    fulfilment.cancel(first.order.number, by="ops", note="customer asked")
    assert Order.get_by_id(first.order.id).status == "cancelled" and reserved("WH1") == 0

    second = take(order_doc("2", [("P1", "2")]))
    fulfilment.release(second.order.number, by="ops")
    fulfilment.cancel(second.order.number, by="ops", note="customer asked")
    allocation = Allocation.get(Allocation.order == second.order)
    assert allocation.cancel_requested and allocation.state == "released"
    assert ChannelOrder.get(ChannelOrder.order == second.order).state == "approved"
    assert broker.run().orders == 0  # nothing more is placed for an order being cancelled
    fulfilment.answer_cancel(allocation.id, accepted=True, by="W01", note="put back")
    assert ChannelOrder.get(ChannelOrder.order == second.order).state == "cancelled" and reserved("WH1") == 0

    third = take(order_doc("3", [("P1", "1")]))
    fulfilment.release(third.order.number, by="ops")
    allocation = Allocation.get(Allocation.order == third.order)
    fulfilment.picked(allocation.id, by="W01")
    fulfilment.cancel(third.order.number, by="ops", note="too late?")
    fulfilment.answer_cancel(allocation.id, accepted=False, by="W01", note="already packed")
    assert Allocation.get_by_id(allocation.id).state == "packed"
    assert ChannelOrder.get(ChannelOrder.order == third.order).state == "approved"
    with pytest.raises(DomainError, match="packed or shipped"):
        fulfilment.cancel(third.order.number, by="ops", note="again")
    fulfilment.shipped(allocation.id, by="W01")
    fulfilment.delivered(allocation.id, by="carrier")
    assert ChannelOrder.get(ChannelOrder.order == third.order).state == "closed"
    with pytest.raises(DomainError, match="cannot become"):
        fulfilment.cancel(third.order.number, by="ops", note="after delivery")


def test_illegal_moves_change_nothing(office_db) -> None:
    shop()
    stock("WH1", "P1", 5)
    taken = take(order_doc("1"))
    allocation = Allocation.get()
    before = counts()
    with pytest.raises(DomainError, match="cannot become shipped"):
        fulfilment.shipped(allocation.id, by="x")
    with pytest.raises(DomainError, match="cannot become picked"):
        fulfilment.picked(allocation.id, by="x")
    with pytest.raises(DomainError, match="only an order in review"):
        review.reject(taken.order.number, by="x", note="n")
    assert counts() == before and Allocation.get().state == "reserved"


def test_a_channel_order_is_not_in_the_terminals_change_log(any_office_db) -> None:
    from hq.models import ChangeLog

    shop()
    stock("WH1", "P1", 5)
    before = ChangeLog.select().where(ChangeLog.entity == "order").count()
    taken = take(order_doc("1", [("P1", "1")]))
    fulfilment.cancel(taken.order.number, by="ops", note="test")
    assert ChangeLog.select().where(ChangeLog.entity == "order").count() == before
    Order.update(location=1).where(Order.id == taken.order.id).execute()  # a located order is logged
    assert ChangeLog.select().where(ChangeLog.entity == "order").count() == before + 1
