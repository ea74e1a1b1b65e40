"""Intake, review, brokering, release, picks, short picks, cancellations and stock arriving, in any
order: no location's reservations ever exceed its on hand minus safety stock, every unit of every
line is in exactly one place (reserved, at a location, spent, or waiting), and a refused step
changes nothing."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import peewee
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from hq.orders import broker, fulfilment, review, setup
from hq.orders.document import read_document
from hq.orders.intake import take_order
from hq.orders.tables import Allocation, Channel, ChannelOrder, OrderHold
from hq.server import connect_database, prepare
from models.db import bind
from models.errors import DomainError
from models.fields import QuantityField
from models.ledger import StockLevel
from models.oms.lifecycle import CANCELLED, GIVEN_BACK, HOLDS_STOCK, ON_HOLD, line_parts
from models.orders import Order, OrderLine

from .conftest import shop, stock

LOCATIONS, SKUS = ("WH1", "STORE1"), ("P1", "P2", "P3")
_template: list[Path] = []


def template() -> Path:
    """One migrated head office with its shop set up, copied for every example (migrating each
    time would cost more than the example)."""
    if not _template:
        path = Path(tempfile.mkdtemp(prefix="oms-sm-")) / "hq.db"
        database = connect_database(str(path))
        prepare(database)
        with bind(database), database.connection_context():
            shop({sku: "5.00" for sku in SKUS})
            review.add_rule("payment_not_captured")
            setup.set_safety_stock("WH1", Decimal(1))
        database.close()
        _template.append(path)
    return _template[0]


def snapshot() -> tuple:
    return (tuple(Allocation.select(Allocation.id, Allocation.state, Allocation.quantity, Allocation.cancel_requested)
                  .order_by(Allocation.id).tuples()),
            tuple(ChannelOrder.select(ChannelOrder.id, ChannelOrder.state, ChannelOrder.queue).order_by(
                ChannelOrder.id).tuples()),
            OrderHold.select().where(OrderHold.released_at.is_null()).count())


class OrderLife(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="oms-sm-run-"))
        shutil.copy(template(), self.dir / "hq.db")
        self.database = connect_database(str(self.dir / "hq.db"))
        self._bound = bind(self.database)
        self._bound.__enter__()
        self.database.connect()
        self.channel = Channel.get()
        self.orders = 0

    def teardown(self) -> None:
        self.database.close()
        self._bound.__exit__(None, None, None)
        shutil.rmtree(self.dir, ignore_errors=True)

    def refused_changes_nothing(self, step) -> None:
        before = snapshot()
        try:
            step()
        except DomainError:
            assert snapshot() == before

    @rule(lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=3),
          paid=st.booleans())
    def take(self, lines: list[tuple[str, int]], paid: bool) -> None:
        self.orders += 1
        doc = {"channel_order_id": str(self.orders), "currency": "EUR",
               "payment_status": "captured" if paid else "pending",
               "lines": [{"sku": sku, "quantity": str(qty), "unit_price": "5.00"} for sku, qty in lines]}
        take_order(self.channel, read_document(doc))

    @rule(location=st.sampled_from(LOCATIONS), sku=st.sampled_from(SKUS), quantity=st.integers(1, 4))
    def stock_arrives(self, location: str, sku: str, quantity: int) -> None:
        stock(location, sku, quantity)
        broker.run()

    @rule()
    def brokering_run(self) -> None:
        broker.run()

    def _pick_order(self, data: st.DataObject, state: str | None = None) -> str | None:
        query = Order.select(Order.number).join(ChannelOrder, on=(ChannelOrder.order == Order.id))
        if state:
            query = query.where(ChannelOrder.state == state)
        numbers = [n for (n,) in query.order_by(Order.id).tuples()]
        return data.draw(st.sampled_from(numbers)) if numbers else None

    def _pick_allocation(self, data: st.DataObject, states: tuple[str, ...]) -> Allocation | None:
        rows = list(Allocation.select().where(Allocation.state.in_(states)).order_by(Allocation.id))
        return data.draw(st.sampled_from(rows)) if rows else None

    @rule(data=st.data(), manager=st.booleans())
    def approve(self, data: st.DataObject, manager: bool) -> None:
        if (number := self._pick_order(data, ON_HOLD)) is not None:
            self.refused_changes_nothing(lambda: review.approve(
                number, by="ops", role="manager" if manager else "operator", note="checked"))

    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        if (number := self._pick_order(data)) is not None:
            self.refused_changes_nothing(lambda: review.reject(number, by="ops", note="no"))

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        if (number := self._pick_order(data)) is not None:
            self.refused_changes_nothing(lambda: fulfilment.release(number, by="ops"))

    @rule(data=st.data())
    def pick(self, data: st.DataObject) -> None:
        if (row := self._pick_allocation(data, ("released", "picking", "reserved"))) is not None:
            self.refused_changes_nothing(lambda: fulfilment.picked(row.id, by="W01"))

    @rule(data=st.data(), reason=st.sampled_from(fulfilment.SHORT_REASONS))
    def short(self, data: st.DataObject, reason: str) -> None:
        if (row := self._pick_allocation(data, ("released", "picking", "reserved", "picked"))) is not None:
            quantity = Decimal(data.draw(st.integers(1, int(row.quantity) + 1)))
            self.refused_changes_nothing(lambda: fulfilment.short(row.id, quantity, reason=reason, by="W01"))

    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        if (row := self._pick_allocation(data, ("picked", "packed", "released"))) is not None:
            self.refused_changes_nothing(lambda: fulfilment.shipped(row.id, by="W01"))

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if (number := self._pick_order(data)) is not None:
            self.refused_changes_nothing(lambda: fulfilment.cancel(number, by="customer", note="changed mind"))

    @precondition(lambda self: Allocation.select().where(Allocation.cancel_requested).exists())
    @rule(data=st.data(), accept=st.booleans())
    def answer_cancel(self, data: st.DataObject, accept: bool) -> None:
        rows = list(Allocation.select().where(Allocation.cancel_requested).order_by(Allocation.id))
        row = data.draw(st.sampled_from(rows))
        self.refused_changes_nothing(lambda: fulfilment.answer_cancel(row.id, accepted=accept, by="W01"))

    @invariant()
    def reservations_never_exceed_what_may_be_promised(self) -> None:
        held: dict[tuple[int, int], Decimal] = {}
        for loc, prod, qty in (Allocation.select(Allocation.location, Allocation.product,
                                                 peewee.fn.SUM(Allocation.quantity))
                               .where(Allocation.state.in_(HOLDS_STOCK))
                               .group_by(Allocation.location, Allocation.product).tuples()):
            held[(loc, prod)] = Decimal(int(qty)) / QuantityField.scale
        on_hand = {(loc, prod): Decimal(int(q)) / QuantityField.scale for loc, prod, q in StockLevel.select(
            StockLevel.location, StockLevel.product, peewee.fn.SUM(StockLevel.on_hand)).group_by(
            StockLevel.location, StockLevel.product).tuples()}
        wh1 = 1  # WH1, the first location shop() adds, keeps one unit of everything back
        for key, quantity in held.items():
            keep = Decimal(1) if key[0] == wh1 else Decimal(0)
            assert quantity <= on_hand.get(key, Decimal(0)) - keep, (key, quantity, on_hand.get(key))

    @invariant()
    def every_unit_is_in_one_place(self) -> None:
        by_line: dict[int, list[tuple[str, Decimal]]] = {}
        for line_id, state, qty in Allocation.select(Allocation.line, Allocation.state, Allocation.quantity).tuples():
            by_line.setdefault(line_id, []).append((state, qty))
        for line in OrderLine.select():
            parts = line_parts(line.quantity, by_line.get(line.id, []))  # refuses more placed than ordered
            assert sum((p.quantity for p in parts), Decimal(0)) == line.quantity
        for head in ChannelOrder.select():
            live = Allocation.select().where((Allocation.order == head.order_id) & Allocation.state.in_(HOLDS_STOCK))
            if head.state in (CANCELLED, ON_HOLD):
                assert not live.exists(), (head.order_id, head.state)

    @invariant()
    def given_back_quantities_are_not_held(self) -> None:
        assert not Allocation.select().where(Allocation.state.in_(GIVEN_BACK) & Allocation.cancel_requested).exists()


def test_order_life_in_any_order() -> None:
    run_state_machine_as_test(OrderLife, settings=settings(
        max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)))
