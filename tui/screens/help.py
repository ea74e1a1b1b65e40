"""F1: the keys of the screen you were on, read from its live bindings so the list stays true."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from ..i18n import _
from ..widgets.key_bar import KeyBar
from ..widgets.scan_input import END_KEYS, ScanInput
from .base import CounterModal, translated


def key_rows(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for every described, enabled key on ``screen``, its focus chain and the app."""
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    # A focused scan field keeps enter, ctrl+j and tab for itself: they end a scan, never move focus.
    scanning = isinstance(screen.focused, ScanInput)
    if scanning:
        rows.append(("Enter / Tab", _("End a typed code (a scanner ends its own)")))
    for key, active in translated(screen.active_bindings).items():
        binding = active.binding
        if not binding.description or not active.enabled or binding.system:
            continue
        if scanning and key in END_KEYS:
            continue
        if not binding.show and not isinstance(active.node, (Screen, App)):
            continue  # a focused field's editing keys (cursor, delete) are not the screen's keys
        label = screen.app.get_key_display(binding) or key
        if (label, binding.description) in seen:
            continue
        seen.add((label, binding.description))
        rows.append((label, binding.description))
    rows.append(("Ctrl+P", _("Command palette: every action by name")))
    return rows


class HelpScreen(CounterModal[None]):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "help.tcss"
    BINDINGS = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self, about: Screen) -> None:
        super().__init__()
        self.rows = key_rows(about)
        self.about_name = type(about).__name__

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Label(_("Keys on this screen"), id="help-title")
            yield DataTable(id="help-table", cursor_type="none", show_header=False)
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("Key"), _("Does"))
        for key, text in self.rows:
            table.add_row(key, text)

    def action_close(self) -> None:
        self.dismiss(None)
