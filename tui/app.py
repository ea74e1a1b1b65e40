"""The counter app: screens, app-wide keys, the status refresh and the command palette.

Screen stack: [default, Login] before anyone logs in; [default, Login, Home, <job>] after.
Job screens are installed by name and kept, so an open sale survives a trip home (F12 or Esc).
Logging out or quitting parks an open sale on disk.

Background sync: with a head office configured (``sync_config``), the app starts a
``sync.scheduler.SyncScheduler`` once the login screen is up and stops it on exit. The scheduler
calls back on its own thread; every callback is marshalled to the UI with ``call_from_thread``.
Printing: ``printing`` is this terminal's ``[printing]`` section; the service opens on first use,
on a worker thread, so neither sync nor printing ever holds a screen.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import importlib
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen

from models.context import Actor
from models.db import db
from models.limits import LARGE_LINE
from models.scan import VariableMeasureRule

from . import guard, services
from .commands import ActionsProvider
from .guard import Guarded, explain, log, open_log
from .i18n import _, set_language
from .messages import LoggedIn, LoggedOut, ProductsChanged, StatusInfo, SyncFinished
from .printing import Printing

if TYPE_CHECKING:
    from printing.config import PrintingConfig
    from sync.client import SyncConfig, SyncResult
    from sync.scheduler import SyncScheduler, SyncStatus

# name -> (module, class, label, home key). Modules load on first use, which keeps start-up fast.
JOBS: dict[str, tuple[str, str, str, str]] = {
    "sale": ("tui.screens.sale", "SaleScreen", "Sale", "f2"),
    "returns": ("tui.screens.returns", "ReturnsScreen", "Return / exchange", "f3"),
    "lookup": ("tui.screens.lookup", "LookupScreen", "Lookup", "f4"),
    "intake": ("tui.screens.intake", "IntakeScreen", "Intake", "f5"),
    "count": ("tui.screens.count", "CountScreen", "Count", "f6"),
    "transfers": ("tui.screens.transfers", "TransfersScreen", "Transfers", "f7"),
    "attention": ("tui.screens.attention", "AttentionScreen", "Needs attention", "f11"),
}


def settle_heap() -> None:
    """Take what is loaded so far (modules, screens, caches: long-lived) out of the garbage
    collector's sight. Otherwise a full collection walks all of it, tens of milliseconds, at
    whatever moment the allocation count says: sometimes in the middle of a scan."""
    gc.collect()
    gc.freeze()


def job_screen_class(name: str) -> type[Screen]:
    module_name, class_name, _label, _key = JOBS[name]
    return getattr(importlib.import_module(module_name), class_name)


class CounterApp(Guarded, App):
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
        sync_config: SyncConfig | None = None,
        sync_interval: float | None = None,
        sync_first_run: float = 0.0,
        printing: PrintingConfig | dict[str, Any] | None = None,
        large_line: Decimal = LARGE_LINE,
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
        # Background sync only when a head office is named; without one F9 falls back to sync_runner.
        self.sync_config = sync_config if sync_config is not None and sync_config.sync_url else None
        self.sync_interval = sync_interval
        self.sync_first_run = sync_first_run
        self.scheduler: SyncScheduler | None = None
        self._user_asked_sync = False
        self.printing = Printing(printing)
        self.large_line = large_line  # units in one sale line above which a supervisor approves
        self.network = "offline" if (sync_runner or self.sync_config) else "not configured"
        self.last_sync = ""
        self.status_info = StatusInfo(terminal=terminal_code)
        self._key_screens: dict[int, Screen] = {}  # key event -> the screen it was sent to

    def get_key_display(self, binding: Binding) -> str:
        # Written as on the keyboard and in the README: F2, Esc, not Textual's f2, esc.
        shown = super().get_key_display(binding)
        if re.fullmatch(r"f\d{1,2}", shown):
            return shown.upper()
        if re.fullmatch(r"\^[a-z]", shown):
            return f"Ctrl+{shown[1].upper()}"
        if "+" in shown:  # shift+tab -> Shift+Tab
            return "+".join(part.capitalize() for part in shown.split("+"))
        return {"esc": "Esc", "enter": "Enter", "tab": "Tab"}.get(shown, shown)

    @property
    def receipts_dir(self) -> Path:
        return self.data_dir / "receipts"

    def job_labels(self) -> dict[str, str]:
        return {name: label for name, (_m, _c, label, _k) in JOBS.items()}

    # --- start, login, logout --------------------------------------------------------------------

    def on_mount(self) -> None:
        from .screens.login import LoginScreen

        open_log(self.data_dir / "counter.log")
        self.push_screen(LoginScreen())
        self.refresh_status()
        if self.status_interval:
            self.set_interval(self.status_interval, self.refresh_status)
        # After the first frame: importing httpx and APScheduler must not delay the login screen.
        self.call_after_refresh(self.start_background_sync)

    def on_unmount(self) -> None:
        self.stop_background()

    def stop_background(self) -> None:
        """Stop sync and the print sender at once; neither waits for the network (both run on daemon threads)."""
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            scheduler.stop()
        self.printing.close()

    def on_logged_in(self, message: LoggedIn) -> None:
        from .screens.home import HomeScreen

        self.actor = message.actor
        self.install_screen(HomeScreen(), "home")
        self.push_screen("home")
        self.refresh_status()
        self.call_after_refresh(settle_heap)

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
        self.stop_background()
        self.exit()

    async def _park_everything(self) -> None:
        self._park_now()

    def _park_now(self) -> None:
        # Nothing scanned is ever lost: open work goes to disk before the screens go away.
        for name in JOBS:
            if self.is_screen_installed(name):
                screen = self.get_screen(name)
                park = getattr(screen, "park_open_work", None)
                if park is not None:
                    park()

    async def on_event(self, event: events.Event) -> None:
        """Keys typed while a job screen opens go to its scan field.

        A key reaches the screen that was active when it came, and comes back here if nothing
        there took it; a job's key (F2) opens the job only then. The keys queued behind it (a
        scan right after F2) come back after the new screen took over: they go to what has the
        focus now, in the order they came, instead of being dropped with the old screen's.
        """
        if isinstance(event, events.Key):
            if not event.is_forwarded:
                self._key_screens[id(event)] = self.screen
                if len(self._key_screens) > 256:  # keys a widget took never come back: forget the oldest
                    del self._key_screens[next(iter(self._key_screens))]
            else:
                came_to = self._key_screens.pop(id(event), None)
                if came_to is not None and came_to is not self.screen:
                    event._stop_propagation = False
                    (self.focused or self.screen)._forward_event(event)
                    return
        await super().on_event(event)

    def _handle_exception(self, error: Exception) -> None:
        """A failed worker is shown and logged, and the app goes on. Anything else broke one of
        Textual's own message loops, so the app must close: open work is parked first, and the
        person reads one line instead of a traceback."""
        from textual.worker import WorkerFailed

        if isinstance(error, WorkerFailed) and self.is_running and not guard.STRICT:
            self.bell()
            self.notify(explain(error.error), severity="error", timeout=15)
            return
        log.critical("closing after an unexpected error", exc_info=(type(error), error, error.__traceback__))
        try:
            with db.connection_context():
                self._park_now()
        except Exception:  # parking is the last resort: its own failure is logged, never raised
            log.exception("could not park the open work")
        if self._exception is None:  # run_test re-raises it, so a test sees the fault
            self._exception = error
            self._exception_event.set()
        self.exit(return_code=1, message=_("The counter app closed after an unexpected error; open sales were "
                                            "parked (F7 on the Sale screen brings them back). Details: {path}")
                  .format(path=self.data_dir / "counter.log"))

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
        await self.action_home()
        if not self.is_screen_installed(name):
            self.install_screen(job_screen_class(name)(), name)
            self.call_after_refresh(settle_heap)
        await self.push_screen(name)
        take_focus = getattr(self.screen, "take_focus", None)
        if take_focus is not None:
            take_focus()  # now, not on resume: the keys queued behind this one go to its field

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
            to_check = services.attention_count()
            # The persisted time of the last good sync is right straight after a restart.
            reader = self.last_sync_reader or services.last_good_sync
            when = reader()
        self.call_from_thread(self._show_status, location, pending, when, to_check)

    def _show_status(self, location: str, pending: int, when: dt.datetime | None, to_check: int = 0) -> None:
        # Network state and user are read here, on the UI thread, so a slow refresh started
        # before a sync finished cannot bring back a stale "syncing".
        last = when.strftime("%Y-%m-%d %H:%M") if when else self.last_sync
        self.status_info = StatusInfo(location=location, terminal=self.terminal_code,
                                      user=self.actor.user.name if self.actor else "",
                                      network=self.network, pending=pending, last_sync=last,
                                      attention=to_check)

    # The background scheduler ------------------------------------------------------------------

    def start_background_sync(self) -> None:
        """Start the scheduler if a head office is configured (idempotent)."""
        if self.sync_config is None or self.scheduler is not None or not self.is_running:
            return
        from sync.scheduler import SyncScheduler

        self.scheduler = SyncScheduler(self.sync_config, interval=self.sync_interval, run=self._run_sync_job,
                                       on_change=self._sync_changed_in_thread)
        self.scheduler.start(first_run_in=self.sync_first_run)

    def _run_sync_job(self, cfg: SyncConfig) -> SyncResult:
        """One scheduled run (on the scheduler's thread): sync, then tell the UI what the pull changed."""
        from sync.client import run_sync

        result = run_sync(cfg)
        changed = list(result.pull.applied.changed_skus) if result.ok else []
        if changed:
            self._to_ui(self.post_message, ProductsChanged(changed))
        return result

    def _sync_changed_in_thread(self, status: SyncStatus) -> None:
        self._to_ui(self._sync_changed, status)

    def _to_ui(self, callback: Callable[..., object], *args: object) -> None:
        # The scheduler may report while the app is closing: then there is no UI to tell.
        if not self.is_running:
            return
        with contextlib.suppress(RuntimeError):
            self.call_from_thread(callback, *args)

    def _sync_changed(self, status: SyncStatus) -> None:
        self.network = status.state
        if status.last_sync_at is not None:
            self.last_sync = status.last_sync_at.strftime("%Y-%m-%d %H:%M")
        if status.state != "syncing" and self._user_asked_sync:
            self._user_asked_sync = False
            if status.state == "online":
                self.notify(_("Sync done."))
            else:
                self.notify(_("Sync failed: {error}").format(error=status.last_error), severity="error")
        self.refresh_status()

    def request_sync(self) -> None:
        """After a sale or a receipt: ask for a sync soon (in a worker; a no-op without head office)."""
        if self.scheduler is not None:
            self._ask_scheduler(False)

    @work(thread=True, group="sync-request")
    def _ask_scheduler(self, now: bool) -> None:
        scheduler = self.scheduler
        if scheduler is None:
            return
        if now:
            scheduler.sync_now()
        else:
            scheduler.request_sync()

    def on_stock_changed(self, message: Message) -> None:
        if getattr(message, "kind", "") == "receipt":
            self.request_sync()
        self.refresh_status()

    def on_products_changed(self, message: ProductsChanged) -> None:
        """Head office changed products: an open sale holding them keeps its prices, and says so."""
        if self.is_screen_installed("sale"):
            notice = getattr(self.get_screen("sale"), "products_changed", None)
            if notice is not None:
                notice(message.skus)
        self.refresh_status()

    def action_sync(self) -> None:
        if self.scheduler is not None:
            self._user_asked_sync = True
            self.network = "syncing"
            self.refresh_status()
            self._ask_scheduler(True)
            return
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
