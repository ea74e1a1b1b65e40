"""What every counter screen shares: translated key labels, the status bar on top, the keys below.

A plain ``Screen`` works in the app too; only its footer stays in English.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar, Generic, TypeVar

from textual.binding import ActiveBinding, Binding
from textual.screen import ModalScreen, Screen

from ..guard import Guarded
from ..i18n import _
from ..widgets.lines_table import LinesTable

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


class CounterScreen(Guarded, Screen):
    """A full counter screen. Subclasses compose their body; the app adds nothing on top.

    `FIRST_FOCUS` names the widget that has the focus whenever the screen is shown (its scan
    field, mostly). The app gives it the focus the moment it opens the screen, before it handles
    another key, so a scan sent right after the job's key lands in the field.
    """

    FIRST_FOCUS: ClassVar[str | None] = None

    def take_focus(self) -> None:
        if self.FIRST_FOCUS:
            self.set_focus(self.query_one(self.FIRST_FOCUS))

    def on_screen_resume(self) -> None:
        self.take_focus()

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)


class LinesScreen(CounterScreen):
    """A counter screen with lines to work on while its scan field keeps the focus: the arrows move
    the selected line (the table never takes the focus, so a scan always lands in the field)."""

    LINES = "LinesTable"  # selector of the table the arrows move in

    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous line", show=False, priority=True),
        Binding("down", "cursor(1)", "Next line", show=False, priority=True),
    ]

    def action_cursor(self, step: int) -> None:
        table = self.query_one(self.LINES, LinesTable)
        table.move_cursor(table.cursor_row + step)


_DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 70;
    max-width: 100%;
    height: auto;
    max-height: 100%;
    border: thick $primary;
    background: $surface;
    padding: 0 1;
}}
{name} .title {{
    text-style: bold;
    width: 100%;
}}
{name} .error {{
    color: $error;
    height: auto;
}}
"""


def dialog_css(name: str) -> str:
    """The look the pick and fill-in dialogs share, for the dialog class `name`."""
    return _DIALOG_CSS.format(name=name)


class CounterModal(Guarded, ModalScreen[Result], Generic[Result]):
    """A dialog on top of a counter screen. Its labels wrap to the dialog's width: a message is
    read in full, never cut at the border."""

    DEFAULT_CSS = """
    CounterModal Label {
        width: 100%;
        height: auto;
    }
    """

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)
