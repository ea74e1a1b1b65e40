"""Who is at the counter: user code (typed or a badge scan) and PIN."""

from __future__ import annotations

from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from models.db import db
from models.errors import DomainError
from models.people import authenticate
from models.store import actor_for

from ..guard import explain
from ..i18n import _
from ..messages import LoggedIn, LoggedOut
from ..widgets.key_bar import KeyBar
from ..widgets.scan_input import ScanInput
from ..widgets.status_bar import StatusBar
from .base import CounterScreen


class LoginScreen(CounterScreen):
    CSS_PATH = Path(__file__).parent.parent / "styles" / "login.tcss"
    BINDINGS = [Binding("escape", "clear", "Clear")]
    FIRST_FOCUS = "#user-code"

    user_code = ""
    _pin_focus_pending = False
    _pin_start = ""  # what the PIN field was given at the code's Enter

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="login-box"):
            yield Label(_("Counter · log in"), id="login-title")
            yield Label(_("User code or badge"))
            yield ScanInput(placeholder=_("Type your code or scan your badge"), id="user-code")
            yield Label(_("PIN"))
            yield Input(password=True, placeholder=_("PIN"), id="pin")
            yield Label("", id="login-error")
        yield KeyBar()


    @on(ScanInput.Scanned, "#user-code")
    def _code_entered(self, event: ScanInput.Scanned) -> None:
        # A badge is just a Code 128 of the user code; whatever it reads as, the text is the code.
        text = event.scan.data if event.scan else event.raw.strip()
        pin = self.query_one("#pin", Input)
        if self.user_code and self._pin_focus_pending:
            # Typed (or sent by a wedge) right behind the code, before focus reached the PIN field:
            # it is the PIN, so it must not become the user code (and is never shown).
            self._login(self.user_code, text)
            return
        self.user_code = text
        scan_input = self.query_one("#user-code", ScanInput)
        scan_input.placeholder = text
        # Keys already typed after the code's Enter belong to the PIN.
        pin.value = self._pin_start = scan_input.take_text()
        self._pin_focus_pending = True  # focus() lands on a later turn of the message loop
        pin.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "pin" and self._pin_focus_pending:
            self._pin_focus_pending = False
            # Keys that reached the code field while focus was on its way come after the ones moved
            # at the code's Enter and before any the PIN field has taken itself since.
            pin = self.query_one("#pin", Input)
            at = len(self._pin_start)
            stranded = self.query_one("#user-code", ScanInput).take_text()
            pin.value = pin.value[:at] + stranded + pin.value[at:]
            pin.cursor_position = len(pin.value)

    @on(Input.Submitted, "#pin")
    def _pin_entered(self, event: Input.Submitted) -> None:
        code = self.user_code
        if not code:
            self._refuse(_("Type your user code or scan your badge first."))
            self.query_one("#user-code", ScanInput).focus()
            return
        self._login(code, event.value)

    @work(thread=True, exclusive=True)
    def _login(self, code: str, pin: str) -> None:
        # argon2 takes tens of milliseconds on purpose: off the UI thread.
        try:
            with db.connection_context():
                user = authenticate(code, pin)
                actor = actor_for(self.app.terminal_code, user.code)  # type: ignore[attr-defined]
        except DomainError as exc:
            self.app.call_from_thread(self._refused, explain(exc))
        else:
            self.app.call_from_thread(self._accepted, actor)

    def _accepted(self, actor: object) -> None:
        self.action_clear()
        self.post_message(LoggedIn(actor))  # type: ignore[arg-type]

    def _refuse(self, message: str) -> None:
        self.app.bell()
        self.query_one("#login-error", Label).update(message)

    def _refused(self, message: str) -> None:
        """A wrong PIN (or a locked or unknown user): start again from the code, as a clerk does
        without looking, so retyping the code is never taken as another wrong PIN."""
        self.action_clear()
        self._refuse(message + " " + _("Type your code and PIN again."))

    def action_clear(self) -> None:
        self.user_code = ""
        self._pin_focus_pending = False
        scan = self.query_one("#user-code", ScanInput)
        scan.value = ""
        scan.placeholder = _("Type your code or scan your badge")
        self.query_one("#pin", Input).value = ""
        self.query_one("#login-error", Label).update("")
        scan.focus()

    def on_logged_out(self, _message: LoggedOut) -> None:
        self.action_clear()
