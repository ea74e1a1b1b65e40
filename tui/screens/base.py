"""What every counter screen shares: translated key labels, the status bar on top, the keys below.

A plain ``Screen`` works in the app too; only its footer stays in English.
"""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen

from ..i18n import _

Result = TypeVar("Result")


def translated(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """Key descriptions are written in English in BINDINGS and translated when shown."""
    out = {}
    for key, active in bindings.items():
        binding = active.binding
        if binding.description:
            binding = dataclasses.replace(binding, description=_(binding.description))
        out[key] = active._replace(binding=binding, tooltip=_(active.tooltip) if active.tooltip else "")
    return out


class CounterScreen(Screen):
    """A full counter screen. Subclasses compose their body; the app adds nothing on top."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)


class CounterModal(ModalScreen[Result], Generic[Result]):
    """A dialog on top of a counter screen."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)
