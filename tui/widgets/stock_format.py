"""How the stock screens write quantities and dates (one place, so every screen agrees)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tui.i18n import _


def qty(value: Decimal | None) -> str:
    """5.000 -> "5", 1.250 -> "1.25", None -> "-" (not counted / not known)."""
    if value is None:
        return "-"
    return format(value.normalize(), "f")


def unit_label(unit: str) -> str:
    """A product's unit as the screen's language writes it (an unknown unit as it is stored)."""
    labels = {"pcs": _("pcs"), "pc": _("pcs"), "kg": _("kg"), "g": _("g"), "l": _("l"), "L": _("l"),
              "ml": _("ml"), "m": _("m"), "case": _("case"), "pack": _("pack")}
    return labels.get(unit, unit)


def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def moment(value: dt.datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")
