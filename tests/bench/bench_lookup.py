"""Lookup speed on a big catalogue: the median time of the queries an incremental search makes.

Builds 100,000 products in a temporary store, then replays typing ("w", "wh", "who", ...) and exact
scans through `models.lookup.find_products`, exactly what the lookup screen's worker runs.
Prints a table, and as the last line one JSON object with the medians in milliseconds.

    python tests/bench/bench_lookup.py [--products 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from models.catalog import Barcode, Product
from models.db import db
from models.lookup import find_products
from models.store import open_store

WORDS = ["milk", "bread", "apple", "cheese", "butter", "yogurt", "coffee", "tea", "rice", "pasta",
         "soap", "towel", "whole", "rye", "gouda", "green", "black", "oat", "salt", "sugar"]


def build(n: int) -> None:
    rng = random.Random(42)
    stamp = dt.datetime(2025, 1, 1)
    with db.atomic():
        for start in range(0, n, 2000):
            rows = [{"sku": f"SKU{i:06d}", "name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}",
                     "category": rng.choice(WORDS), "updated_at": stamp} for i in range(start, min(n, start + 2000))]
            Product.insert_many(rows).execute()
        ids = [p.id for p in Product.select(Product.id).where(Product.id % 10 == 0)]
        for start in range(0, len(ids), 2000):
            Barcode.insert_many([{"code": f"2{pid:013d}", "product": pid, "pack_qty": 1}
                                 for pid in ids[start:start + 2000]]).execute()


def timed(text: str, repeat: int, scanned: bool = False) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        find_products(text, scanned=scanned)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = open_store(Path(tmp) / "bench.db")
        build(args.products)
        typed = [w[:k] for w in ("whole", "gouda", "SKU0421", "coffee bl", "zzz") for k in range(1, len(w) + 1)]
        scans = ["20000000000100", "20000000054320", "SKU099999", "96385074"]
        incremental = {text: timed(text, args.repeat) for text in typed}
        exact = {text: timed(text, args.repeat, scanned=True) for text in scans}
        database.close()
    for text, ms in [*incremental.items(), *exact.items()]:
        print(f"{text!r:24} {ms:8.2f} ms")
    result = {
        "products": args.products,
        "incremental_median_ms": round(statistics.median(incremental.values()), 3),
        "incremental_max_ms": round(max(incremental.values()), 3),
        "scan_median_ms": round(statistics.median(exact.values()), 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
