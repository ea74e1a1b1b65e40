"""What hostile input costs: head office's memory under an unauthenticated 200 MB push and a gzip
bomb, and the time and memory of importing 100,000 products with barcodes and prices.

Head office runs in a process of its own (its peak RSS is read from /proc), the imports run as
`counter import` processes (their peak RSS from wait4). A baseline in the same run, reading the
same CSV files with the csv module, puts the import time in proportion. Prints one line per
measurement and a JSON object as the last line.

    python tests/bench/bench_hostile.py [--rows 100000]

Goals: unauth_200mb_rss_growth_mb < 50, gzip_bomb_rss_growth_mb < 100, import_100k_products_s < 20,
import_100k_rss_mb < 300.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from hq import auth
from hq.server import connect_database, prepare
from models.db import bind
from sync.wire import API

MB = 1024 * 1024


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def head_office(tmp: Path) -> tuple[subprocess.Popen, str, str]:
    """A head office process on loopback, and a terminal credential for it."""
    url = str(tmp / "hq.db")
    database = connect_database(url)
    prepare(database)
    with bind(database), database.connection_context():
        token = auth.add_terminal("STORE1", "T01", create_location=True).enroll_token
        _cred, credential = auth.enroll(token)
    database.close()
    port = free_port()
    code = f"from hq.server import serve; serve({url!r}, port={port})"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return process, base, credential
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("head office did not start")


def unauthenticated_push(base: str, size_mb: int) -> int:
    def body():
        chunk = b" " * MB
        yield b'{"items": ['
        for _ in range(size_mb):
            yield chunk
        yield b"]}"

    try:
        response = httpx.post(base + f"{API}/push", content=body(), headers={"Authorization": "Bearer stranger"},
                              timeout=120)
        return response.status_code
    except httpx.HTTPError:  # head office answered 401 and closed before the body was all sent
        return 401


def gzip_bomb(base: str, credential: str, inflated_mb: int) -> tuple[int, int]:
    bomb = gzip.compress(b'{"items": [' + b" " * (inflated_mb * MB) + b"]}", compresslevel=9)
    response = httpx.post(base + f"{API}/push", content=bomb, timeout=120,
                          headers={"Authorization": f"Bearer {credential}", "Content-Encoding": "gzip",
                                   "Content-Type": "application/json"})
    return response.status_code, len(bomb)


def gtin13(n: int) -> str:
    body = f"2{n:011d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def write_files(tmp: Path, rows: int) -> tuple[Path, Path]:
    products, prices = tmp / "products.csv", tmp / "prices.csv"
    with products.open("w", newline="", encoding="utf-8") as p, prices.open("w", newline="", encoding="utf-8") as q:
        pw, qw = csv.writer(p), csv.writer(q)
        pw.writerow(["sku", "name", "name_zh", "category", "unit", "barcode"])
        qw.writerow(["sku", "price", "currency"])
        for i in range(rows):
            pw.writerow([f"SKU{i:06d}", f"Product {i}", f"商品{i}", f"Category {i % 40}", "pcs", gtin13(i)])
            qw.writerow([f"SKU{i:06d}", f"{1 + i % 100}.99", "EUR"])
    return products, prices


def counter(env: dict, *args: str) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `counter` process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "cli.main", *args], env=env, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"counter {' '.join(args)} exited {process.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--push-mb", type=int, default=200)
    parser.add_argument("--bomb-mb", type=int, default=1024)
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        # The imports first, while this process is small: a child's peak RSS counts its parent's at fork.
        products, prices = write_files(tmp, args.rows)
        started = time.perf_counter()
        for path in (products, prices):
            with path.open(encoding="utf-8", newline="") as fh:
                sum(1 for _ in csv.reader(fh))
        figures["baseline_csv_read_s"] = time.perf_counter() - started
        env = {**os.environ, "COUNTER_CONFIG": str(tmp / "counter.toml")}
        store = str(tmp / "store.db")
        counter(env, "--db", store, "init", "--terminal", "T01", "--location", "STORE1")
        figures["import_products_s"], products_mb = counter(env, "--db", store, "import", "products", str(products))
        figures["import_prices_s"], prices_mb = counter(env, "--db", store, "import", "prices", str(prices))
        figures["import_100k_products_s"] = figures["import_products_s"] + figures["import_prices_s"]
        figures["import_100k_rss_mb"] = max(products_mb, prices_mb)
        figures["import_ratio_to_csv_read"] = figures["import_100k_products_s"] / figures["baseline_csv_read_s"]
        print(f"import of {args.rows:,} products with barcodes, then their prices: "
              f"{figures['import_products_s']:.1f} s + {figures['import_prices_s']:.1f} s, peak "
              f"{figures['import_100k_rss_mb']:.0f} MB ({figures['import_ratio_to_csv_read']:.0f}x reading the "
              f"files with csv)")
        process, base, credential = head_office(tmp)
        try:
            before = peak_rss_mb(process.pid)
            status = unauthenticated_push(base, args.push_mb)
            figures["unauth_200mb_rss_growth_mb"] = peak_rss_mb(process.pid) - before
            print(f"unauthenticated {args.push_mb} MB push: {status}, head office grew "
                  f"{figures['unauth_200mb_rss_growth_mb']:.1f} MB")
            before = peak_rss_mb(process.pid)
            status, sent = gzip_bomb(base, credential, args.bomb_mb)
            figures["gzip_bomb_rss_growth_mb"] = peak_rss_mb(process.pid) - before
            print(f"gzip bomb ({sent / MB:.1f} MB inflating to {args.bomb_mb} MB): {status}, head office grew "
                  f"{figures['gzip_bomb_rss_growth_mb']:.1f} MB")
        finally:
            process.terminate()
            process.wait(10)

    print(json.dumps({k: round(v, 3) for k, v in figures.items()}))


if __name__ == "__main__":
    main()
