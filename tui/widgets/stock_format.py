"""How the stock screens write quantities and dates (one place, so every screen agrees)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal


def qty(value: Decimal | None) -> str:
    """5.000 -> "5", 1.250 -> "1.25", None -> "-" (not counted / not known)."""
    if value is None:
        return "-"
    return format(value.normalize(), "f")


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def moment(value: dt.datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")
