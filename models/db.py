"""The one database handle every model binds to.

Terminals open a local SQLite file; head office opens SQLite or PostgreSQL. Both go through the
same `DatabaseProxy`, so the domain code never knows which engine it runs on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import peewee
from playhouse.db_url import connect

from .errors import DomainError

_bound: ContextVar[peewee.Database | None] = ContextVar("counter_bound_database", default=None)


class BindableProxy(peewee.DatabaseProxy):
    """A `DatabaseProxy` whose target can be overridden per context (see `bind`).

    One process sometimes holds two stores at once: the demo and the sync tests run a head office
    in a thread next to a terminal. The head office's requests bind its database for their own
    context; every other thread keeps the database given to `initialize`.
    """

    __slots__ = ("_default",)

    @property
    def obj(self) -> peewee.Database | None:  # type: ignore[override]
        bound = _bound.get()
        return bound if bound is not None else self._default

    @obj.setter
    def obj(self, value: peewee.Database | None) -> None:
        object.__setattr__(self, "_default", value)

    def __setattr__(self, attr: str, value: object) -> None:
        object.__setattr__(self, attr, value)


db = BindableProxy()


@contextmanager
def bind(database: peewee.Database | None) -> Iterator[peewee.Database | None]:
    """Route `db` to `database` in this context (and the tasks and worker threads it starts)."""
    token = _bound.set(database)
    try:
        yield database
    finally:
        _bound.reset(token)

# WAL lets the sync worker read while a sale writes; FULL makes a finished sale survive a power cut,
# which matters more on a counter than the fsync it costs.
SQLITE_PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "cache_size": -64 * 1024,
    "temp_store": "memory",
}


class SqliteStore(peewee.SqliteDatabase):
    """A SQLite file opened with the counter's pragmas (`SQLITE_PRAGMAS`).

    Switching a new file to WAL needs it alone. Two processes opening a new file at the same moment
    each hold it shared while they ask, and SQLite refuses one of them at once rather than let them
    wait for each other: that one opens again, and finds the file in WAL already.
    """

    OPEN_ATTEMPTS = 50  # 20 ms apart: a second, far more than another process's switch to WAL takes

    def __init__(self, path: str | Path) -> None:
        super().__init__(str(path), pragmas=SQLITE_PRAGMAS, check_same_thread=False)

    def connect(self, reuse_if_open: bool = False) -> bool:
        for _ in range(self.OPEN_ATTEMPTS - 1):
            try:
                return super().connect(reuse_if_open)
            except peewee.OperationalError as exc:
                if "locked" not in str(exc):
                    raise
            time.sleep(0.02)
        return super().connect(reuse_if_open)


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


_STORE_PROBLEMS = (
    (("not a database", "file is encrypted"),
     "{where} is not a Counter store (it is not an SQLite database): check --db or the config, or move "
     "that file away."),
    (("readonly", "read-only", "unable to open database file", "permission denied"),
     "{where} cannot be written by this user (read-only file or folder): run as the store's owner, or give "
     "the file and its folder write access."),
    (("locked", "busy"),
     "{where} is locked by another program: close it, or wait a moment, and try again."),
    (("disk is full", "database or disk is full"),
     "The disk holding {where} is full: free some space, then try again. Nothing of this was kept."),
    (("disk i/o error", "i/o error"),
     "{where} could not be read or written (disk I/O error): check the disk, then run `counter verify`."),
)


def store_problem(error: BaseException, where: str) -> DomainError:
    """A database error of the store as one line for a person: what is wrong and what to do."""
    # SQLite rolls a transaction back by itself on a full disk, and the rollback that follows then
    # fails: the cause is further down the chain.
    chain, seen = [], error
    while seen is not None and len(chain) < 5:
        chain.append(str(seen))
        seen = seen.__cause__ or seen.__context__
    text = " ".join(chain).lower()
    for needles, template in _STORE_PROBLEMS:
        if any(needle in text for needle in needles):
            return DomainError(template, where=where)
    return DomainError("{where} cannot be used ({error}): check the file, then run `counter verify`.",
                       where=where, error=str(error)[:200])


def check_store_path(path: Path) -> None:
    """Refuse what cannot be a store file before SQLite is asked to open it."""
    if path.is_dir():
        raise DomainError("{where} is a folder, not a store file: give the file, e.g. {example}.", where=path,
                          example=path / "store.db")
    if path.exists() and path.stat().st_size:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise store_problem(peewee.DatabaseError("file is not a database"), str(path))


def open_sqlite(path: str | Path) -> peewee.SqliteDatabase:
    """Open (creating if needed) a SQLite store with the counter's pragmas and bind the models to it."""
    path = Path(path)
    check_store_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise store_problem(exc, str(path)) from None
    database = SqliteStore(path)
    db.initialize(database)
    return database


def open_url(url: str) -> peewee.Database:
    """Open a database from a URL (``sqlite:///path`` or ``postgresql://...``)."""
    if url.startswith(("sqlite:", "/")) or url.endswith(".db"):
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:") else url
        return open_sqlite(path)
    database = connect(url)
    db.initialize(database)
    return database


@contextmanager
def file_lock(suffix: str, *, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock, between processes, on the file next to the open SQLite store
    (`<store><suffix>`) for the block.

    Yields False, holding nothing, if `wait` is off and another process has it. Where there is no
    store file (`:memory:`, a server database) or no `fcntl` (Windows), yields True and holds
    nothing: one process per store is the rule there.
    """
    path = getattr(db.obj, "database", None)
    try:
        import fcntl
    except ImportError:
        fcntl = None
    if (fcntl is None or is_postgres() or not isinstance(path, str) or not path or path == ":memory:"
            or path.startswith("file:")):
        yield True
        return
    with open(f"{path}{suffix}", "w") as handle:  # the lock goes when the file closes
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True


def is_postgres() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)
