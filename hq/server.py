"""Running the head office: open its database, bring both schemas up to date, serve with uvicorn.

`serve_in_thread` starts one inside the current process (demo, tests); it binds its own database
for its requests, so the process may keep a terminal store open as the default at the same time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import peewee
import uvicorn
from playhouse.migrations import Runner
from playhouse.pool import PooledPostgresqlDatabase

from models import schema
from models.db import SqliteStore, bind

from . import hqclock, logs
from .app import create_app
from .orders import schedule

HQ_MIGRATIONS = Path(__file__).parent / "migrations"
HQ_HISTORY = "hq_schema_migration"
DEFAULT_PORT = 8765


def connect_database(url: str) -> peewee.Database:
    """A database object for a URL or path, not bound to the global proxy.

    PostgreSQL gets a small connection pool: requests run on worker threads, and opening a server
    connection per request would cost more than the request.
    """
    if url.startswith(("postgres://", "postgresql://")):
        from playhouse.db_url import parse

        params = parse(url)
        return PooledPostgresqlDatabase(params.pop("database"), max_connections=32, stale_timeout=300,
                                        timeout=10, **params)
    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(path)


def prepare(database: peewee.Database) -> list[str]:
    """Run the domain migrations, then the head office's own (tables, change-log triggers)."""
    with bind(database), database.connection_context(), schema.migration_lock():
        applied = schema.runner().up()
        applied += Runner(database, directory=str(HQ_MIGRATIONS), table_name=HQ_HISTORY).up()
    return applied


def open_hq(url: str) -> peewee.Database:
    database = connect_database(url)
    prepare(database)
    return database


def _socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


_URL_VARIABLE = "COUNTER_HQ_WORKER_DB"


def serve(url: str, host: str = "127.0.0.1", port: int = DEFAULT_PORT, workers: int = 1) -> None:
    """Serve until interrupted (the `counter hq serve` command).

    `workers` > 1 runs that many processes on one socket (uvicorn's supervisor). Head office keeps
    nothing in memory that matters, so they share the database and nothing else; the schema is
    brought up to date once, here, before any of them starts.
    """
    logs.configure()
    if workers > 1:
        database = open_hq(url)
        database.close_all() if isinstance(database, PooledPostgresqlDatabase) else database.close()
        os.environ[_URL_VARIABLE] = url
        uvicorn.run("hq.server:worker_app", factory=True, workers=workers, host=host, port=port,
                    log_config=None, access_log=False, proxy_headers=True)
        return
    database = open_hq(url)
    config = uvicorn.Config(create_app(database), host=host, port=port, log_config=None, access_log=False,
                            proxy_headers=True)
    brokering = _start_brokering(database)
    try:
        uvicorn.Server(config).run()
    finally:
        _stop_brokering(brokering)


def worker_app() -> object:
    """The app of one worker process of `serve(workers=N)` (the database was migrated before)."""
    logs.configure()
    database = connect_database(os.environ[_URL_VARIABLE])
    _start_brokering(database)  # a daemon thread: it ends with the worker process
    return create_app(database)


def _start_brokering(database: peewee.Database, every: float | None = None) -> schedule.BrokeringSchedule:
    brokering = schedule.BrokeringSchedule(database, every).start()
    schedule.install(brokering)
    return brokering


def _stop_brokering(brokering: schedule.BrokeringSchedule | None) -> None:
    if brokering is not None:
        schedule.uninstall(brokering)
        brokering.stop()


@dataclass
class HQHandle:
    """A head office running in a thread: `.url`, `.database`, `.app`, and `.stop()`."""

    url: str
    database: peewee.Database
    server: uvicorn.Server
    thread: threading.Thread
    app: object = field(repr=False, default=None)
    brokering: schedule.BrokeringSchedule | None = field(repr=False, default=None)

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        _stop_brokering(self.brokering)
        if not self.database.is_closed():
            self.database.close()
        if isinstance(self.database, PooledPostgresqlDatabase):
            self.database.close_all()

    def __enter__(self) -> HQHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(db_url: str | peewee.Database, port: int = 0, host: str = "127.0.0.1",
                    *, quiet: bool = True, timeout: float = 15.0,
                    now: Callable[[], dt.datetime] = hqclock.system_now, broker_every: float | None = None) -> HQHandle:
    """Start a head office on a daemon thread; port 0 picks a free one. Returns once it accepts."""
    database = db_url if isinstance(db_url, peewee.Database) else connect_database(db_url)
    prepare(database)
    if not quiet:
        logs.configure()
    elif not logging.getLogger("counter.hq").handlers:
        # Quiet: nothing on stderr (a Textual screen may own the terminal), but still propagated
        # to whatever the host program configured.
        logging.getLogger("counter.hq").addHandler(logging.NullHandler())
    app = create_app(database, now=now)
    sock = _socket(host, port)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off",
                            log_level="warning" if quiet else "info")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="counter-hq", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("The head office did not start; see its log.")
        time.sleep(0.02)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return HQHandle(url=f"http://{shown}:{bound_port}", database=database, server=server, thread=thread, app=app,
                    brokering=_start_brokering(database, broker_every))
