"""A supervisor approves at the counter: their code (or badge) and PIN, checked by the domain."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from models.db import db
from models.errors import DomainError
from models.people import SUPERVISOR, User, authorize

from ..i18n import _
from ..screens.base import CounterModal
from ..widgets.key_bar import KeyBar


class SupervisorPinDialog(CounterModal[User | None]):
    """Dismisses with the approving ``User``, or None when cancelled. Wrong PINs count towards the
    supervisor's lockout exactly as at login (the domain decides)."""

    DEFAULT_CSS = """
    SupervisorPinDialog { align: center middle; }
    SupervisorPinDialog > Vertical { width: 64; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    SupervisorPinDialog #error { color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, reason: str, role: str = SUPERVISOR) -> None:
        super().__init__()
        self.reason = reason
        self.role = role

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(_("Supervisor approval"), classes="title")
            yield Label(self.reason, id="reason")
            yield Input(placeholder=_("Supervisor code or badge"), id="code")
            yield Input(placeholder=_("PIN"), password=True, id="pin")
            yield Label("", id="error")
        yield KeyBar()

    @on(Input.Submitted, "#code")
    def _next(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _submit(self) -> None:
        code = self.query_one("#code", Input).value.strip()
        pin = self.query_one("#pin", Input).value
        if not code:
            self.query_one("#code", Input).focus()
            return
        self._check(code, pin)

    @work(thread=True, exclusive=True)
    def _check(self, code: str, pin: str) -> None:
        # argon2 is deliberately slow: keep it off the UI thread.
        try:
            with db.connection_context():
                user = authorize(code, pin, self.role)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, str(exc))
        else:
            self.app.call_from_thread(self.dismiss, user)

    def _refused(self, message: str) -> None:
        self.app.bell()
        self.query_one("#error", Label).update(message)
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
