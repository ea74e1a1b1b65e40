"""A real head office on loopback for app tests: seeded with the counter test shop, one terminal
enrolled into the test's own store (the app's database), so a sale really travels."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from cli.config import Config
from hq import auth
from hq.server import HQHandle, serve_in_thread
from models.db import bind
from sync.client import enroll
from tests.tui.counter_data import seed


def start_head_office(tmp_path: Path) -> HQHandle:
    hq = serve_in_thread(str(tmp_path / "hq.db"))
    with bind(hq.database), hq.database.connection_context():
        seed()
    return hq


def enrol_here(hq: HQHandle, tmp_path: Path) -> Config:
    """Enrol terminal T01 of STORE1 into the store the app uses (the default database)."""
    with bind(hq.database), hq.database.connection_context():
        token = auth.add_terminal("STORE1", "T01", create_location=True).enroll_token
    cfg = Config(database=str(tmp_path / "store.db"), path=tmp_path / "counter.toml")
    enroll(hq.url, token, cfg)
    return cfg


def at_hq(hq: HQHandle, read: Callable[[], object]) -> object:
    with bind(hq.database), hq.database.connection_context():
        return read()


async def until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 15.0, what: str = "") -> None:
    """Let the app run until ``condition()`` holds (background threads report on their own time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout}s: {what or condition}")
        await pilot.pause(0.05)
