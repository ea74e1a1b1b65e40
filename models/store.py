"""Opening a store (the local database) and the few rows every store needs."""

from __future__ import annotations

from pathlib import Path

import peewee

from . import schema
from .context import Actor
from .db import open_sqlite, open_url, store_problem
from .errors import NotFound
from .people import User
from .places import STORE, Location, Terminal


def open_store(path_or_url: str | Path, *, migrate: bool = True) -> peewee.Database:
    """Open the store and bring its schema up to date."""
    text = str(path_or_url)
    database = open_url(text) if "://" in text else open_sqlite(text)
    try:
        if migrate:
            schema.migrate()
    except peewee.DatabaseError as exc:
        raise store_problem(exc, text) from None
    return database


def ensure_terminal(terminal_code: str, location_code: str, *, location_name: str = "",
                    kind: str = STORE, currency: str = "EUR") -> Terminal:
    location, _ = Location.get_or_create(code=location_code, defaults={
        "name": location_name or location_code, "kind": kind, "currency": currency})
    terminal, _ = Terminal.get_or_create(code=terminal_code, defaults={"location": location})
    return terminal


def actor_for(terminal_code: str, user_code: str) -> Actor:
    terminal = Terminal.select(Terminal, Location).join(Location).where(Terminal.code == terminal_code).first()
    if terminal is None:
        raise NotFound("Terminal {terminal_code!r} is not set up here: run `counter init` first.", terminal_code=terminal_code)
    user = User.get_or_none(User.code == user_code)
    if user is None:
        raise NotFound("No user {user_code!r} on this terminal.", user_code=user_code)
    return Actor(terminal, user)
