"""The counter app: screens, app-wide keys, the status refresh and the command palette.

Screen stack: [default, Login] before anyone logs in; [default, Login, Home, <job>] after.
Job screens are installed by name and kept, so an open sale survives a trip home (F12 or Esc).
Logging out or quitting parks an open sale on disk.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.reactive import var
from textual.screen import Screen

from models.context import Actor
from models.db import db
from models.scan import VariableMeasureRule

from . import services
from .commands import ActionsProvider
from .i18n import _, set_language
from .messages import LoggedIn, LoggedOut, StatusInfo, SyncFinished

# name -> (module, class, label, home key). Part B's screens load only if their module exists.
JOBS: dict[str, tuple[str, str, str, str]] = {
    "sale": ("tui.screens.sale", "SaleScreen", "Sale", "f2"),
    "returns": ("tui.screens.returns", "ReturnsScreen", "Return / exchange", "f3"),
    "lookup": ("tui.screens.lookup", "LookupScreen", "Lookup", "f4"),
    "intake": ("tui.screens.intake", "IntakeScreen", "Intake", "f5"),
    "count": ("tui.screens.count", "CountScreen", "Count", "f6"),
    "transfers": ("tui.screens.transfers", "TransfersScreen", "Transfers", "f7"),
}


def job_screen_class(name: str) -> type[Screen] | None:
    """The screen class for a job, or None when this build does not have it yet."""
    module_name, class_name, _label, _key = JOBS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    cls = getattr(module, class_name, None)
    if cls is None:  # a differently named class: take the first Screen defined there
        cls = next((v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Screen)
                    and v.__module__ == module_name), None)
    return cls


class CounterApp(App):
    TITLE = "Counter"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS = [
        Binding("f1", "help", "Keys"),
        Binding("f12", "home", "Home"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    status_info: var[StatusInfo] = var(StatusInfo, always_update=True)

    def __init__(
        self,
        terminal_code: str,
        *,
        lang: str = "en",
        data_dir: Path | str = ".",
        sync_runner: Callable[[], object] | None = None,
        last_sync: Callable[[], dt.datetime | None] | None = None,
        status_interval: float = 5.0,
        fnc1_standin: str | None = None,
        variable_measure: Sequence[VariableMeasureRule] | None = None,
    ) -> None:
        set_language(lang)
        super().__init__()
        self.terminal_code = terminal_code
        self.lang = lang
        self.data_dir = Path(data_dir)
        self.sync_runner = sync_runner
        self.last_sync_reader = last_sync
        self.status_interval = status_interval
        self.fnc1_standin = fnc1_standin
        self.variable_measure = variable_measure
        self.actor: Actor | None = None
        self.network = "offline" if sync_runner else "not configured"
        self.last_sync = ""
        self.status_info = StatusInfo(terminal=terminal_code)

    @property
    def receipts_dir(self) -> Path:
        return self.data_dir / "receipts"

    def job_labels(self) -> dict[str, str]:
        return {name: label for name, (_m, _c, label, _k) in JOBS.items() if job_screen_class(name)}

    # --- start, login, logout --------------------------------------------------------------------

    def on_mount(self) -> None:
        from .screens.login import LoginScreen

        self.push_screen(LoginScreen())
        self.refresh_status()
        if self.status_interval:
            self.set_interval(self.status_interval, self.refresh_status)

    def on_logged_in(self, message: LoggedIn) -> None:
        from .screens.home import HomeScreen

        self.actor = message.actor
        self.install_screen(HomeScreen(), "home")
        self.push_screen("home")
        self.refresh_status()

    async def action_logout(self) -> None:
        await self._park_everything()
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        for name in ("home", *JOBS):
            if self.is_screen_installed(name):
                self.uninstall_screen(name)
        self.actor = None
        self.screen.post_message(LoggedOut())
        self.refresh_status()

    async def action_quit(self) -> None:
        await self._park_everything()
        self.exit()

    async def _park_everything(self) -> None:
        # Nothing scanned is ever lost: open work goes to disk before the screens go away.
        for name in JOBS:
            if self.is_screen_installed(name):
                screen = self.get_screen(name)
                park = getattr(screen, "park_open_work", None)
                if park is not None:
                    park()

    # --- navigation ----------------------------------------------------------------------------

    async def action_home(self) -> None:
        if self.actor is None:
            return
        while len(self.screen_stack) > 3:
            await self.pop_screen()
        if self.screen is not self.get_screen("home"):
            await self.pop_screen()

    async def action_open_job(self, name: str) -> None:
        if self.actor is None:
            return
        cls = job_screen_class(name)
        if cls is None:
            self.bell()
            self.notify(_("{job} is not available in this build.").format(job=_(JOBS[name][2])), severity="warning")
            return
        await self.action_home()
        if not self.is_screen_installed(name):
            self.install_screen(cls(), name)
        await self.push_screen(name)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    # --- status and sync ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="status")
    def refresh_status(self) -> None:
        with db.connection_context():
            location, _name = services.terminal_place(self.terminal_code)
            pending = services.pending_events()
            when = self.last_sync_reader() if self.last_sync_reader is not None else None
        self.call_from_thread(self._show_status, location, pending, when)

    def _show_status(self, location: str, pending: int, when: dt.datetime | None) -> None:
        # Network state and user are read here, on the UI thread, so a slow refresh started
        # before a sync finished cannot bring back a stale "syncing".
        last = when.strftime("%Y-%m-%d %H:%M") if when else self.last_sync
        self.status_info = StatusInfo(location=location, terminal=self.terminal_code,
                                      user=self.actor.user.name if self.actor else "",
                                      network=self.network, pending=pending, last_sync=last)

    def action_sync(self) -> None:
        if self.sync_runner is None:
            self.bell()
            self.notify(_("Sync is not configured on this terminal."), severity="warning")
            return
        self.network = "syncing"
        self.refresh_status()
        self._sync()

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self) -> None:
        try:
            with db.connection_context():
                result = self.sync_runner()  # type: ignore[misc]
        except Exception as exc:  # the network's failures are many; the clerk sees one line
            self.post_message(SyncFinished(error=str(exc) or type(exc).__name__))
        else:
            self.post_message(SyncFinished(detail=str(result or "")))

    def on_sync_finished(self, message: SyncFinished) -> None:
        from models import clock

        if message.error:
            self.network = "offline"
            self.notify(_("Sync failed: {error}").format(error=message.error), severity="error")
        else:
            self.network = "online"
            self.last_sync = clock.now().strftime("%Y-%m-%d %H:%M")
            self.notify(_("Sync done."))
        self.refresh_status()

