"""Brokering on a schedule at head office (APScheduler), and at once when stock arrives.

Every head-office process runs one background job: every `COUNTER_BROKER_EVERY` seconds (default
60) it brokers the backlog, and a push that brings stock in (a receipt, a transfer in, a return, a
count) wakes it early for the orders that wait on those products. Two processes running it at
once is safe: a run skips the orders another holds (see broker.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

import peewee
from apscheduler.schedulers.background import BackgroundScheduler

from models.db import bind

from . import broker

log = logging.getLogger("counter.hq")
JOB = "brokering"


class BrokeringSchedule:
    def __init__(self, database: peewee.Database, every: float | None = None) -> None:
        self.database = database
        self.every = every if every is not None else float(os.environ.get("COUNTER_BROKER_EVERY", "60"))
        self.scheduler = BackgroundScheduler(daemon=True)
        self._skus: set[str] = set()
        self._lock = threading.Lock()
        self.runs = 0

    def start(self) -> BrokeringSchedule:
        self.scheduler.add_job(self._run, "interval", seconds=self.every, id=JOB, max_instances=1, coalesce=True)
        self.scheduler.start()
        return self

    def stop(self) -> None:
        if self.scheduler.running:  # a head office may be stopped twice (a test, then its fixture)
            self.scheduler.shutdown(wait=True)

    def stock_arrived(self, skus: set[str]) -> None:
        """Broker the orders waiting on these products now, not at the next tick."""
        if not skus:
            return
        with self._lock:
            self._skus |= skus
        job = self.scheduler.get_job(JOB)
        if job is not None:
            job.modify(next_run_time=dt.datetime.now(dt.UTC))

    def _run(self) -> None:
        # A tick brokers the whole backlog; a wake-up only the orders the new stock can serve.
        with self._lock:
            skus, self._skus = self._skus, set()
        try:
            with bind(self.database), self.database.connection_context():
                done = broker.run(skus=skus or None)
            self.runs += 1
            if done.orders:
                log.info("brokered", extra={"fields": {"event": "brokered", **done.__dict__}})
        except Exception:
            log.exception("brokering run failed", extra={"fields": {"event": "brokering_failed"}})


_current: list[BrokeringSchedule] = []


def install(schedule: BrokeringSchedule) -> None:
    _current.append(schedule)


def uninstall(schedule: BrokeringSchedule) -> None:
    if schedule in _current:
        _current.remove(schedule)


def stock_arrived(database: peewee.Database, skus: set[str]) -> None:
    """Wake the schedule of this head office's database (a process may serve several: tests, demo)."""
    for schedule in list(_current):
        if schedule.database is database:
            schedule.stock_arrived(skus)
