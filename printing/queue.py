"""A durable print queue: jobs survive a restart, are retried with backoff, never resent once sent.

Storage is a small SQLite file of our own (not the domain database): a job is committed with
``synchronous=FULL`` before ``enqueue`` returns, so a power cut after the clerk pressed "print"
does not lose it.

Delivery semantics (see README): a job goes pending -> sending -> sent. ``sending`` is committed
before the first byte and ``sent`` right after the backend returned, so a retry never resends a
job marked sent. The gap is a crash *between* the last byte and the ``sent`` commit: on the next
start the job is found ``sending`` with an expired lease, and ``interrupted`` decides:

* ``"resend"`` (default, at-least-once): send again. A lost receipt or label is worse at a
  counter than a duplicate, and ZPL only prints at ``^XZ`` (the last bytes), so a job cut off
  mid-way never produced a label.
* ``"hold"`` (at-most-once): park the job as ``held``; a person decides (``release``/``cancel``).

A retry after a connection dropped mid-job is prefixed with a reset for the printer language
(``~JX`` cancels a half-received ZPL format, ``ESC @`` resets ESC/POS modes) so the printer does
not stay stuck waiting for ``^XZ`` or merge the remains of the broken job into this one.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from printing.backends.base import Backend, Outgoing
from printing.errors import PrintError, PrinterUnavailable, UnknownJob
from printing.renderers import Rendered

JobState = Literal["pending", "sending", "sent", "held", "failed", "cancelled"]

#: Sent before a retry that follows a partial send, per format.
# ~JX cancels a partially received ZPL format without touching labels already formatted;
# ESC @ resets ESC/POS modes (Chinese mode, size, alignment) a broken job may have left on.
RECOVERY_PREFIX = {"zpl": b"~JX\n", "escpos": b"\x1b@"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    printer TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    format TEXT NOT NULL,
    copies_included INTEGER NOT NULL,
    payload BLOB NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    partial INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    lease_until REAL,
    last_error TEXT,
    created_at REAL NOT NULL,
    sent_at REAL,
    reprint_of TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq);
"""


@dataclass(frozen=True)
class Job:
    id: str
    printer: str
    kind: str
    title: str
    format: str
    state: JobState
    attempts: int
    partial: bool
    next_attempt_at: float
    last_error: str | None
    created_at: float
    sent_at: float | None
    reprint_of: str | None
    payload: bytes
    copies_included: bool


@dataclass(frozen=True)
class SendResult:
    job_id: str
    printer: str
    ok: bool
    error: str | None = None


