"""Benchmark: head office takes and brokers channel orders, on PostgreSQL with fsync on.

    python tests/bench/bench_orders.py [--orders 10000] [--clients 4] [--locations 20] [--hq-workers 2]

Starts a throwaway PostgreSQL cluster (durable: fsync on) and head office as its own process
(`hq.server.serve`, `--hq-workers` uvicorn workers), seeds `--locations` locations with stock of 300
products, then measures:

* `intake_orders_per_s`, `intake_p50_ms`, `intake_p99_ms`: `--orders` three-line orders posted to
  `POST /v1/orders` by `--clients` concurrent clients; each is checked, stored, reviewed (two
  review rules that pass), allocated and reserved in its request;
* `broker_10k_s`: a backlog of `--orders` approved orders (taken while there was no stock, so all
  backordered) brokered by one run (`hq.orders.broker.run`) once stock has arrived at every location;
* `raw_insert_orders_per_s`: the baseline, in the same run: the same rows an intake writes for an
  order (order, three lines, its head-office row, its timeline entries, three allocations), inserted
  by plain SQL over one psycopg connection, one transaction per order, as the clients' threads do.

Goals: intake_orders_per_s >= 300, intake_p99_ms < 100, broker_10k_s < 5. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402
import psycopg  # noqa: E402

from hq.auth import add_location  # noqa: E402
from hq.orders import broker, channels, review  # noqa: E402
from hq.orders.document import read_document  # noqa: E402
from hq.orders.intake import take_order  # noqa: E402
from hq.server import open_hq  # noqa: E402
from models.catalog import Price, Product  # noqa: E402
from models.ledger import RECEIPT, EventData, post_events  # noqa: E402
from tests import pg  # noqa: E402
from tests.bench.bench_sync import at, head_office  # noqa: E402

PRODUCTS = 300


def seed(url: str, locations: int) -> str:
    database = open_hq(url)
    with at(database):
        for n in range(locations):
            add_location(f"L{n:02d}", kind="warehouse" if n % 4 == 0 else "store")
        Product.insert_many([{"sku": f"S{n:04d}", "name": f"Product {n}"} for n in range(PRODUCTS)]).execute()
        Price.insert_many([{"product": p.id, "amount": Decimal("9.90"), "currency": "EUR"}
                           for p in Product.select()]).execute()
        key = channels.add_channel("WEB").key
        channels.add_channel("BACKLOG")
        review.add_rule("amount_above", {"limit": "100000"})
        review.add_rule("payment_not_captured")
    database.close_all() if hasattr(database, "close_all") else database.close()
    return key


def stock_everywhere(url: str, locations: int, quantity: int) -> None:
    database = open_hq(url)
    now = dt.datetime.utcnow().replace(microsecond=0)
    with at(database):
        events = [EventData(location=f"L{n:02d}", sku=f"S{p:04d}", quantity=Decimal(quantity), kind=RECEIPT,
                            occurred_at=now, reference="bench") for n in range(locations) for p in range(PRODUCTS)]
        for start in range(0, len(events), 2000):
            post_events(events[start:start + 2000])
    database.close_all() if hasattr(database, "close_all") else database.close()


def document(n: int, prefix: str = "") -> dict:
    return {"channel_order_id": f"{prefix}{n}", "currency": "EUR", "payment_status": "captured",
            "customer": {"name": f"Customer {n % 5000}", "email": f"c{n % 5000}@example.com"},
            "ship_to": {"name": "C", "street": "Street 1", "city": "Berlin", "postcode": f"{10000 + n % 90000}",
                        "country": "DE"},
            "lines": [{"sku": f"S{(n * 7 + k * 31) % PRODUCTS:04d}", "quantity": "1", "unit_price": "9.90"}
                      for k in range(3)]}


def intake(base: str, key: str, orders: int, clients: int) -> dict:
    latencies: list[float] = []
    failures: list[int] = []
    start = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        with httpx.Client(base_url=base, headers={"authorization": f"Bearer {key}"}, timeout=60) as http:
            http.get("/health")
            start.wait()
            for n in range(k, orders, clients):
                began = time.perf_counter()
                answer = http.post("/v1/orders", json=document(n))
                latencies.append(time.perf_counter() - began)
                if answer.status_code != 201:
                    failures.append(answer.status_code)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"intake_orders_per_s": round(orders / elapsed, 1),
            "intake_p50_ms": round(statistics.median(latencies) * 1000, 1),
            "intake_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
            "intake_failures": len(failures)}


def backlog(url: str, orders: int) -> float:
    database = open_hq(url)
    with at(database):
        channel = channels.channel("BACKLOG")
        for n in range(orders):
            take_order(channel, read_document(document(n, "B")))
    stock_everywhere(url, LOCATIONS, 1000)
    with at(database):
        began = time.perf_counter()
        done = broker.run()
        elapsed = time.perf_counter() - began
        assert done.placed == orders, done
    database.close_all() if hasattr(database, "close_all") else database.close()
    return elapsed


def raw_inserts(url: str, orders: int, clients: int) -> float:
    """The rows of an intake by plain SQL: one transaction per order, `clients` connections."""
    dsn = url.replace("postgresql://", "postgres://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        loc = conn.execute("SELECT id FROM location ORDER BY id LIMIT 1").fetchone()[0]
        chan = conn.execute("SELECT id FROM channel WHERE code = 'WEB'").fetchone()[0]
        products = [r[0] for r in conn.execute("SELECT id FROM product ORDER BY id").fetchall()]

    def worker(k: int) -> None:
        now = dt.datetime.utcnow()
        with psycopg.connect(dsn) as conn:
            for n in range(k, orders, clients):
                with conn.transaction():
                    order = conn.execute(
                        'INSERT INTO "order" (number, kind, channel, terminal, "user", status, currency, subtotal, '
                        "discount, tax, total, created_at, approved_by) VALUES (%s, 'sale', 'WEB', '', '', "
                        "'allocated', 'EUR', 297000, 0, 0, 297000, %s, '') RETURNING id", (f"RAW-{n}", now)).fetchone()[0]
                    lines = [conn.execute(
                        "INSERT INTO order_line (order_id, position, product_id, sku, name, quantity, unit_price, "
                        "discount, total, lot, reason, condition) VALUES (%s, %s, %s, 'S', 'P', 1000, 99000, 0, "
                        "99000, '', '', '') RETURNING id", (order, k2, products[(n + k2) % len(products)])
                    ).fetchone()[0] for k2 in range(3)]
                    conn.execute(
                        "INSERT INTO channel_order (order_id, channel_id, channel_order_id, state, queue, payment_status, "
                        "service_level, ship_to, contact, amount_reporting, received_at, updated_at) VALUES "
                        "(%s, %s, %s, 'approved', '', 'captured', 'standard', '{}', '{}', 297000, %s, %s)",
                        (order, chan, f"RAW-{n}", now, now))
                    for kind in ("received", "approved", "allocated"):
                        conn.execute("INSERT INTO order_event (order_id, at, by, kind, note, data) VALUES "
                                     "(%s, %s, 'bench', %s, '', '{}')", (order, now, kind))
                    for k2, line in enumerate(lines):
                        conn.execute(
                            "INSERT INTO allocation (order_id, line_id, location_id, product_id, quantity, state, "
                            "cancel_requested, short_reason, created_at, updated_at) VALUES "
                            "(%s, %s, %s, %s, 1000, 'reserved', false, '', %s, %s)",
                            (order, line, loc, products[(n + k2) % len(products)], now, now))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return orders / (time.perf_counter() - began)


LOCATIONS = 20


def main() -> None:
    global LOCATIONS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--hq-workers", type=int, default=2)
    args = parser.parse_args()
    LOCATIONS = args.locations
    figures: dict[str, object] = {"orders": args.orders, "clients": args.clients, "locations": args.locations,
                                  "hq_workers": args.hq_workers}
    with tempfile.TemporaryDirectory() as tmp, pg.cluster("fsync=on", "synchronous_commit=on",
                                                          database="bench") as url:
        key = seed(url, args.locations)
        stock_everywhere(url, args.locations, 10_000)
        with head_office(url, Path(tmp), workers=args.hq_workers) as base:
            figures |= intake(base, key, args.orders, args.clients)
        print(f"intake: {json.dumps(figures)}", flush=True)
        # The backlog: new orders taken with no stock anywhere, then stock arrives at every location.
        database = open_hq(url)
        with at(database):
            database.execute_sql("DELETE FROM stock_event")
            database.execute_sql("DELETE FROM stock_level")
            database.execute_sql("DELETE FROM allocation")
        database.close_all() if hasattr(database, "close_all") else database.close()
        figures["broker_10k_s"] = round(backlog(url, args.orders), 2)
        print(f"broker: {figures['broker_10k_s']} s", flush=True)
        figures["raw_insert_orders_per_s"] = round(raw_inserts(url, args.orders, args.clients), 1)
    figures["intake_vs_raw_insert"] = round(figures["intake_orders_per_s"] / figures["raw_insert_orders_per_s"], 3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
