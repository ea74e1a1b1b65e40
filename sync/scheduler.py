"""Background sync: run `run_sync` every N seconds, right after a sale when online, and back off
while head office cannot be reached.

One APScheduler job (`BackgroundScheduler`, `max_instances=1`) does the work. The job reschedules
itself after every run: the configured interval after a success, `base * 2**(failures-1)` (capped,
with jitter) after a failure, so a till that lost its network does not hammer the link, and a whole
shop coming back online does not hit head office in the same second.

Requests coalesce: `request_sync()` while a run is going marks "one more"; however many arrive,
the job runs once more when the current run ends (if that run reached head office). `sync_now()`
is the user's key: it runs even during backoff.

The job runs on a daemon thread, so a sync stuck on a dead network never holds the app's exit;
`stop()` returns at once. The app reads `status` (a frozen snapshot) or passes `on_change`, which is
called on the worker thread: the app marshals it to the UI with `call_from_thread`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

import peewee
from apscheduler.executors.base import BaseExecutor, run_job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from models import clock
from models.db import bind, db
from models.outbox import pending_count

from .client import SyncConfig, SyncResult, close_idle, run_sync

log = logging.getLogger("counter.sync")

ONLINE, OFFLINE, SYNCING = "online", "offline", "syncing"
JOB_ID = "counter-sync"
DEFAULT_INTERVAL = 30.0
DEFAULT_BACKOFF_BASE = 5.0
DEFAULT_BACKOFF_CAP = 300.0
DEFAULT_JITTER = 0.2  # +/- 20 %
SKIPPED_RETRY = 1.0  # another sync held the lock: look again soon, it is not a failure


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows; a snapshot, safe to hand to another thread."""

    state: str = OFFLINE  # online | offline | syncing
    last_sync_at: dt.datetime | None = None  # last run that reached head office (terminal clock)
    last_error: str = ""
    last_error_at: dt.datetime | None = None
    outbox: int = 0
    failures: int = 0  # failed runs in a row; 0 once one succeeds
    next_delay: float | None = None  # seconds from the last run's end to the next planned run
    runs: int = 0


class _DaemonThreadExecutor(BaseExecutor):
    """Each run on its own daemon thread: the interpreter never waits for a hung sync at exit.

    (APScheduler's pool executor uses `concurrent.futures`, whose workers are joined at exit.)
    """

    def _do_submit_job(self, job, run_times) -> None:  # noqa: ANN001 - APScheduler's signature
        def work() -> None:
            try:
                events = run_job(job, job._jobstore_alias, run_times, self._logger.name)
            except BaseException as exc:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, events)

        threading.Thread(target=work, name="counter-sync-run", daemon=True).start()


def backoff_delay(failures: int, base: float, cap: float, jitter: float, rng: random.Random) -> float:
    """Seconds to wait after `failures` failed runs in a row: base*2^(n-1), capped, +/- jitter."""
    raw = min(cap, base * 2 ** max(0, failures - 1))
    return max(0.0, raw * (1 + jitter * (2 * rng.random() - 1)))


