"""Time, in one place: UTC, naive, microsecond precision, with the offset sync learns from head office."""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta(0)


def set_offset(offset: dt.timedelta) -> None:
    """Head office's clock minus ours, as last measured by sync."""
    global _offset
    _offset = offset


def get_offset() -> dt.timedelta:
    return _offset


def now() -> dt.datetime:
    """The corrected current time, UTC without tzinfo (comparable in SQLite and PostgreSQL alike)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) + _offset


def parse(value: str | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    parsed = dt.datetime.fromisoformat(value)
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def iso(value: dt.datetime) -> str:
    return value.isoformat(timespec="microseconds")
