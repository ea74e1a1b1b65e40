"""Fixtures for sync tests: a real head office on loopback (SQLite and PostgreSQL), terminal stores.

Head office and terminals live in one process; each binds its own database (`models.db.bind`), so
`at(x)` says whose data a block of test code reads and writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import peewee
import pytest

from cli.config import Config
from hq import auth
from hq.server import HQHandle, connect_database, serve_in_thread
from models import clock, schema
from models.db import bind
from tests.pg import fresh_database, postgres_url  # noqa: F401 - fixture

__all__ = ["postgres_url"]


@contextlib.contextmanager
def at(database: peewee.Database) -> Iterator[peewee.Database]:
    """Run a block against one store (head office's or a terminal's)."""
    with bind(database), database.connection_context():
        yield database


@pytest.fixture(autouse=True)
def _reset_clock() -> Iterator[None]:
    clock.set_offset(dt.timedelta(0))
    yield
    clock.set_offset(dt.timedelta(0))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def hq_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "hq.db")
    return fresh_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def hq(hq_url: str) -> Iterator[HQHandle]:
    handle = serve_in_thread(hq_url)
    yield handle
    handle.stop()


@dataclass
class TerminalStore:
    """A terminal: its own store file and config file under tmp_path."""

    database: peewee.Database
    cfg: Config

    def __enter__(self) -> peewee.Database:
        self._ctx = at(self.database)
        return self._ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)


@pytest.fixture
def make_terminal(tmp_path: Path):
    made: list[TerminalStore] = []

    def make(name: str = "t1") -> TerminalStore:
        path = tmp_path / f"{name}.db"
        database = connect_database(str(path))
        with at(database):
            schema.migrate()
        term = TerminalStore(database, Config(database=str(path), path=tmp_path / f"{name}.toml"))
        made.append(term)
        return term

    yield make
    for term in made:
        term.database.close()


def add_terminal(hq: HQHandle, location: str = "STORE1", code: str | None = None) -> auth.NewTerminal:
    with at(hq.database):
        return auth.add_terminal(location, code, create_location=True)


def enrolled(hq: HQHandle, make_terminal, name: str, location: str = "STORE1", code: str | None = None):
    """A terminal enrolled with head office (catalogue pulled)."""
    from sync.client import enroll

    new = add_terminal(hq, location, code)
    term = make_terminal(name)
    with term:
        enroll(hq.url, new.enroll_token, term.cfg)
    return term
