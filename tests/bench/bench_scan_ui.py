"""Benchmark: scans into the Sale screen on a big store, against a bare Textual Input + DataTable.

    python tests/bench/bench_scan_ui.py [--products 100000] [--events 1000000] [--scans 200]

Store: 100,000 products and 1,000,000 ledger events (the builder of bench_ledger.py), levels
rebuilt. The app runs headless (Textual's Pilot) and each scan is a whole wedge burst: every key
of the code plus Enter posted at once, as a scanner's bytes arrive in one terminal read.

* latency: one burst per scan, waiting for its line; each scan is timed from posting its first
  key to the Sale screen's ``LineRendered`` (posted after the refresh that draws the line). The
  bare app does the same with an Input that adds a DataTable row per Enter.
* burst: all scans posted back to back in one go; every code must come out as its own line
  (``lost_keys`` counts characters posted minus characters that arrived in lines, both modes).
* cold start: a fresh ``python -c`` that imports the app, opens the store and runs headless until
  the login screen is up, timed from spawning it to its "ready" line.

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.app import App, ComposeResult  # noqa: E402
from textual.message import Message  # noqa: E402
from textual.widgets import DataTable, Input  # noqa: E402

from tests.bench.bench_ledger import build_store, ean13, pct  # noqa: E402
from tests.tui.burst import burst_events  # noqa: E402
from tui.app import CounterApp  # noqa: E402
from tui.messages import LineRendered  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT = 2.0  # a scan with no line after this long counts its keys as lost


class Recorder:
    """When each line appeared, by position (both apps report through this), and when the scan path
    had put it in the table (before the next frame paints it)."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.handled: dict[int, float] = {}
        self.event = asyncio.Event()

    def mark(self, position: int) -> None:
        self.seen[position] = time.perf_counter()
        self.event.set()

    async def wait_for(self, position: int, timeout: float = LINE_TIMEOUT) -> float | None:
        deadline = time.perf_counter() + timeout
        while position not in self.seen:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                return None
            self.event.clear()
            try:
                await asyncio.wait_for(self.event.wait(), remaining)
            except TimeoutError:
                return None
        return self.seen[position]


class BenchCounterApp(CounterApp):
    def __init__(self, recorder: Recorder, **kwargs: object) -> None:
        super().__init__("T01", status_interval=0, **kwargs)  # type: ignore[arg-type]
        self.recorder = recorder

    def on_line_rendered(self, message: LineRendered) -> None:
        self.recorder.mark(message.position)


class RowAdded(Message):
    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position


class BareApp(App):
    """The floor: an Input and a DataTable, one row per Enter (kept in view), nothing else."""

    CSS = "DataTable { height: 1fr; }"  # the table fills the screen and scrolls, as the Sale screen's

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.rows: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="scan")
        yield DataTable(id="lines")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "Code")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.rows.append(event.value)
        position = len(self.rows)
        table = self.query_one(DataTable)
        table.add_row(str(position), event.value)
        # Scroll like the Sale screen does: a line below the fold is not on screen.
        table.move_cursor(row=position - 1)
        event.input.value = ""
        self.call_after_refresh(self.post_message, RowAdded(position))

    def on_row_added(self, message: RowAdded) -> None:
        self.recorder.mark(message.position)


def post_keys(app: App, text: str) -> float:
    """Post every key of one scan at once; returns when the first key was posted."""
    events = burst_events(text)
    started = time.perf_counter()
    for event in events:
        event.set_sender(app)
        app.post_message(event)
    return started


async def run_latency(app: App, recorder: Recorder, codes: list[str], first_position: int) -> list[float | None]:
    out: list[float | None] = []
    recorder.started = {}  # type: ignore[attr-defined]
    for i, code in enumerate(codes):
        started = post_keys(app, code)
        recorder.started[first_position + i] = started  # type: ignore[attr-defined]
        seen = await recorder.wait_for(first_position + i)
        out.append(None if seen is None else seen - started)
    return out


