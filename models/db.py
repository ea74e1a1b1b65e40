"""The one database handle every model binds to.

Terminals open a local SQLite file; head office opens SQLite or PostgreSQL. Both go through the
same `DatabaseProxy`, so the domain code never knows which engine it runs on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import peewee
from playhouse.db_url import connect

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


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


def open_sqlite(path: str | Path) -> peewee.SqliteDatabase:
    """Open (creating if needed) a SQLite store with the counter's pragmas and bind the models to it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    database = peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, check_same_thread=False)
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


def is_postgres() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)
