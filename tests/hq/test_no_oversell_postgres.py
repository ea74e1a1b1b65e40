"""No oversell under a race, on PostgreSQL: 50 units at two locations, 20 clients posting 200
single-unit orders at once through HTTP. Exactly 50 are reserved and 150 backordered, every time."""

from __future__ import annotations

import threading
from decimal import Decimal

import httpx
import peewee
import pytest

from hq.orders.tables import Allocation, ChannelOrder
from hq.server import serve_in_thread
from models.catalog import product_by_sku
from models.db import bind
from models.oms.lifecycle import HOLDS_STOCK
from models.orders import Order, OrderLine
from tests import factories
from tests.pg import fresh_database

from .conftest import shop, stock

pytestmark = pytest.mark.postgres

RUNS, CLIENTS, ORDERS = 20, 20, 200


def test_two_hundred_racing_orders_reserve_exactly_the_fifty_units(postgres_url: str) -> None:
    handle = serve_in_thread(fresh_database(postgres_url))
    try:
        with bind(handle.database), handle.database.connection_context():
            key = shop({"P0": "1.00"}).key
        for run in range(RUNS):
            sku = f"R{run}"
            with bind(handle.database), handle.database.connection_context():
                factories.product(sku, price="1.00")
                stock("WH1", sku, 25)
                stock("STORE1", sku, 25)
            start = threading.Barrier(CLIENTS)
            answers: list[int] = []

            def client(n: int, sku: str = sku, run: int = run, start: threading.Barrier = start,
                       answers: list[int] = answers) -> None:
                with httpx.Client(base_url=handle.url, headers={"authorization": f"Bearer {key}"}, timeout=60) as http:
                    start.wait()
                    for i in range(n, ORDERS, CLIENTS):
                        doc = {"channel_order_id": f"{run}-{i}", "currency": "EUR",
                               "lines": [{"sku": sku, "quantity": "1", "unit_price": "1.00"}]}
                        answers.append(http.post("/v1/orders", json=doc).status_code)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(set(answers)) == [201] and len(answers) == ORDERS
            with bind(handle.database), handle.database.connection_context():
                product = product_by_sku(sku)
                held = dict(Allocation.select(Allocation.location, peewee.fn.SUM(Allocation.quantity))
                            .where((Allocation.product == product) & Allocation.state.in_(HOLDS_STOCK))
                            .group_by(Allocation.location).tuples())
                assert sorted(Decimal(v) / 1000 for v in held.values()) == [25, 25], (run, held)
                statuses = {}
                for (status,) in (Order.select(Order.status).join(OrderLine).where(OrderLine.product == product)
                                  .tuples()):
                    statuses[status] = statuses.get(status, 0) + 1
                assert statuses == {"allocated": 50, "backordered": 150}, (run, statuses)
                assert ChannelOrder.select().join(Order).join(OrderLine).where(
                    (OrderLine.product == product) & (ChannelOrder.queue == "backordered")).count() == 150
    finally:
        handle.stop()


def test_two_brokering_runs_at_once_place_each_unit_once(postgres_url: str) -> None:
    from hq.orders import broker, channels
    from hq.orders.document import read_document
    from hq.orders.intake import take_order
    from hq.server import connect_database, prepare

    database = connect_database(fresh_database(postgres_url))
    prepare(database)
    with bind(database), database.connection_context():
        shop({"P1": "1.00"})
        channel = channels.channel("WEB")
        for n in range(300):
            take_order(channel, read_document({"channel_order_id": str(n), "currency": "EUR", "lines": [
                {"sku": "P1", "quantity": "1", "unit_price": "1.00"}]}))
        stock("WH1", "P1", 60)
        stock("STORE1", "P1", 40)
    start = threading.Barrier(2)
    results = []

    def run() -> None:
        with bind(database), database.connection_context():
            start.wait()
            results.append(broker.run(chunk=20))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with bind(database), database.connection_context():
        assert sum(r.placed for r in results) == 100
        held = dict(Allocation.select(Allocation.location, peewee.fn.SUM(Allocation.quantity)).group_by(
            Allocation.location).tuples())
        assert sorted(Decimal(v) / 1000 for v in held.values()) == [40, 60]
        per_line = Allocation.select(Allocation.line, peewee.fn.COUNT(Allocation.id)).group_by(Allocation.line)
        assert max(count for _, count in per_line.tuples()) == 1
    database.close_all()