def handled_times(recorder: Recorder, first_position: int, n: int) -> list[float]:
    return [recorder.handled[p] - recorder.started[p]  # type: ignore[attr-defined]
            for p in range(first_position, first_position + n) if p in recorder.handled]


async def run_burst(app: App, recorder: Recorder, codes: list[str], first_position: int) -> tuple[float, int]:
    """All scans in one burst; returns (seconds until the last line, lines that appeared)."""
    events = [e for code in codes for e in burst_events(code)]
    started = time.perf_counter()
    for event in events:
        event.set_sender(app)
        app.post_message(event)
    last = first_position + len(codes) - 1
    await recorder.wait_for(last, timeout=LINE_TIMEOUT * len(codes))
    appeared = sum(1 for p in range(first_position, last + 1) if p in recorder.seen)
    end = max((recorder.seen[p] for p in range(first_position, last + 1) if p in recorder.seen), default=started)
    return end - started, appeared


def lost_chars(codes: list[str], arrived: list[str]) -> int:
    """Characters posted minus characters that arrived in lines (a line per code, in order)."""
    lost = 0
    for i, code in enumerate(codes):
        got = arrived[i] if i < len(arrived) else ""
        lost += len(code) - (len(code) if got == code else sum(1 for a, b in zip(code, got, strict=False) if a == b))
    return lost


