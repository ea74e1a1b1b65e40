from __future__ import annotations

from decimal import Decimal

import pytest

from models.errors import DomainError
from models.ledger import on_hand, verify_levels
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.returning import RESTOCK, WRITE_OFF, ReturnLine, exchange, return_goods
from models.ops.selling import CASH, Payment, SaleLine, sell
from models.orders import PARTLY_RETURNED, RETURNED, Order
from tests import factories as f


def _sale(actor, p, qty=3, price="10.00", order_discount=None):
    return sell(actor, [SaleLine(p, Decimal(qty), f.eur(price))], [Payment(CASH, f.eur("100"))],
                order_discount=order_discount, approver=f.supervisor())


def test_return_restock_and_write_off_linked_to_sale(store):
    actor = f.actor()
    p = f.product("P", price="10.00")
    receive_goods(actor, [ReceivedLine(p, Decimal(5))])
    sale = _sale(actor, p)
    line = sale.lines[0]
    ret = return_goods(actor, sale, [ReturnLine(line, Decimal(1), "wrong size", RESTOCK)],
                       [Payment(CASH, f.eur("10.00"))])
    assert ret.number == "R-T01-000001" and ret.original.number == sale.number
    assert Order.get_by_id(sale.id).status == PARTLY_RETURNED
    assert on_hand(actor.location, p) == 3
    return_goods(actor, sale, [ReturnLine(line, Decimal(2), "broken", WRITE_OFF)], [Payment(CASH, f.eur("20.00"))])
    assert on_hand(actor.location, p) == 3  # came in and went straight out
    assert Order.get_by_id(sale.id).status == RETURNED
    with pytest.raises(DomainError, match="only 0 can still be returned"):
        return_goods(actor, sale, [ReturnLine(line, Decimal(1), "again")], [Payment(CASH, f.eur("10.00"))])
    assert verify_levels() == []


def test_refund_honours_order_discount_and_must_match(store):
    actor = f.actor()
    p = f.product("P", price="10.00")
    sale = _sale(actor, p, qty=2, order_discount=f.eur("2.00"))  # paid 18 for two
    line = sale.lines[0]
    with pytest.raises(DomainError, match="Refund 9.00 EUR"):
        return_goods(actor, sale, [ReturnLine(line, Decimal(1), "changed mind")], [Payment(CASH, f.eur("10.00"))])
    with pytest.raises(DomainError, match="reason"):
        return_goods(actor, sale, [ReturnLine(line, Decimal(1), "")], [Payment(CASH, f.eur("9.00"))])
    ret = return_goods(actor, sale, [ReturnLine(line, Decimal(1), "changed mind")], [Payment(CASH, f.eur("9.00"))])
    assert ret.total == Decimal("-9.00")


def test_exchange_is_a_return_plus_a_sale(store):
    actor = f.actor()
    p, q = f.product("P", price="10.00"), f.product("Q", price="12.00")
    sale = _sale(actor, p, qty=1)
    ret, new = exchange(actor, sale, [ReturnLine(sale.lines[0], Decimal(1), "colour")],
                        [SaleLine(q, Decimal(1), f.eur("12.00"))], [Payment(CASH, f.eur("2.00"))])
    assert ret.kind == "return" and new.total == Decimal("12.00")
    assert sorted(t.kind for t in new.tenders) == ["cash", "voucher"]
    assert on_hand(actor.location, p) == 0 and on_hand(actor.location, q) == -1
