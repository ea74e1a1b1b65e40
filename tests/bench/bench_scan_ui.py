"""Benchmark: scans into the Sale screen on a big store, against a bare Textual Input + DataTable.

    python tests/bench/bench_scan_ui.py [--products 100000] [--events 1000000] [--scans 200]

Store: 100,000 products and 1,000,000 ledger events (the builder of bench_ledger.py), levels
rebuilt. The app runs headless (Textual's Pilot) and each scan is a whole wedge burst: every key
of the code plus Enter posted at once, as a scanner's bytes arrive in one terminal read.

* latency: one burst per scan, waiting for its line, with a pause of ``--gap-ms`` (50) before the
  next scan. A line counts as on screen when the frame that first drew its row has been handed to
  the driver (both apps report that frame through a probe on ``App._display`` and on the table's
  row rendering): first key to that frame. The pause keeps Textual's frame cap out of the figure:
  it starts a frame at most once per 1/60 s, so a scan posted the instant after the previous frame
  waits for the next slot whatever the app does; a scanner and a clerk's hand never come that fast
  (twenty scans a second is more than any counter sees). The same scans back to back, with no
  pause, are reported too (``back_to_back_*``), frame cap included.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Input  # noqa: E402

from tests.bench.bench_ledger import build_store, ean13, pct  # noqa: E402
from tests.tui.burst import burst_events  # noqa: E402
from tui.app import CounterApp  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LINE_TIMEOUT = 2.0  # a scan whose line is not on screen by then is late (and has no latency)


class Recorder:
    """When each line reached the screen, by position (both apps report through this), and when the
    scan path had put it in the table (before the next frame paints it)."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self.handled: dict[int, float] = {}
        self.started: dict[int, float] = {}
        self.drawn: list[int] = []  # rows drawn into the frame being built
        self.event = asyncio.Event()

    def row_drawn(self, position: int) -> None:
        if position not in self.seen:
            self.drawn.append(position)

    def frame_shown(self) -> None:
        now = time.perf_counter()
        for position in self.drawn:
            self.seen.setdefault(position, now)
        if self.drawn:
            self.drawn.clear()
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


class FrameProbe:
    """Mixed into both apps: a frame counts once Textual hands it to the driver (headless here, so
    the last step, turning it into escape codes, is skipped by both alike)."""

    recorder: Recorder

    def _display(self, screen: object, renderable: object) -> None:
        super()._display(screen, renderable)  # type: ignore[misc]
        if renderable is not None and not self._batch_count:  # type: ignore[attr-defined]
            self.recorder.frame_shown()


class BenchCounterApp(FrameProbe, CounterApp):
    def __init__(self, recorder: Recorder, **kwargs: object) -> None:
        super().__init__("T01", status_interval=0, **kwargs)  # type: ignore[arg-type]
        self.recorder = recorder


class BareTable(DataTable):
    recorder: Recorder

    def _render_line_in_row(self, row_key, line_no, base_style, cursor_location, hover_location):  # noqa: ANN001, ANN202
        if row_key.value is not None:
            self.recorder.row_drawn(int(row_key.value))
        return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)


class BareApp(FrameProbe, App):
    """The floor: an Input and a DataTable, one row per Enter (kept in view), nothing else."""

    CSS = "DataTable { height: 1fr; }"  # the table fills the screen and scrolls, as the Sale screen's

    def __init__(self, recorder: Recorder) -> None:
        super().__init__()
        self.recorder = recorder
        self.rows: list[str] = []

    def compose(self) -> ComposeResult:
        yield Input(id="scan")
        table = BareTable(id="lines")
        table.recorder = self.recorder
        yield table

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("#", "Code")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.rows.append(event.value)
        position = len(self.rows)
        table = self.query_one(DataTable)
        table.add_row(str(position), event.value, key=str(position))
        # Scroll like the Sale screen does: a line below the fold is not on screen.
        table.move_cursor(row=position - 1)
        event.input.value = ""


def post_keys(app: App, text: str) -> float:
    """Post every key of one scan at once; returns when the first key was posted."""
    events = burst_events(text)
    started = time.perf_counter()
    for event in events:
        event.set_sender(app)
        app.post_message(event)
    return started


async def run_latency(app: App, recorder: Recorder, codes: list[str], first_position: int,
                      gap: float) -> list[float | None]:
    out: list[float | None] = []
    for i, code in enumerate(codes):
        if gap:
            await asyncio.sleep(gap)
        started = post_keys(app, code)
        recorder.started[first_position + i] = started
        seen = await recorder.wait_for(first_position + i)
        out.append(None if seen is None else seen - started)
    return out


