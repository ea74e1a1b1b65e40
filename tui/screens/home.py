"""Home: one function key per job. F12 brings you here from any screen."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, Static

from ..i18n import _
from ..widgets.key_bar import KeyBar
from ..widgets.status_bar import StatusBar
from .base import CounterScreen


class HomeScreen(CounterScreen):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "home.tcss"
    BINDINGS = [
        Binding("f2", "app.open_job('sale')", "Sale"),
        Binding("f3", "app.open_job('returns')", "Return"),
        Binding("f4", "app.open_job('lookup')", "Lookup"),
        Binding("f5", "app.open_job('intake')", "Intake"),
        Binding("f6", "app.open_job('count')", "Count"),
        Binding("f7", "app.open_job('transfers')", "Transfers"),
        Binding("f9", "app.sync", "Sync now"),
        Binding("f10", "app.logout", "Log out"),
        Binding("f11", "app.open_job('attention')", "Needs attention"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="home-body"):
            yield Label("", id="home-greeting")
            yield Static(self._menu(), id="home-menu")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        name = actor.user.name if actor else ""
        self.query_one("#home-greeting", Label).update(_("Hello {name}. What next?").format(name=name))

    def _menu(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        available = self.app.job_labels()  # type: ignore[attr-defined]
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            job = binding.action.removeprefix("app.open_job('").removesuffix("')")
            label = _(binding.description)
            if binding.action.startswith("app.open_job") and job not in available:
                label = f"[dim]{label} · {_('not in this build')}[/dim]"
            table.add_row(binding.key.upper(), label)
        table.add_row("F12", _("Home (from any screen)"))
        table.add_row("F1", _("Keys of this screen"))
        return table
