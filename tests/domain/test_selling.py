from __future__ import annotations

from decimal import Decimal

import pytest

from models.catalog import Product
from models.errors import DomainError, InsufficientStock, PermissionDenied
from models.ledger import StockEvent, on_hand, verify_levels
from models.money import Money
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.selling import CARD, CASH, Payment, SaleLine, sell
from models.orders import DELIVERED, Order
from models.outbox import OutboxEntry
from tests import factories as f


def _line(p, qty="1", price="2.50", discount=None):
    return SaleLine(p, Decimal(qty), f.eur(price), f.eur(discount) if discount else None)


def test_sale_writes_order_events_outbox_and_numbers_per_terminal(store):
    actor = f.actor()
    p = f.product("P1", barcode="4006381333931")
    receive_goods(actor, [ReceivedLine(p, Decimal(10))])
    order = sell(actor, [_line(p, "3")], [Payment(CASH, f.eur("10"))])
    assert order.number == "S-T01-000001"
    assert order.total == Decimal("7.5")
    assert order.status == DELIVERED
    assert order.tenders[0].change == Decimal("2.5")
    assert on_hand(actor.location, p) == 7
    second = sell(actor, [_line(p)], [Payment(CARD, f.eur("2.50"), "AUTH1")])
    assert second.number == "S-T01-000002"
    kinds = [e.kind for e in OutboxEntry.select().order_by(OutboxEntry.id)]
    assert kinds == ["stock_event", "stock_event", "order", "stock_event", "order"]
    assert verify_levels() == []


def test_refused_sale_writes_nothing(store):
    actor = f.actor()
    p = f.product("P1")
    before = (Order.select().count(), StockEvent.select().count(), OutboxEntry.select().count())
    with pytest.raises(DomainError, match="still to pay"):
        sell(actor, [_line(p, "2")], [Payment(CASH, f.eur("1"))])
    with pytest.raises(DomainError, match="card slip"):
        sell(actor, [_line(p)], [Payment(CARD, f.eur("2.50"))])
    with pytest.raises(DomainError, match="whole"):
        sell(actor, [_line(p, "1.5")], [Payment(CASH, f.eur("10"))])
    with pytest.raises(DomainError, match="takes EUR"):
        sell(actor, [SaleLine(p, Decimal(1), Money(Decimal(1), "USD"))], [Payment(CASH, f.eur("10"))])
    assert (Order.select().count(), StockEvent.select().count(), OutboxEntry.select().count()) == before


def test_discount_above_limit_needs_supervisor(store):
    actor = f.actor()
    p = f.product("P1", price="10.00")
    with pytest.raises(PermissionDenied, match="supervisor"):
        sell(actor, [_line(p, "1", "10.00", "2.00")], [Payment(CASH, f.eur("10"))])
    with pytest.raises(PermissionDenied, match="up to 30%"):
        sell(actor, [_line(p, "1", "10.00", "5.00")], [Payment(CASH, f.eur("5"))], approver=f.supervisor())
    order = sell(actor, [_line(p, "1", "10.00", "2.00")], [Payment(CASH, f.eur("10"))], approver=f.supervisor())
    assert order.approved_by == "S1" and order.total == Decimal(8)
    assert order.tenders[0].change == Decimal(2)


def test_an_approval_covers_only_the_share_it_approved(store):
    actor = f.actor()
    p = f.product("P1", price="10.00")
    boss = f.supervisor()
    # Approved at 15 %; the sale changed so that the same discount is now 25 %.
    with pytest.raises(PermissionDenied, match=r"now 25.00% .* approved 15.00%"):
        sell(actor, [_line(p, "1", "10.00", "2.50")], [Payment(CASH, f.eur("10"))], approver=boss,
             approved_pct=Decimal("15.00"))
    assert Order.select().count() == 0
    order = sell(actor, [_line(p, "1", "10.00", "1.50")], [Payment(CASH, f.eur("10"))], approver=boss,
                 approved_pct=Decimal("15.00"))
    assert order.approved_by == "S1"


def test_store_sells_below_zero_and_flags_count_but_warehouse_refuses(store):
    shop = f.actor()
    p = f.product("P1")
    sell(shop, [_line(p)], [Payment(CASH, f.eur("5"))])
    assert on_hand(shop.location, p) == -1
    assert Product.get_by_id(p.id).needs_count
    wh = f.actor("W01", "WH1", kind="warehouse", user_code="C2")
    with pytest.raises(InsufficientStock, match="on hand"):
        sell(wh, [_line(p)], [Payment(CASH, f.eur("5"))])