def handled_times(recorder: Recorder, first_position: int, n: int) -> list[float]:
    return [recorder.handled[p] - recorder.started[p]
            for p in range(first_position, first_position + n) if p in recorder.handled]


async def run_burst(app: App, recorder: Recorder, codes: list[str], first_position: int) -> float:
    """All scans in one burst; returns seconds until the last line was on screen (the lines in
    between scroll past faster than frames come, so most are never drawn)."""
    events = [e for code in codes for e in burst_events(code)]
    started = time.perf_counter()
    for event in events:
        event.set_sender(app)
        app.post_message(event)
    seen = await recorder.wait_for(first_position + len(codes) - 1, timeout=LINE_TIMEOUT * len(codes))
    return (seen or time.perf_counter()) - started


def lost_chars(codes: list[str], arrived: list[str]) -> int:
    """Characters posted minus characters that arrived in lines (a line per code, in order)."""
    lost = 0
    for i, code in enumerate(codes):
        got = arrived[i] if i < len(arrived) else ""
        lost += len(code) - (len(code) if got == code else sum(1 for a, b in zip(code, got, strict=False) if a == b))
    return lost


async def measure(app: App, recorder: Recorder, sets: Codes, warm: list[str], gap: float,
                  lines: Callable[[], int]) -> dict:
    """Warm-up, paced latency, back-to-back latency, then one burst; positions run on across them.
    ``lines`` counts the lines the app holds."""
    position = 1
    await run_latency(app, recorder, warm, position, gap)  # first query plans, first row layout
    position += len(warm)
    latencies = await run_latency(app, recorder, sets.paced, position, gap)
    handled = handled_times(recorder, position, len(sets.paced))
    position += len(sets.paced)
    back_to_back = await run_latency(app, recorder, sets.back_to_back, position, 0)
    position += len(sets.back_to_back)
    burst_s = await run_burst(app, recorder, sets.burst, position)
    return {"latencies": latencies, "handled": handled, "back_to_back": back_to_back, "burst_s": burst_s,
            "missing_lines": len(warm) + len(sets.all) - lines()}


@dataclass
class Codes:
    """Three sets of distinct codes (a repeated code would add to a line instead of adding one)."""

    paced: list[str]
    back_to_back: list[str]
    burst: list[str]

    @property
    def all(self) -> list[str]:
        return self.paced + self.back_to_back + self.burst


async def bench_sale(sets: Codes, gap: float) -> dict:
    from tests.tui.counter_pilot import idle, login
    from tui.screens.sale import SaleScreen
    from tui.widgets.sale_lines import SaleLinesTable

    recorder = Recorder()
    original_add, original_render = SaleScreen.add_line, SaleLinesTable._render_row

    def add_line(screen: SaleScreen, line: object) -> None:
        original_add(screen, line)  # type: ignore[arg-type]
        recorder.handled.setdefault(len(screen.lines), time.perf_counter())

    def render_row(table: SaleLinesTable, row: int, *args: object) -> object:
        if row >= 0:
            recorder.row_drawn(row + 1)
        return original_render(table, row, *args)  # type: ignore[arg-type]

    # Bench-only probes: when the scan path put a line in, and when its row was first drawn.
    SaleScreen.add_line = add_line  # type: ignore[method-assign]
    SaleLinesTable._render_row = render_row  # type: ignore[method-assign]
    app = BenchCounterApp(recorder)
    try:
        async with app.run_test(headless=True, size=(100, 30)) as pilot:
            await login(pilot)
            await pilot.press("f2")
            await idle(pilot)
            screen = app.screen
            assert isinstance(screen, SaleScreen), f"not on the sale screen: {screen!r}"
            await pilot.pause(0.2)
            run = await measure(app, recorder, sets, [ean13(n) for n in range(1, 6)], gap, lambda: len(screen.lines))
            arrived = [code_of(line) for line in screen.lines[5:]]
    finally:
        SaleScreen.add_line, SaleLinesTable._render_row = original_add, original_render  # type: ignore[method-assign]
    run["lost"] = lost_chars(sets.all, arrived)
    return run


def code_of(line: object) -> str:
    """The 13-digit EAN the bench scanned for this line's product (bench SKUs are SKU<n>)."""
    n = int(line.product.sku[3:])  # type: ignore[attr-defined]
    return ean13(n)