async def bench_sale(codes: list[str], burst_codes: list[str]) -> dict:
    from tests.tui.counter_pilot import idle, login
    from tui.screens.sale import SaleScreen

    recorder = Recorder()
    original = SaleScreen.add_line

    def add_line(screen: SaleScreen, line: object) -> None:
        original(screen, line)  # type: ignore[arg-type]
        recorder.handled[len(screen.lines)] = time.perf_counter()

    SaleScreen.add_line = add_line  # type: ignore[method-assign]  # bench-only probe
    app = BenchCounterApp(recorder)
    async with app.run_test(headless=True, size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        screen = app.screen
        assert isinstance(screen, SaleScreen), f"not on the sale screen: {screen!r}"
        await pilot.pause(0.2)
        # Warm up on codes outside the measured set (first query plans, first row layout).
        warm = [ean13(n) for n in range(1, 6)]
        await run_latency(app, recorder, warm, 1)
        latencies = await run_latency(app, recorder, codes, 1 + len(warm))
        handled = handled_times(recorder, 1 + len(warm), len(codes))
        burst_s, burst_lines = await run_burst(app, recorder, burst_codes, 1 + len(warm) + len(codes))
        arrived = [code_of(line) for line in screen.lines[len(warm):]]
    SaleScreen.add_line = original  # type: ignore[method-assign]
    return {"latencies": latencies, "handled": handled, "burst_s": burst_s, "burst_lines": burst_lines,
            "lost": lost_chars(codes + burst_codes, arrived)}


def code_of(line: object) -> str:
    """The 13-digit EAN the bench scanned for this line's product (bench SKUs are SKU<n>)."""
    n = int(line.product.sku[3:])  # type: ignore[attr-defined]
    return ean13(n)


async def bench_bare(codes: list[str], burst_codes: list[str]) -> dict:
    recorder = Recorder()
    app = BareApp(recorder)
    async with app.run_test(headless=True, size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        warm = [f"999{i:010d}" for i in range(5)]
        await run_latency(app, recorder, warm, 1)
        latencies = await run_latency(app, recorder, codes, 1 + len(warm))
        burst_s, burst_lines = await run_burst(app, recorder, burst_codes, 1 + len(warm) + len(codes))
        arrived = app.rows[len(warm):]
    return {"latencies": latencies, "burst_s": burst_s, "burst_lines": burst_lines,
            "lost": lost_chars(codes + burst_codes, arrived)}


COLD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from models.store import open_store
    from tui.app import CounterApp
    from tui.screens.login import LoginScreen

    open_store({db!r})

    class Ready(CounterApp):
        def on_ready(self):
            assert isinstance(self.screen, LoginScreen), self.screen
            print("READY", flush=True)
            self.exit()

    Ready("T01", status_interval=0).run(headless=True)
""")


def cold_start(db_path: Path, runs: int = 3) -> list[float]:
    """Seconds from spawning a fresh interpreter to the login screen being up (best of a few)."""
    code = COLD.format(root=str(ROOT), db=str(db_path))
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env, cwd=str(ROOT))
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        _out, err = proc.communicate(timeout=30)
        if not line.startswith("READY"):
            raise RuntimeError(f"the app did not start: {err[-2000:]}")
        times.append(elapsed)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=200)
    args = parser.parse_args()

    from models.db import db

    path, build_s = build_store(args.products, args.events, "bench-scan-ui-")

    # Distinct products spread over the catalogue: every scan is a new line (no merging).
    step = max(1, args.products // (2 * args.scans + 10))
    numbers = [(i * step) % args.products for i in range(2 * args.scans)]
    codes = [ean13(n) for n in numbers[: args.scans]]
    burst_codes = [ean13(n) for n in numbers[args.scans:]]

    sale = asyncio.run(bench_sale(codes, burst_codes))
    db.close()
    bare = asyncio.run(bench_bare(codes, burst_codes))
    cold = cold_start(path)

    def summary(run: dict) -> tuple[float, float, int]:
        ok = [x for x in run["latencies"] if x is not None]
        missing = len(run["latencies"]) - len(ok)
        return statistics.median(ok) * 1000, pct(ok, 0.99) * 1000, missing

    sale_p50, sale_p99, sale_missing = summary(sale)
    bare_p50, bare_p99, bare_missing = summary(bare)
    result = {
        "scans": args.scans, "products": args.products, "events": args.events,
        "scan_p50_ms": round(sale_p50, 2), "scan_p99_ms": round(sale_p99, 2),
        "scan_max_ms": round(max(x for x in sale["latencies"] if x is not None) * 1000, 2),
        # First key to the line in the table, before the next frame (Textual paints at most
        # TEXTUAL_FPS times a second, 60 by default: up to 16.7 ms of every "on screen" figure).
        "scan_handled_p50_ms": round(statistics.median(sale["handled"]) * 1000, 2),
        "scan_handled_p99_ms": round(pct(sale["handled"], 0.99) * 1000, 2),
        "textual_fps": int(os.environ.get("TEXTUAL_FPS", "60")),
        "lost_keys": sale["lost"], "missing_lines": sale_missing + (len(burst_codes) - sale["burst_lines"]),
        "burst_total_ms": round(sale["burst_s"] * 1000, 1),
        "burst_per_scan_ms": round(sale["burst_s"] * 1000 / max(1, len(burst_codes)), 2),
        "bare_p50_ms": round(bare_p50, 2), "bare_p99_ms": round(bare_p99, 2), "bare_lost_keys": bare["lost"],
        "bare_burst_total_ms": round(bare["burst_s"] * 1000, 1),
        "ratio_p50": round(sale_p50 / bare_p50, 2) if bare_p50 else None,
        "cold_start_s": round(min(cold), 3), "cold_start_runs_s": [round(c, 3) for c in cold],
        "build_s": round(build_s, 1),
    }
    goals = {"lost_keys": result["lost_keys"] == 0, "scan_p99_ms": result["scan_p99_ms"] < 15,
             "ratio_p50": (result["ratio_p50"] or 99) <= 2, "cold_start_s": result["cold_start_s"] < 1}
    result["goals_met"] = all(goals.values())
    result["goals_missed"] = [name for name, ok in goals.items() if not ok]
    print(f"sale scan p50 {sale_p50:.2f} ms p99 {sale_p99:.2f} ms; bare p50 {bare_p50:.2f} ms p99 {bare_p99:.2f} ms; "
          f"burst of {len(burst_codes)}: {sale['burst_s'] * 1000:.0f} ms (bare {bare['burst_s'] * 1000:.0f} ms); "
          f"cold start {min(cold):.3f} s", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
