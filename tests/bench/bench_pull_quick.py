"""Quick sync timings against a head office on PostgreSQL (loopback) or SQLite.

* enrol an empty terminal against the demo shop (`--demo N` products, with stock and deliveries);
* enrol an empty terminal against a plain catalogue of `--products N` (two barcodes, one price each);
* push `--events N` stock events from one terminal.

Starts a throwaway PostgreSQL cluster like tests/pg.py does (or uses `--hq sqlite`). Prints one
line per measurement and a JSON object with the seconds as the last line.

    python tests/bench/bench_pull_quick.py [--hq postgres|sqlite] [--demo 2000] [--products 100000] [--events 10000]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import json
import pstats
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from cli.config import Config
from hq import auth
from hq.server import HQHandle, connect_database, serve_in_thread
from models import schema
from models.catalog import Barcode, Price, Product, product_by_sku
from models.db import bind
from models.ledger import RECEIPT
from models.ops.recording import record_stock
from models.outbox import pending_count
from models.places import Location
from models.store import actor_for, ensure_terminal
from sync import client as sync
from tests import pg
from tests.pg import fresh_database


def cluster() -> contextlib.AbstractContextManager[str]:
    return pg.cluster(database="counter", prefix="counter-bench-pg-")


@contextlib.contextmanager
def at(database) -> Iterator[None]:
    with bind(database), database.connection_context():
        yield


def seed_demo(hq: HQHandle, n: int) -> None:
    from cli.demo_commands import HQ_TERMINALS
    from models import demo
    from models.outbox import OutboxEntry

    with at(hq.database):
        demo.seed_demo(n, booked_by=HQ_TERMINALS)
        OutboxEntry.delete().execute()


ANALYZE = False


def seed_plain(hq: HQHandle, n: int) -> None:
    stamp = dt.datetime(2025, 1, 1)
    with at(hq.database), hq.database.atomic():
        ensure_terminal("HQ-STORE1", "STORE1")
        for start in range(0, n, 2000):
            Product.insert_many([{"sku": f"SKU{i:06d}", "name": f"Product {i}", "category": "bench",
                                  "tax_rate": Decimal("7.7"), "updated_at": stamp}
                                 for i in range(start, min(n, start + 2000))]).execute()
        ids = [pid for (pid,) in Product.select(Product.id).tuples()]
        for start in range(0, len(ids), 2000):
            chunk = ids[start:start + 2000]
            Barcode.insert_many([{"code": f"2{pid:013d}", "product": pid, "pack_qty": 1} for pid in chunk]
                                + [{"code": f"3{pid:013d}", "product": pid, "pack_qty": 6} for pid in chunk]).execute()
            Price.insert_many([{"product": pid, "amount": Decimal("1.95"), "currency": "EUR"}
                               for pid in chunk]).execute()
    if ANALYZE:
        with at(hq.database):
            hq.database.execute_sql("ANALYZE")


def terminal(tmp: Path, name: str):
    path = tmp / f"{name}.db"
    database = connect_database(str(path))
    with at(database):
        schema.migrate()
    return database, Config(database=str(path), path=tmp / f"{name}.toml")


def enrol(hq: HQHandle, tmp: Path, name: str, code: str, profile: bool) -> tuple[float, object, Config]:
    with at(hq.database):
        token = auth.add_terminal("STORE1", code, create_location=True).enroll_token
    database, cfg = terminal(tmp, name)
    prof = cProfile.Profile() if profile else None
    with at(database):
        started = time.perf_counter()
        if prof:
            prof.enable()
        result = sync.enroll(hq.url, token, cfg)
        if prof:
            prof.disable()
        took = time.perf_counter() - started
        products = Product.select().count()
    print(f"enrol {name}: {took:.2f} s, {result.pull.pages} pages, {products} products here")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return took, database, cfg


def push_events(database, cfg: Config, n: int) -> float:
    with at(database):
        ensure_terminal(cfg.terminal, cfg.location)
        from models.people import create_user
        with database.atomic():
            if not list(Location.select().where(Location.code == cfg.location)):
                raise SystemExit("terminal has no location")
            create_user("BENCH", "Bench", "1234", "manager")
            actor = actor_for(cfg.terminal, "BENCH")
            products = [product_by_sku(s) for (s,) in Product.select(Product.sku).limit(50).tuples()]
            for i in range(n):
                record_stock(actor, products[i % len(products)], Decimal(1), RECEIPT)
        queued = pending_count()
        started = time.perf_counter()
        with sync.connect(cfg.sync_url, cfg.sync_token) as client:
            result = sync.push(client)
        took = time.perf_counter() - started
    print(f"push {queued} events: {took:.2f} s, {result.batches} batches, {result.accepted} accepted")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hq", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--demo", type=int, default=2000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE after seeding (autovacuum may lag)")
    args = parser.parse_args()
    global ANALYZE
    ANALYZE = args.analyze
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp_name, contextlib.ExitStack() as stack:
        tmp = Path(tmp_name)
        base = stack.enter_context(cluster()) if args.hq == "postgres" else None

        def new_hq(name: str) -> HQHandle:
            handle = serve_in_thread(fresh_database(base) if base else str(tmp / f"{name}.db"))
            stack.callback(handle.stop)
            return handle

        if args.demo:
            hq = new_hq("demo")
            seed_demo(hq, args.demo)
            figures["enrol_demo_s"], database, cfg = enrol(hq, tmp, "demo", "T01", args.profile)
            if args.events:
                figures["push_s"] = push_events(database, cfg, args.events)
        if args.products:
            hq = new_hq("plain")
            seed_plain(hq, args.products)
            figures["enrol_plain_s"], _, _ = enrol(hq, tmp, "plain", "T01", args.profile)
    print(json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