class SyncScheduler:
    """The background sync of one terminal store.

    `database`: bind this store for the runs (several stores in one process, e.g. tests); default is
    whatever `models.db.db` points at in the worker thread (the app's store).
    `run`: the sync itself (default `run_sync`), injectable for tests and instrumentation.
    `rng`: the jitter's random source; `now`: the clock for `last_sync_at` (terminal clock).
    """

    def __init__(
        self, cfg: SyncConfig, *, interval: float | None = None, database: peewee.Database | None = None,
        run: Callable[[SyncConfig], SyncResult] = run_sync, backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_cap: float = DEFAULT_BACKOFF_CAP, jitter: float = DEFAULT_JITTER, rng: random.Random | None = None,
        on_change: Callable[[SyncStatus], None] | None = None, now: Callable[[], dt.datetime] = clock.now,
    ) -> None:
        configured = getattr(cfg, "sync_interval", None)
        self.cfg = cfg
        self.interval = float(interval if interval is not None else configured or DEFAULT_INTERVAL)
        if self.interval <= 0:
            raise ValueError("sync.interval_seconds must be more than zero.")
        self.database = database
        self.backoff_base, self.backoff_cap, self.jitter = backoff_base, max(backoff_cap, backoff_base), jitter
        self.rng = rng or random.Random()
        self.on_change = on_change
        self._run = run
        self._now = now
        self._lock = threading.Lock()
        self._status = SyncStatus()
        self._running = False
        self._requested = False  # one more run after this one, if it reached head office
        self._forced = False  # one more run after this one, whatever happened (the user's key)
        self._stopped = False
        self._scheduler: BackgroundScheduler | None = None

    # --- public ------------------------------------------------------------------------------

    @property
    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    @property
    def running(self) -> bool:
        return self._scheduler is not None and not self._stopped

    def start(self, *, first_run_in: float = 0.0) -> None:
        """Start the job; the first run comes after `first_run_in` seconds (at once by default)."""
        if self._scheduler is not None:
            raise RuntimeError("This sync scheduler was already started; make a new one.")
        self._publish(outbox=self._count_outbox())
        scheduler = BackgroundScheduler(
            executors={"default": _DaemonThreadExecutor()}, timezone=dt.UTC, daemon=True,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None})
        scheduler.add_job(self._tick, IntervalTrigger(seconds=self.interval), id=JOB_ID, name="sync",
                          next_run_time=self._at(first_run_in))
        scheduler.start()
        self._scheduler = scheduler

    def stop(self) -> None:
        """Stop at once; a run in progress finishes (or dies with the process) on its daemon thread.
        The connection kept open for the next sync is closed."""
        with self._lock:
            self._stopped = True
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            with contextlib.suppress(SchedulerNotRunningError):
                scheduler.shutdown(wait=False)
        close_idle()

    def request_sync(self) -> bool:
        """After a sale or receipt: sync soon if head office is reachable; True if a run will follow.

        While offline the backoff stands (the next retry sends the new rows anyway); while a run is
        going, one more run follows it, however many requests arrive.
        """
        with self._lock:
            if self._stopped:
                return False
            if self._running:
                self._requested = True
                return True
            if self._status.failures:
                return False
            self._reschedule(0.0)
        return True

    def sync_now(self) -> None:
        """The user asked: run now, even during backoff (after the current run, if one is going)."""
        with self._lock:
            if self._stopped:
                return
            if self._running:
                self._forced = True
                return
            self._reschedule(0.0)

    # --- the job -----------------------------------------------------------------------------

    def _tick(self) -> None:
        with self._lock:
            if self._running or self._stopped:
                return
            self._running = True
        try:
            while True:
                with self._lock:
                    self._requested = self._forced = False
                result = self._once()
                with self._lock:
                    if not self._stopped and (self._forced or (self._requested and result.ok)):
                        continue
                    # Deciding and clearing `_running` under one lock: a request arriving now
                    # either saw a run going (and was taken above) or sees none and reschedules.
                    self._running = False
                    self._reschedule(self._status.next_delay or 0.0)
                    return
        except BaseException:
            with self._lock:
                self._running = False
            raise

    def _once(self) -> SyncResult:
        before = self.status.state
        self._publish(state=SYNCING, outbox=self._count_outbox())
        try:
            if self.database is not None:
                with bind(self.database):
                    result = self._run(self.cfg)
            else:
                result = self._run(self.cfg)
        except Exception as exc:  # run_sync records its own errors; an injected run might not
            log.exception("sync run failed")
            result = SyncResult(ok=False, error=f"{type(exc).__name__}: {exc}")
        outbox = self._count_outbox()
        status = self.status
        if result.skipped:
            # Another sync (the CLI, the app's own worker) holds the store's lock: not a failure.
            changes: dict[str, object] = {"state": before, "next_delay": min(self.interval, SKIPPED_RETRY)}
        elif result.ok:
            changes = {"state": ONLINE, "failures": 0, "last_error": "", "next_delay": self.interval,
                       "last_sync_at": result.finished_at or self._now()}
        else:
            failures = status.failures + 1
            changes = {"state": OFFLINE, "failures": failures, "last_error": result.error,
                       "last_error_at": result.finished_at or self._now(),
                       "next_delay": backoff_delay(failures, self.backoff_base, self.backoff_cap, self.jitter,
                                                   self.rng)}
        self._publish(outbox=outbox, runs=status.runs + 1, **changes)
        return result

    # --- helpers -----------------------------------------------------------------------------

    def _at(self, seconds: float) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)

    def _reschedule(self, seconds: float) -> None:
        """Move the job's next run; called holding `_lock` (APScheduler never calls back under its own)."""
        scheduler = self._scheduler
        if scheduler is None or self._stopped:
            return
        with contextlib.suppress(JobLookupError, SchedulerNotRunningError):  # stopped meanwhile
            scheduler.modify_job(JOB_ID, next_run_time=self._at(seconds))

    def _count_outbox(self) -> int:
        try:
            if self.database is not None:
                with bind(self.database), db.connection_context():
                    return pending_count()
            with db.connection_context():
                return pending_count()
        except peewee.PeeweeException:
            log.exception("could not count the outbox")
            return self._status.outbox

    def _publish(self, **changes: object) -> None:
        with self._lock:
            before = self._status
            self._status = dataclasses.replace(before, **changes)
            after = self._status
        if after != before and self.on_change is not None:
            try:
                self.on_change(after)
            except Exception:  # the UI's problem must not stop sync
                log.exception("sync status callback failed")