async def bench_bare(sets: Codes, gap: float) -> dict:
    recorder = Recorder()
    app = BareApp(recorder)
    async with app.run_test(headless=True, size=(100, 30)) as pilot:
        await pilot.pause(0.2)
        run = await measure(app, recorder, sets, [f"999{i:010d}" for i in range(5)], gap, lambda: len(app.rows))
        arrived = app.rows[5:]
    run["lost"] = lost_chars(sets.all, arrived)
    return run


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


def ms(values: list[float | None]) -> tuple[float, float, float, int]:
    """p50, p99, max (ms) of the lines that appeared, and how many did not."""
    ok = [x for x in values if x is not None]
    return (statistics.median(ok) * 1000, pct(ok, 0.99) * 1000, max(ok) * 1000, len(values) - len(ok))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--scans", type=int, default=200)
    parser.add_argument("--gap-ms", type=float, default=50.0, help="pause before each paced scan")
    args = parser.parse_args()

    from models.db import db

    path, build_s = build_store(args.products, args.events, "bench-scan-ui-")

    # Distinct products spread over the catalogue: every scan is a new line (no merging).
    n = args.scans
    step = max(1, args.products // (3 * n + 10))
    codes = [ean13((i * step) % args.products) for i in range(3 * n)]
    sets = Codes(paced=codes[:n], back_to_back=codes[n:2 * n], burst=codes[2 * n:])
    gap = args.gap_ms / 1000

    sale = asyncio.run(bench_sale(sets, gap))
    db.close()
    bare = asyncio.run(bench_bare(sets, gap))
    cold = cold_start(path)

    sale_p50, sale_p99, sale_max, sale_missing = ms(sale["latencies"])
    bare_p50, bare_p99, _bare_max, _ = ms(bare["latencies"])
    b2b_p50, b2b_p99, _b2b_max, b2b_missing = ms(sale["back_to_back"])
    bare_b2b_p50, bare_b2b_p99, _, _ = ms(bare["back_to_back"])
    result = {
        "scans": n, "products": args.products, "events": args.events, "gap_ms": args.gap_ms,
        "scan_p50_ms": round(sale_p50, 2), "scan_p99_ms": round(sale_p99, 2), "scan_max_ms": round(sale_max, 2),
        # First key to the line in the table, before the frame that shows it.
        "scan_handled_p50_ms": round(statistics.median(sale["handled"]) * 1000, 2),
        "scan_handled_p99_ms": round(pct(sale["handled"], 0.99) * 1000, 2),
        "textual_fps": int(os.environ.get("TEXTUAL_FPS", "60")),
        "lost_keys": sale["lost"],
        "missing_lines": sale["missing_lines"], "late_lines": sale_missing + b2b_missing,
        "back_to_back_p50_ms": round(b2b_p50, 2), "back_to_back_p99_ms": round(b2b_p99, 2),
        "burst_total_ms": round(sale["burst_s"] * 1000, 1),
        "burst_per_scan_ms": round(sale["burst_s"] * 1000 / max(1, len(sets.burst)), 2),
        "bare_p50_ms": round(bare_p50, 2), "bare_p99_ms": round(bare_p99, 2), "bare_lost_keys": bare["lost"],
        "bare_back_to_back_p50_ms": round(bare_b2b_p50, 2), "bare_back_to_back_p99_ms": round(bare_b2b_p99, 2),
        "bare_burst_total_ms": round(bare["burst_s"] * 1000, 1),
        "ratio_p50": round(sale_p50 / bare_p50, 2) if bare_p50 else None,
        "cold_start_s": round(min(cold), 3), "cold_start_runs_s": [round(c, 3) for c in cold],
        "build_s": round(build_s, 1),
    }
    goals = {"lost_keys": result["lost_keys"] == 0 and not result["missing_lines"] and not result["late_lines"],
             "scan_p99_ms": result["scan_p99_ms"] < 15,
             "ratio_p50": (result["ratio_p50"] or 99) <= 2, "cold_start_s": result["cold_start_s"] < 1}
    result["goals_met"] = all(goals.values())
    result["goals_missed"] = [name for name, ok in goals.items() if not ok]
    print(f"sale scan p50 {sale_p50:.2f} ms p99 {sale_p99:.2f} ms; bare p50 {bare_p50:.2f} ms p99 {bare_p99:.2f} ms; "
          f"back to back p50 {b2b_p50:.2f} ms (bare {bare_b2b_p50:.2f} ms); "
          f"burst of {len(sets.burst)}: {sale['burst_s'] * 1000:.0f} ms (bare {bare['burst_s'] * 1000:.0f} ms); "
          f"cold start {min(cold):.3f} s", flush=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