class PrintQueue:
    def __init__(
        self,
        path: str | Path,
        backend_for: Callable[[str], Backend],
        *,
        clock: Callable[[], float] = time.time,
        interrupted: Literal["resend", "hold"] = "resend",
        max_attempts: int | None = 50,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        lease_seconds: float = 120.0,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.backend_for = backend_for
        self.clock = clock
        self.interrupted = interrupted
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.lease_seconds = lease_seconds
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()  # one sender at a time keeps per-printer order
        self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing jobs ------------------------------------------------------------------------
    def enqueue(
        self, printer: str, kind: str, title: str, rendered: Rendered, *, reprint_of: str | None = None
    ) -> str:
        """Store a rendered job durably; returns its id. Sending happens in ``process_pending``."""
        job_id = uuid.uuid4().hex
        now = self.clock()
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, printer, kind, title, format, copies_included, payload, state,"
                " next_attempt_at, created_at, reprint_of) VALUES (?,?,?,?,?,?,?,'pending',?,?,?)",
                (
                    job_id,
                    printer,
                    kind,
                    title,
                    rendered.format,
                    int(rendered.copies_included),
                    rendered.data,
                    now,
                    now,
                    reprint_of,
                ),
            )
        return job_id

    def reprint(self, job_id: str, printer: str | None = None) -> str:
        """An explicit reprint: a new job with the same bytes (and optionally another printer)."""
        job = self.get(job_id)
        rendered = Rendered(job.payload, job.format, job.copies_included)
        return self.enqueue(printer or job.printer, job.kind, job.title, rendered, reprint_of=job.id)

    def release(self, job_id: str) -> None:
        """Put a held or failed job back in line (a person decided it should print)."""
        self._set_state(job_id, ("held", "failed"), "pending", next_attempt_at=self.clock())

    def cancel(self, job_id: str) -> None:
        self._set_state(job_id, ("pending", "held", "failed"), "cancelled")

    def retry_now(self, printer: str | None = None) -> int:
        """Skip the backoff (e.g. the clerk just switched the printer back on)."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET next_attempt_at=? WHERE state='pending'"
                + (" AND printer=?" if printer else ""),
                (self.clock(), printer) if printer else (self.clock(),),
            )
            return cur.rowcount

    def _set_state(self, job_id: str, from_states: tuple[str, ...], to: str, **extra: float) -> None:
        sets = ", ".join(["state=?"] + [f"{k}=?" for k in extra])
        marks = ",".join("?" * len(from_states))
        with self._lock:
            cur = self._db.execute(
                f"UPDATE jobs SET {sets} WHERE id=? AND state IN ({marks})",
                (to, *extra.values(), job_id, *from_states),
            )
            if cur.rowcount == 0:
                job = self.get(job_id)  # raises UnknownJob
                raise PrintError(f"job {job_id} is {job.state}, not {' or '.join(from_states)}")

    # -- reading -----------------------------------------------------------------------------
    def get(self, job_id: str) -> Job:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            raise UnknownJob(f"no print job {job_id}")
        return _job(row)

    def jobs(self, state: JobState | None = None, kind: str | None = None) -> list[Job]:
        sql, args = "SELECT * FROM jobs WHERE 1=1", []
        if state:
            sql, args = sql + " AND state=?", [*args, state]
        if kind:
            sql, args = sql + " AND kind=?", [*args, kind]
        with self._lock:
            return [_job(r) for r in self._db.execute(sql + " ORDER BY seq", args)]

    def last(self, kind: str) -> Job | None:
        """The most recent original (not a reprint) job of a kind, e.g. the last receipt."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE kind=? AND reprint_of IS NULL ORDER BY seq DESC LIMIT 1", (kind,)
            ).fetchone()
        return _job(row) if row else None

    def pending_count(self) -> int:
        with self._lock:
            return self._db.execute(
                "SELECT COUNT(*) FROM jobs WHERE state IN ('pending','sending')"
            ).fetchone()[0]

    # -- sending -----------------------------------------------------------------------------
    def process_pending(self) -> list[SendResult]:
        """Send every job that is due, oldest first. Blocking: call it from a worker thread."""
        with self._send_lock:
            self._recover_interrupted()
            results: list[SendResult] = []
            blocked: set[str] = set()  # a printer whose older job waits holds back its newer ones
            for job_id, printer, due in self._pending():
                if printer in blocked:
                    continue
                if due > self.clock():
                    blocked.add(printer)
                    continue
                job = self._claim(job_id)
                if job is None:
                    continue  # taken by another process sharing the file
                result = self._send(job)
                results.append(result)
                if not result.ok:
                    blocked.add(printer)
            return results

    def _pending(self) -> list[tuple[str, str, float]]:
        with self._lock:
            return [
                (r["id"], r["printer"], r["next_attempt_at"])
                for r in self._db.execute(
                    "SELECT id, printer, next_attempt_at FROM jobs WHERE state='pending' ORDER BY seq"
                )
            ]

    def _recover_interrupted(self) -> None:
        """Jobs left ``sending`` by a process that died mid-send (their lease expired)."""
        now = self.clock()
        with self._lock:
            if self.interrupted == "resend":
                self._db.execute(
                    "UPDATE jobs SET state='pending', partial=1, next_attempt_at=?, lease_until=NULL,"
                    " last_error='interrupted while sending; resending' WHERE state='sending' AND lease_until < ?",
                    (now, now),
                )
            else:
                self._db.execute(
                    "UPDATE jobs SET state='held', partial=1, lease_until=NULL,"
                    " last_error='interrupted while sending; may have printed' WHERE state='sending' AND lease_until < ?",
                    (now,),
                )

    def _claim(self, job_id: str) -> Job | None:
        now = self.clock()
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET state='sending', attempts=attempts+1, lease_until=? WHERE id=? AND state='pending'",
                (now + self.lease_seconds, job_id),
            )
            return self.get(job_id) if cur.rowcount == 1 else None

    def _send(self, job: Job) -> SendResult:
        data = job.payload
        if job.partial and job.format in RECOVERY_PREFIX:
            data = RECOVERY_PREFIX[job.format] + data
        try:
            backend = self.backend_for(job.printer)
            backend.send(
                Outgoing(job.id, job.title, data, _extension(job.format), job.format in RECOVERY_PREFIX)
            )
        except PrinterUnavailable as exc:
            self._failed_attempt(job, str(exc), exc.partial)
            return SendResult(job.id, job.printer, False, str(exc))
        except Exception as exc:  # a bug or a printer removed from the config: not worth retrying
            with self._lock:
                self._db.execute(
                    "UPDATE jobs SET state='failed', lease_until=NULL, last_error=? WHERE id=?",
                    (f"{type(exc).__name__}: {exc}", job.id),
                )
            return SendResult(job.id, job.printer, False, str(exc))
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state='sent', sent_at=?, lease_until=NULL, last_error=NULL WHERE id=?",
                (self.clock(), job.id),
            )
        return SendResult(job.id, job.printer, True)

    def _failed_attempt(self, job: Job, error: str, partial: bool) -> None:
        delay = min(self.backoff_cap, self.backoff_base * 2 ** max(0, job.attempts - 1))
        give_up = self.max_attempts is not None and job.attempts >= self.max_attempts
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state=?, next_attempt_at=?, lease_until=NULL, last_error=?,"
                " partial=(partial OR ?) WHERE id=?",
                ("failed" if give_up else "pending", self.clock() + delay, error, int(partial), job.id),
            )


def _extension(fmt: str) -> str:
    from printing.renderers import EXTENSIONS

    return EXTENSIONS[fmt]


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        printer=row["printer"],
        kind=row["kind"],
        title=row["title"],
        format=row["format"],
        state=row["state"],
        attempts=row["attempts"],
        partial=bool(row["partial"]),
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        reprint_of=row["reprint_of"],
        payload=row["payload"],
        copies_included=bool(row["copies_included"]),
    )


class PrintWorker:
    """Runs ``process_pending`` on a daemon thread so printing never blocks a screen."""

    def __init__(self, queue: PrintQueue, *, poll_seconds: float = 1.0) -> None:
        self.queue = queue
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_results: list[SendResult] = []

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="print-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last_results = self.queue.process_pending()
            except Exception:  # keep the worker alive; the error is on the job or logged
                import logging

                logging.getLogger(__name__).exception("print queue pass failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
