"""Quantities and amounts have bounds: absurd numbers are refused with a message, nothing written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.errors import DomainError
from models.fields import QuantityField
from models.ledger import StockEvent
from models.limits import MAX_AMOUNT, MAX_QUANTITY
from models.money import Money
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.selling import CASH, Payment, SaleLine, sell
from models.orders import Order
from tests import factories as f


@pytest.mark.parametrize("qty", ["99999999999999999999", "1e30", "10000001", "-20000000", "NaN", "Infinity"])
def test_a_line_quantity_beyond_the_bound_is_refused(store, qty):
    p = f.product("P1")
    with pytest.raises(DomainError, match="P1"):
        p.quantity(Decimal(qty))


def test_the_bound_itself_is_accepted(store):
    assert f.product("P1").quantity(MAX_QUANTITY) == MAX_QUANTITY


@pytest.mark.parametrize("lines, cash", [
    ([("99999999999999999999", "7.09")], "10"),   # the finding: 709,000,000,007,089,999,992.91 EUR
    ([("1", "7.09")], "99999999999999999999999"),  # cash beyond any till
    ([("1", "99999999")], "100000000"),           # a unit price beyond the bound
    ([("9000000", "5000")], "1"),                  # each bound kept, the line's amount beyond its own
])
def test_a_sale_with_absurd_numbers_is_refused_whole(store, lines, cash):
    clerk = f.actor()
    p = f.product("P1")
    sale = [SaleLine(p, Decimal(q), f.eur(price)) for q, price in lines]
    with pytest.raises(DomainError):
        sell(clerk, sale, [Payment(CASH, Money(Decimal(cash), "EUR"))])
    assert Order.select().count() == 0 and StockEvent.select().count() == 0


def test_receiving_1e30_is_refused(store):
    with pytest.raises(DomainError, match="more than the 10,000,000"):
        receive_goods(f.actor(), [ReceivedLine(f.product("P1"), Decimal("1e30"))])


def test_a_column_refuses_what_it_cannot_hold_with_a_message_not_an_overflow():
    field = QuantityField()
    with pytest.raises(DomainError, match="too large"):
        field.db_value(Decimal(2**70))
    with pytest.raises(DomainError):
        field.db_value(Decimal("NaN"))
    assert field.db_value(MAX_AMOUNT) == int(MAX_AMOUNT) * 1000
