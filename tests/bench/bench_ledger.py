"""Benchmark: the counter-sale scan transaction on a store with 100,000 products and 1,000,000 events.

    python tests/bench/bench_ledger.py [--products 100000] [--events 1000000] [--scans 2000]

Times one scanned item sold through the domain layer (barcode lookup, price, order, line, tender,
stock event, level, outbox rows, commit) and the very same statements hand-written for sqlite3 with
the same pragmas on the same file, interleaved so that both see the same disk and the same cache. Then times `verify_levels` over the whole ledger. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uuid_utils  # noqa: E402

from models.catalog import current_price, find_by_code  # noqa: E402
from models.db import SQLITE_PRAGMAS, db  # noqa: E402
from models.ledger import rebuild_all_levels, verify_levels  # noqa: E402
from models.money import Money  # noqa: E402
from models.ops.selling import CASH, Payment, SaleLine, sell  # noqa: E402
from models.people import create_user  # noqa: E402
from models.store import actor_for, ensure_terminal, open_store  # noqa: E402


def ean13(n: int) -> str:
    body = f"40{n:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def build(path: Path, products: int, events: int) -> None:
    open_store(path)
    ensure_terminal("T01", "STORE1")
    ensure_terminal("W01", "WH1", kind="warehouse")
    create_user("1001", "Bench clerk", "1234")
    db.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=wal")
    con.execute("PRAGMA synchronous=off")  # building the fixture only; the timed part uses FULL
    now = "2026-01-01 00:00:00"
    with con:
        con.executemany(
            "INSERT INTO product (sku, name, name_zh, category, unit, unit_precision, track_lot, track_serial,"
            " track_expiry, weight_priced, tax_rate, active, needs_count, updated_at)"
            " VALUES (?, ?, '', 'bench', 'pcs', 0, 0, 0, 0, 0, 0, 1, 0, ?)",
            ((f"SKU{i:06d}", f"Product {i}", now) for i in range(products)))
        con.executemany("INSERT INTO barcode (code, product_id, pack_qty) VALUES (?, ?, 1000)",
                        ((ean13(i).zfill(14), i + 1) for i in range(products)))
        con.executemany("INSERT INTO price (product_id, amount, currency, valid_from) VALUES (?, ?, 'EUR', ?)",
                        ((i + 1, 10000 + (i % 5000) * 100, "2000-01-01 00:00:00") for i in range(products)))
    rng = random.Random(7)
    t0 = dt.datetime(2025, 1, 1)
    kinds = ("receipt", "sale", "sale", "sale", "count", "return")

    def rows():
        for i in range(events):
            kind = kinds[rng.randrange(len(kinds))]
            qty = {"receipt": 24000, "sale": -1000, "return": 1000, "count": rng.randrange(0, 50) * 1000}[kind]
            at = (t0 + dt.timedelta(seconds=i * 20)).isoformat(sep=" ")
            yield (str(uuid_utils.uuid7()), 1 + (i % 2), rng.randrange(products) + 1, qty, kind, at, "x" * 64)

    with con:
        con.executemany(
            "INSERT INTO stock_event (id, location_id, bin, product_id, lot, quantity, kind, reason, occurred_at,"
            " terminal, user, reference, digest) VALUES (?, ?, '', ?, '', ?, ?, '', ?, 'T01', '1001', '', ?)",
            rows())
    con.close()


def time_domain_scan(actor, code: str) -> float:
    start = time.perf_counter()
    product, pack = find_by_code(code)
    sell(actor, [SaleLine(product, pack, current_price(product))], [Payment(CASH, Money(Decimal(500), "EUR"))])
    return time.perf_counter() - start


class RawScan:
    """The statements `sell` issues for a one-line cash sale, hand-written for sqlite3."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        for name, value in SQLITE_PRAGMAS.items():
            self.con.execute(f"PRAGMA {name}={value}")

    def __call__(self, code: str) -> float:
        c = self.con
        start = time.perf_counter()
        now = dt.datetime.now().isoformat(sep=" ")
        pid, sku, name, pack = c.execute(
            "SELECT p.id, p.sku, p.name, b.pack_qty FROM product p JOIN barcode b ON p.id = b.product_id"
            " WHERE b.code = ?", (code.zfill(14),)).fetchone()
        (amount,) = c.execute("SELECT amount FROM price WHERE product_id = ? AND valid_from <= ? AND"
                              " (valid_to IS NULL OR valid_to > ?) ORDER BY valid_from DESC LIMIT 1",
                              (pid, now, now)).fetchone()
        c.execute("BEGIN")
        (n,) = c.execute("INSERT INTO local_counter (name, value) VALUES ('raw', 1) ON CONFLICT (name)"
                         " DO UPDATE SET value = value + 1 RETURNING value").fetchone()
        number = f"X-T01-{n:06d}"
        oid = c.execute("INSERT INTO \"order\" (number, kind, channel, location_id, terminal, user, customer_id,"
                        " status, currency, subtotal, discount, tax, total, original_id, created_at, approved_by)"
                        " VALUES (?, 'sale', 'counter', 1, 'T01', '1001', NULL, 'delivered', 'EUR', ?, 0, 0, ?,"
                        " NULL, ?, '')", (number, amount, amount, now)).lastrowid
        c.execute("INSERT INTO order_line (order_id, position, product_id, sku, name, quantity, unit_price,"
                  " discount, total, lot, reason, condition, original_line_id)"
                  " VALUES (?, 1, ?, ?, ?, ?, ?, 0, ?, '', '', '', NULL)", (oid, pid, sku, name, pack, amount, amount))
        c.execute("INSERT INTO tender (order_id, kind, amount, reference, change) VALUES (?, 'cash', 5000000, '', ?)",
                  (oid, 5000000 - amount))
        c.execute("SELECT COALESCE(SUM(on_hand), 0) FROM stock_level WHERE location_id = 1 AND product_id = ?",
                  (pid,)).fetchone()
        eid = str(uuid_utils.uuid7())
        c.execute("INSERT OR IGNORE INTO stock_event (id, location_id, bin, product_id, lot, expiry, quantity, kind,"
                  " reason, occurred_at, terminal, user, reference, received_at, digest) VALUES"
                  " (?, 1, '', ?, '', NULL, ?, 'sale', '', ?, 'T01', '1001', ?, NULL, ?)",
                  (eid, pid, -pack, now, number, "d" * 64))
        c.execute("INSERT INTO stock_level (location_id, product_id, bin, lot, on_hand) VALUES (1, ?, '', '', ?)"
                  " ON CONFLICT (location_id, product_id, bin, lot) DO UPDATE SET on_hand = on_hand + excluded.on_hand"
                  " WHERE count_at IS NULL OR count_at < ?", (pid, -pack, now))
        c.execute("INSERT INTO outbox_entry (kind, ref, payload, created_at, attempts) VALUES"
                  " ('stock_event', ?, ?, ?, 0)", (eid, json.dumps({"id": eid, "sku": sku}), now))
        for status in ("paid", "delivered"):
            c.execute("INSERT INTO order_status_change (order_id, status, at, by, note) VALUES (?, ?, ?, '1001', '')",
                      (oid, status, now))
        c.execute("INSERT INTO outbox_entry (kind, ref, payload, created_at, attempts) VALUES"
                  " ('order', ?, ?, ?, 0)", (number, json.dumps({"number": number, "lines": [sku]}), now))
        c.execute("COMMIT")
        return time.perf_counter() - start


