"""Benchmark: sync against a head office on PostgreSQL on loopback.

    python tests/bench/bench_sync.py [--events 10000] [--products 100000] [--terminals 20] [--rounds 10]

Starts a throwaway PostgreSQL cluster (as tests/pg.py does) and runs the head office as its own
process (`hq.server.serve`), as in production: one uvicorn worker for the single-terminal
parts (push, pull), two worker processes for the concurrent part (`--hq-workers`; head office is
stateless and production runs several). Terminals are SQLite files; the concurrent part runs each
terminal in a process of its own. Measures:

* `push_10k_s`: one terminal pushes 10,000 stock events (`sync.push`, batches of 500);
* `raw_insert_10k_s`: the very same 10,000 event rows copied with psycopg `COPY` into a table like
  `stock_event` (same columns and indexes, no triggers) on the same cluster: the floor for push;
* `pull_100k_s`: an empty terminal enrols and pulls a catalogue of 100,000 products (two barcodes
  and a price each);
* `concurrent20_p99_ms`: 20 terminals (own store files, 4 per location) syncing at once: each
  round every terminal sells three items, then all 20 start a sync at the same instant (a barrier);
  `--rounds` rounds; p50/p99/max of one `run_sync` (push and pull). Twenty terminals are twenty
  machines, so each runs in its own process, not as threads sharing one interpreter lock. Before
  the clock starts they run `--warm-up` rounds of the same work, all at once, reported apart as
  `concurrent20_warm_up_max_ms`: a head office that has been serving for days has prepared its
  statements on every pooled connection (psycopg prepares one on its fifth use on a connection)
  and a terminal has loaded its code; the first rounds measure that start-up instead. Both sides still
  share this machine's cores. `--terminal-nice N` (default 0, reported in the JSON) runs the
  terminal processes at a lower CPU priority, closer to real machines where a till's work never
  takes CPU from head office's server or its database; the terminals' own share of a sync then
  runs at that priority too, and is still measured.
* `free_running20_p99_ms` (reported, no goal): then the same terminals sell and sync `--rounds`
  more times each as fast as they can, with no barrier: twenty tills each syncing several times a
  second, so every sync also competes with the other terminals' sales for the same two cores; a
  sustained overload no store makes, which shows where the machine saturates.

Goals: push_10k_s < 2, pull_100k_s < 10, concurrent20_p99_ms < 250. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import peewee  # noqa: E402
import psycopg  # noqa: E402

from cli.config import Config  # noqa: E402
from hq import auth  # noqa: E402
from hq.server import connect_database, open_hq  # noqa: E402
from models import schema  # noqa: E402
from models.catalog import Product, current_price  # noqa: E402
from models.db import bind  # noqa: E402
from models.ledger import RECEIPT, StockEvent  # noqa: E402
from models.ops.recording import record_stock  # noqa: E402
from models.ops.selling import Payment, SaleLine, sell  # noqa: E402
from models.outbox import pending_count  # noqa: E402
from models.people import create_user  # noqa: E402
from models.store import actor_for  # noqa: E402
from sync import client as sync  # noqa: E402
from tests import pg  # noqa: E402

HQ_WORKERS = 2  # default of --hq-workers
WORKERS = HQ_WORKERS  # head-office processes of this run's concurrent part
TERMINAL_NICE = 0  # default of --terminal-nice
WARM_UP_ROUNDS = 3  # default of --warm-up
GOALS = {"push_10k_s": 2.0, "pull_100k_s": 10.0, "concurrent20_p99_ms": 250.0}


# --- infrastructure ---------------------------------------------------------------------------

def cluster() -> contextlib.AbstractContextManager[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (durable settings: fsync stays on)."""
    return pg.cluster("max_connections=200", prefix="counter-bench-sync-")


def new_database(base: str, name: str) -> str:
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def at(database: peewee.Database) -> Iterator[None]:
    with bind(database), database.connection_context():
        yield


