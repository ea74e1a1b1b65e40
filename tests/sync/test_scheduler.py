"""The background sync scheduler against a real head office on loopback.

Small intervals (tenths of a second) keep these fast; the jitter's random source is injected so the
planned delays are exact.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from hq.server import HQHandle, serve_in_thread
from models.catalog import product_by_sku
from models.ledger import RECEIPT
from models.ops.recording import record_stock
from models.outbox import pending_count
from models.store import actor_for
from sync import client as sync
from sync.scheduler import OFFLINE, ONLINE, SYNCING, SyncScheduler, SyncStatus, backoff_delay
from tests import factories
from tests.sync.conftest import at, enrolled


class FixedRandom(random.Random):
    """`random()` always returns one value: the jitter becomes a known factor."""

    def __init__(self, value: float) -> None:
        super().__init__(0)
        self.value = value

    def random(self) -> float:
        return self.value


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


class Recorder:
    """Wraps the sync run: counts runs, the most at once, and when each started."""

    def __init__(self, run: Callable = sync.run_sync, hold: float = 0.0) -> None:
        self.run, self.hold = run, hold
        self.lock = threading.Lock()
        self.active = self.peak = self.calls = 0
        self.started: list[float] = []
        self.results: list[sync.SyncResult] = []
        self.gate: threading.Event | None = None  # if set, the next run waits for it
        self.entered = threading.Event()

    def __call__(self, cfg) -> sync.SyncResult:
        with self.lock:
            self.active += 1
            self.calls += 1
            self.peak = max(self.peak, self.active)
            self.started.append(time.monotonic())
            gate, self.gate = self.gate, None
        self.entered.set()
        try:
            if gate is not None:
                gate.wait(10)
            if self.hold:
                time.sleep(self.hold)
            result = self.run(cfg)
            self.results.append(result)
            return result
        finally:
            with self.lock:
                self.active -= 1


class Office:
    """A head office that can be taken down and brought back on the same port."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: HQHandle | None = serve_in_thread(str(path))
        self.port = int(self.handle.url.rsplit(":", 1)[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def down(self) -> None:
        if self.handle is not None:
            self.handle.stop()
            self.handle = None

    def up(self) -> None:
        self.handle = serve_in_thread(str(self.path), port=self.port)


@pytest.fixture
def office(tmp_path):
    office = Office(tmp_path / "hq.db")
    with at(office.handle.database):
        factories.product("P1")
        factories.user("C1")
    yield office
    office.down()


@pytest.fixture
def term(office, make_terminal):
    return enrolled(office.handle, make_terminal, "t", code="T01")


@pytest.fixture
def make_scheduler():
    made: list[SyncScheduler] = []

    def make(term, **kwargs) -> SyncScheduler:
        kwargs.setdefault("interval", 60)
        kwargs.setdefault("rng", FixedRandom(0.5))
        scheduler = SyncScheduler(term.cfg, database=term.database, **kwargs)
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.stop()


def _sell_something(term) -> None:
    with term:
        record_stock(actor_for("T01", "C1"), product_by_sku("P1"), Decimal(1), RECEIPT)


def test_backoff_doubles_is_capped_and_jitters_within_its_band():
    mid = [backoff_delay(n, 2, 30, 0.2, FixedRandom(0.5)) for n in range(1, 7)]
    assert mid == [2, 4, 8, 16, 30, 30]
    assert backoff_delay(3, 2, 30, 0.2, FixedRandom(0.0)) == pytest.approx(8 * 0.8)
    assert backoff_delay(3, 2, 30, 0.2, FixedRandom(1.0)) == pytest.approx(8 * 1.2)
    spread = {round(backoff_delay(2, 2, 30, 0.2, random.Random(seed)), 6) for seed in range(50)}
    assert len(spread) > 40 and min(spread) >= 3.2 and max(spread) <= 4.8


def test_backoff_grows_while_head_office_is_down_and_resets_when_it_is_back(office, term, make_scheduler):
    office.down()
    seen: list[SyncStatus] = []
    recorder = Recorder()
    scheduler = make_scheduler(term, interval=0.3, backoff_base=0.1, backoff_cap=0.4, jitter=0.5,
                               rng=FixedRandom(0.75), run=recorder, on_change=seen.append)
    scheduler.start()
    wait_for(lambda: scheduler.status.failures >= 5)
    planned = sorted({(s.failures, s.next_delay) for s in seen if s.failures})
    assert [d for _, d in planned][:5] == pytest.approx([0.125, 0.25, 0.5, 0.5, 0.5])  # x1.25 jitter, capped
    gaps = [b - a for a, b in zip(recorder.started, recorder.started[1:], strict=False)][:4]
    assert all(gap >= delay * 0.9 for gap, delay in zip(gaps, [0.125, 0.25, 0.5, 0.5], strict=False)), gaps
    status = scheduler.status
    assert status.state in (OFFLINE, SYNCING) and status.last_sync_at is None
    assert "unreachable" in status.last_error and status.outbox == 0

    _sell_something(term)
    assert scheduler.request_sync() is False  # offline: the backoff stands
    office.up()
    wait_for(lambda: scheduler.status.state == ONLINE, timeout=3)
    status = scheduler.status
    assert status.failures == 0 and status.last_error == "" and status.next_delay == 0.3
    assert status.outbox == 0 and status.last_sync_at is not None


def test_a_sale_triggers_a_sync_at_once_and_requests_during_a_run_coalesce(office, term, make_scheduler):
    recorder = Recorder()
    scheduler = make_scheduler(term, interval=60, run=recorder)
    scheduler.start()
    wait_for(lambda: scheduler.status.state == ONLINE)
    assert recorder.calls == 1

    _sell_something(term)
    gate = recorder.gate = threading.Event()
    recorder.entered.clear()
    asked = time.monotonic()
    assert scheduler.request_sync() is True
    assert recorder.entered.wait(2)
    assert recorder.started[-1] - asked < 0.5  # "right away", not at the next interval
    assert scheduler.status.state == SYNCING and scheduler.status.outbox == 1

    def ask_many() -> None:
        for _ in range(10):
            assert scheduler.request_sync() is True
    askers = [threading.Thread(target=ask_many) for _ in range(3)]
    for t in askers:
        t.start()
    for t in askers:
        t.join()
    gate.set()
    wait_for(lambda: recorder.calls >= 3 and scheduler.status.state == ONLINE)
    time.sleep(0.3)
    assert recorder.calls == 3  # the first run, the sale's run, and exactly one for the 30 requests
    assert scheduler.status.outbox == 0 and all(r.ok for r in recorder.results)
    with term:
        assert pending_count() == 0


def test_never_two_runs_at_once(office, term, make_scheduler):
    recorder = Recorder(hold=0.03)
    scheduler = make_scheduler(term, interval=0.05, backoff_base=0.05, run=recorder)
    scheduler.start()
    stop = threading.Event()

    def hammer(action: Callable[[], object]) -> None:
        while not stop.is_set():
            action()
            time.sleep(0.002)
    threads = [threading.Thread(target=hammer, args=(a,))
               for a in (scheduler.request_sync, scheduler.sync_now, scheduler.request_sync, scheduler.sync_now)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join()
    assert recorder.calls >= 8  # plenty of chances to overlap
    assert recorder.peak == 1
    assert all(r.ok and not r.skipped for r in recorder.results)


def test_a_sync_already_holding_the_store_is_not_a_failure(office, term, make_scheduler):
    recorder = Recorder()
    scheduler = make_scheduler(term, interval=60, run=recorder)
    scheduler.start()
    wait_for(lambda: scheduler.status.state == ONLINE)
    with term, sync.sync_lock() as got:  # e.g. the app's own sync key or `counter sync`
        assert got
        scheduler.sync_now()
        wait_for(lambda: recorder.calls == 2 and scheduler.status.state != SYNCING)
        assert recorder.results[-1].skipped
        status = scheduler.status
        assert status.state == ONLINE and status.failures == 0 and status.next_delay == 1.0
    wait_for(lambda: recorder.calls == 3 and scheduler.status.state == ONLINE)
    assert recorder.results[-1].ok


def test_sync_now_runs_during_backoff(office, term, make_scheduler):
    office.down()
    recorder = Recorder()
    scheduler = make_scheduler(term, interval=60, backoff_base=30, run=recorder)
    scheduler.start()
    wait_for(lambda: scheduler.status.failures == 1 and scheduler.status.state == OFFLINE)
    assert scheduler.status.next_delay == 30
    office.up()
    scheduler.sync_now()
    wait_for(lambda: scheduler.status.state == ONLINE, timeout=3)
    assert recorder.calls == 2


def test_stop_is_prompt_even_during_a_hung_sync(office, term, make_scheduler):
    recorder = Recorder()
    gate = recorder.gate = threading.Event()  # the first run hangs until released
    scheduler = make_scheduler(term, interval=0.05, run=recorder)
    scheduler.start()
    assert recorder.entered.wait(2)
    began = time.monotonic()
    scheduler.stop()
    assert time.monotonic() - began < 0.5
    assert scheduler.request_sync() is False
    gate.set()
    time.sleep(0.3)
    assert recorder.calls == 1  # nothing ran after stop


def test_a_hung_sync_does_not_hold_the_process_exit(tmp_path):
    script = textwrap.dedent("""
        import sys, threading, time
        from dataclasses import dataclass
        from sync.scheduler import SyncScheduler

        @dataclass
        class Cfg:
            terminal: str = "T01"
            location: str = "STORE1"
            sync_url: str = "http://127.0.0.1:9"
            sync_token: str = "x"
            sync_interval: int = 1
            def save(self): pass

        entered = threading.Event()
        def hang(cfg):
            entered.set()
            time.sleep(60)  # a sync stuck on a dead network

        scheduler = SyncScheduler(Cfg(), run=hang)
        scheduler._count_outbox = lambda: 0  # no store in this process
        scheduler.start()
        assert entered.wait(10)
        scheduler.stop()
        print("stopped", flush=True)
    """)
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[2], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "stopped" in done.stdout
    assert time.monotonic() - began < 15  # the hung run's 60 s did not hold the exit


def test_the_client_lock_is_per_store(office, make_terminal):
    one = enrolled(office.handle, make_terminal, "one", code="T01")
    two = enrolled(office.handle, make_terminal, "two", code="T02")
    with one, sync.sync_lock() as got:
        assert got
        with sync.sync_lock() as again:
            assert not again  # the same store: one sync at a time
        assert sync.run_sync(one.cfg).skipped
        with two:
            assert sync.run_sync(two.cfg).ok  # another store in this process is not held up