def build_store(products: int, events: int, prefix: str) -> tuple[Path, float]:
    """A store of that size in a fresh temp dir, levels derived, open; returns its path and build seconds."""
    path = Path(tempfile.mkdtemp(prefix=prefix)) / "store.db"
    t = time.perf_counter()
    build(path, products, events)
    open_store(path)
    rebuild_all_levels()
    build_s = time.perf_counter() - t
    print(f"built {products} products, {events} events in {build_s:.1f} s ({path})", flush=True)
    return path, build_s


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=2_000)
    args = parser.parse_args()

    path, build_s = build_store(args.products, args.events, "bench-ledger-")

    t = time.perf_counter()
    diffs = verify_levels()
    verify_s = time.perf_counter() - t
    print(f"verify over {args.events} events: {verify_s:.2f} s, {len(diffs)} differences")

    actor = actor_for("T01", "1001")
    raw = RawScan(path)
    rng = random.Random(11)
    codes = [ean13(rng.randrange(args.products)) for _ in range(args.scans)]
    for code in codes[:50]:  # warm both paths before timing
        time_domain_scan(actor, code)
        raw(code)
    domain, baseline = [], []
    for code in codes:
        domain.append(time_domain_scan(actor, code))
        baseline.append(raw(code))
    us = 1e6
    result = {
        "products": args.products, "events": args.events, "scans": args.scans,
        "scan_txn_p50_us": round(statistics.median(domain) * us),
        "scan_txn_p99_us": round(pct(domain, 0.99) * us),
        "raw_sqlite_p50_us": round(statistics.median(baseline) * us),
        "raw_sqlite_p99_us": round(pct(baseline, 0.99) * us),
        "ratio_p50": round(statistics.median(domain) / statistics.median(baseline), 2),
        "verify_1m_s": round(verify_s, 2),
        "level_differences_after": len(verify_levels()),
        "build_s": round(build_s, 1),
    }
    print(f"domain scan p50 {result['scan_txn_p50_us']} us p99 {result['scan_txn_p99_us']} us; "
          f"raw p50 {result['raw_sqlite_p50_us']} us; ratio {result['ratio_p50']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