@contextlib.contextmanager
def head_office(url: str, logdir: Path, workers: int = 1) -> Iterator[str]:
    """Migrate, then serve `url` from a separate process (`workers` uvicorn workers); yields the base URL."""
    database = open_hq(url)
    database.close_all() if hasattr(database, "close_all") else database.close()
    port = pg.free_port()
    log = open(logdir / f"hq-{port}.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-c", f"from hq.server import serve; serve({url!r}, port={port}, workers={workers})"],
        cwd=Path(__file__).resolve().parents[2], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"head office did not start; see {log.name}") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def terminal_store(tmp: Path, name: str) -> tuple[peewee.Database, Config]:
    path = tmp / f"{name}.db"
    database = connect_database(str(path))
    with at(database):
        schema.migrate()
    return database, Config(database=str(path), path=tmp / f"{name}.toml")


def enrol(hq_db: peewee.Database, base: str, tmp: Path, name: str, location: str, code: str,
          ) -> tuple[peewee.Database, Config, float]:
    with at(hq_db):
        token = auth.add_terminal(location, code, create_location=True).enroll_token
    database, cfg = terminal_store(tmp, name)
    with at(database):
        started = time.perf_counter()
        sync.enroll(base, token, cfg, save=False)
        took = time.perf_counter() - started
    return database, cfg, took


def seed_catalogue(url: str, n: int, *, locations: tuple[str, ...] = ("STORE1",)) -> None:
    """`n` products with two barcodes and one price each, loaded with COPY (triggers fill the change log)."""
    stamp = dt.datetime(2025, 1, 1)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for code in locations:
            cur.execute("INSERT INTO location (code, name, kind, currency, address) VALUES (%s, %s, 'store', 'EUR', '')",
                        (code, code))
        with cur.copy("COPY product (sku, name, name_zh, category, unit, unit_precision, track_lot, track_serial,"
                      " track_expiry, weight_priced, tax_rate, active, needs_count, updated_at) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((f"SKU{i:06d}", f"Product {i}", f"产品 {i}", f"cat{i % 50}", "pcs", 0,
                                False, False, False, False, 7700, True, False, stamp))
        cur.execute("SELECT id FROM product ORDER BY id")
        ids = [pid for (pid,) in cur.fetchall()]
        with cur.copy("COPY barcode (code, product_id, pack_qty) FROM STDIN") as copy:
            for pid in ids:
                copy.write_row((f"2{pid:013d}", pid, 1000))
                copy.write_row((f"3{pid:013d}", pid, 6000))
        with cur.copy("COPY price (product_id, amount, currency, valid_from) FROM STDIN") as copy:
            for pid in ids:
                copy.write_row((pid, 19500, "EUR", dt.datetime(2000, 1, 1)))
        conn.commit()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


# --- the measurements -------------------------------------------------------------------------

def bench_push(base_pg: str, tmp: Path, events: int) -> dict[str, float]:
    url = new_database(base_pg, "push")
    with head_office(url, tmp) as base:
        seed_catalogue(url, 100)
        hq_db = connect_database(url)
        with at(hq_db):
            create_user("C1", "Clerk", "1234")
        database, cfg, _ = enrol(hq_db, base, tmp, "push", "STORE1", "T01")
        with at(database), database.atomic():
            actor = actor_for("T01", "C1")
            products = list(Product.select())
            for i in range(events):
                record_stock(actor, products[i % len(products)], Decimal(1 + i % 7), RECEIPT)
        with at(database):
            queued = pending_count()
            started = time.perf_counter()
            with sync.connect(cfg.sync_url, cfg.sync_token) as client:
                pushed = sync.push(client)
            push_s = time.perf_counter() - started
            assert pushed.accepted == queued == events and pending_count() == 0, pushed
            started = time.perf_counter()
            after = sync.run_sync(cfg)  # the pull that follows a big push (its own events are skipped)
            pull_after_s = time.perf_counter() - started
            assert after.ok, after.error
        print(f"push {events} events: {push_s:.2f} s ({pushed.batches} batches); "
              f"the sync after it: {pull_after_s:.2f} s", file=sys.stderr)
        with at(hq_db):
            assert StockEvent.select().count() == events
        raw_s = bench_raw_insert(url, events)
        hq_db.close_all()
        database.close()
    return {"push_10k_s": push_s, "sync_after_push_s": pull_after_s, "raw_insert_10k_s": raw_s}


