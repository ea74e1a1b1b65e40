"""A supervisor approves at the counter: their code (or badge) and PIN, checked by the domain."""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from models.db import db
from models.errors import DomainError
from models.people import SUPERVISOR, User, authorize

from ..guard import explain
from ..i18n import _
from ..screens.base import CounterModal
from ..widgets.key_bar import KeyBar
from ..widgets.scan_input import ScanInput


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
            yield ScanInput(placeholder=_("Supervisor code or badge"), id="code")
            yield Input(placeholder=_("PIN"), password=True, id="pin")
            yield Label("", id="error")
        yield KeyBar()

    # The code field is a ScanInput, as at login: it reads a badge burst whole, and what a
    # supervisor (or a wedge) types behind the code's Enter, before the PIN field has the focus,
    # is the PIN, never a longer code.
    _code = ""
    _pin_pending = False

    @on(ScanInput.Scanned, "#code")
    def _next(self, event: ScanInput.Scanned) -> None:
        event.stop()
        text = event.scan.data if event.scan else event.raw.strip()
        if self._code and self._pin_pending:
            self._check(self._code, text)
            return
        self._code, self._pin_pending = text, True
        code, pin = self.query_one("#code", ScanInput), self.query_one("#pin", Input)
        code.placeholder = text
        pin.value, code.value = code.value, ""
        pin.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "pin":
            self._pin_pending = False

    @on(Input.Submitted, "#pin")
    def _submit(self) -> None:
        pin = self.query_one("#pin", Input).value
        if not self._code:
            self.query_one("#code", ScanInput).focus()
            return
        self._check(self._code, pin)

    @work(thread=True, exclusive=True)
    def _check(self, code: str, pin: str) -> None:
        # argon2 is deliberately slow: keep it off the UI thread.
        try:
            with db.connection_context():
                user = authorize(code, pin, self.role)
        except DomainError as exc:
            self.app.call_from_thread(self._refused, explain(exc))
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