def bench_raw_insert(url: str, events: int) -> float:
    """COPY the same rows into an equivalent table: what PostgreSQL itself needs for them."""
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE raw_event (LIKE stock_event INCLUDING DEFAULTS INCLUDING INDEXES)")
        conn.commit()
        buffer = io.BytesIO()
        with conn.cursor().copy("COPY (SELECT * FROM stock_event) TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        rows = buffer.getvalue()
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY raw_event FROM STDIN") as copy:
            copy.write(rows)
        conn.commit()
        took = time.perf_counter() - started
        (count,) = conn.execute("SELECT COUNT(*) FROM raw_event").fetchone()
        assert count == events, count
    print(f"raw COPY of {events} event rows: {took:.3f} s", file=sys.stderr)
    return took


def bench_pull(base_pg: str, tmp: Path, products: int) -> dict[str, float]:
    url = new_database(base_pg, "pull")
    started = time.perf_counter()
    open_hq(url).close_all()
    seed_catalogue(url, products)
    print(f"seeded {products} products in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    with head_office(url, tmp) as base:
        hq_db = connect_database(url)
        database, _, took = enrol(hq_db, base, tmp, "pull", "STORE1", "T01")
        with at(database):
            here = Product.select().count()
        assert here == products, here
        hq_db.close_all()
        database.close()
    print(f"enrol + pull {products} products: {took:.2f} s", file=sys.stderr)
    return {"pull_100k_s": took}


def bench_concurrent(base_pg: str, tmp: Path, terminals: int, rounds: int, nice: int = TERMINAL_NICE,
                     warm_up: int = WARM_UP_ROUNDS) -> dict[str, float]:
    url = new_database(base_pg, "concurrent")
    locations = tuple(f"STORE{i + 1}" for i in range((terminals + 3) // 4))
    open_hq(url).close_all()
    seed_catalogue(url, 200, locations=locations)
    with head_office(url, tmp, WORKERS) as base:
        hq_db = connect_database(url)
        with at(hq_db):
            create_user("C1", "Clerk", "1234")
        terms = [enrol(hq_db, base, tmp, f"c{i:02d}", locations[i // 4], f"C{i:02d}")[:2] for i in range(terminals)]
        for database, cfg in terms:
            with at(database):
                actor = actor_for(cfg.terminal, "C1")
                for product in Product.select().limit(20):
                    record_stock(actor, product, Decimal(100), RECEIPT)
            with at(database):
                assert sync.run_sync(cfg).ok
        for database, _ in terms:
            database.close()
        # Each terminal is a machine of its own: its own process (so terminals do not share one
        # interpreter lock, as they never would), started before the clock runs and released together.
        context = multiprocessing.get_context("spawn")
        barrier, done = context.Barrier(terminals + 1), context.Barrier(terminals + 1)
        together = context.Barrier(terminals)
        results = context.Queue()
        procs = [context.Process(target=terminal_rounds,
                                 args=(cfg, i, (warm_up, rounds, rounds), barrier, together, done, results, nice))
                 for i, (_, cfg) in enumerate(terms)]
        for proc in procs:
            proc.start()
        # The earlier parts wrote a 100,000-product catalogue: flush it now, so PostgreSQL's own
        # checkpoint of it does not land in the middle of this part's measurements.
        with psycopg.connect(base_pg, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
        barrier.wait(timeout=120)  # all set up: warm up together
        barrier.wait(timeout=120)  # all warmed up: the clock starts
        started = time.perf_counter()
        warm: list[float] = []
        latencies: list[float] = []
        free: list[float] = []
        errors: list[str] = []
        for _ in procs:
            warming, at_once, free_running, failed = results.get(timeout=120)
            warm += warming
            latencies += at_once
            free += free_running
            errors += failed
        wall = time.perf_counter() - started
        done.wait(timeout=120)
        for proc in procs:
            proc.join(30)
        assert not errors, errors[:3]
        with at(hq_db):
            expected = terminals * (20 + (warm_up + 2 * rounds) * 3)
            assert StockEvent.select().count() == expected
        hq_db.close_all()
    ms = [x * 1000 for x in latencies]
    free_ms = [x * 1000 for x in free]
    warm_ms = max(warm, default=0.0) * 1000
    print(f"{terminals} terminals x {rounds} syncs at once (after {warm_up} warm-up rounds, slowest {warm_ms:.0f} ms), "
          f"then {rounds} free-running, in {wall:.1f} s: "
          f"at once p50 {statistics.median(ms):.0f} ms, p99 {percentile(ms, 99):.0f} ms, max {max(ms):.0f} ms; "
          f"free-running p50 {statistics.median(free_ms):.0f} ms, p99 {percentile(free_ms, 99):.0f} ms",
          file=sys.stderr)
    return {"concurrent20_p99_ms": percentile(ms, 99), "concurrent20_p50_ms": statistics.median(ms),
            "concurrent20_max_ms": max(ms), "concurrent20_warm_up_max_ms": warm_ms,
            "free_running20_p50_ms": statistics.median(free_ms), "free_running20_p99_ms": percentile(free_ms, 99)}


def terminal_rounds(cfg: Config, seed: int, phases: tuple[int, int, int], barrier: object, together: object,
                    done: object, results: object, nice: int = 0) -> None:
    """One terminal's part of the concurrent run, in a process of its own (at `nice`). `phases` is
    (warm-up, at once, free-running) rounds. A round sells three items and syncs; in the first two
    phases the sync waits for the other terminals (`together`), in the last it does not. The
    clock starts (`barrier`) after the warm-up; the free-running rounds start together too, so
    they never overlap the last round at once. Puts the latencies of each phase and the errors on
    `results`, then waits for `done` before closing and exiting, so no terminal's shutdown runs
    while others are measured."""
    os.nice(nice)
    database = connect_database(cfg.database)
    latencies: tuple[list[float], list[float], list[float]] = ([], [], [])
    errors: list[str] = []
    with at(database):
        actor = actor_for(cfg.terminal, "C1")
        products = list(Product.select().limit(20))
        barrier.wait(timeout=120)
        r = 0
        for phase, count in enumerate(phases):
            if phase == 1:
                barrier.wait(timeout=120)
            elif phase == 2:  # the last round at once is over for everyone before the overload starts
                together.wait(timeout=120)
            for _ in range(count):
                for k in range(3):
                    product = products[(seed + r * 3 + k) % len(products)]
                    price = current_price(product)
                    sell(actor, [SaleLine(product, Decimal(1), price)], [Payment("cash", price)])
                r += 1
                if phase < 2:
                    together.wait(timeout=120)
                started = time.perf_counter()
                result = sync.run_sync(cfg)
                latencies[phase].append(time.perf_counter() - started)
                if not result.ok:
                    errors.append(result.error)
    results.put((*latencies, errors))
    done.wait(timeout=120)
    database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--terminals", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--warm-up", type=int, default=WARM_UP_ROUNDS,
                        help="unmeasured rounds of the concurrent part before its clock starts (see above)")
    parser.add_argument("--hq-workers", type=int, default=HQ_WORKERS,
                        help="head-office worker processes for the concurrent part (counter hq serve --workers N)")
    parser.add_argument("--terminal-nice", type=int, default=TERMINAL_NICE,
                        help="CPU priority of the concurrent part's terminal processes (see above)")
    parser.add_argument("--only", choices=("push", "pull", "concurrent"), action="append")
    args = parser.parse_args()
    global WORKERS
    WORKERS = args.hq_workers
    parts = set(args.only or ("push", "pull", "concurrent"))
    figures: dict[str, float] = {}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp_name, cluster() as base_pg:
        tmp = Path(tmp_name)
        if "push" in parts:
            figures |= bench_push(base_pg, tmp, args.events)
            figures["ratio_push"] = figures["push_10k_s"] / figures["raw_insert_10k_s"]
        if "pull" in parts:
            figures |= bench_pull(base_pg, tmp, args.products)
        if "concurrent" in parts:
            figures |= bench_concurrent(base_pg, tmp, args.terminals, args.rounds, args.terminal_nice, args.warm_up)
            figures["terminal_nice"] = args.terminal_nice
    figures["total_s"] = time.perf_counter() - started
    figures["hq_workers"] = WORKERS
    missed = [k for k, goal in GOALS.items() if k in figures and figures[k] >= goal]
    print("goals missed: " + ", ".join(missed) if missed else "all goals met", file=sys.stderr)
    print(json.dumps({k: round(v, 3) for k, v in figures.items()} | {"goals_missed": missed}))


if __name__ == "__main__":
    main()
