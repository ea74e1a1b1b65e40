"""Ask for one number (a quantity, a discount): parsed by the caller's rule, refused in place."""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from models.errors import DomainError

from ..guard import explain
from ..i18n import _
from ..screens.base import CounterModal
from ..widgets.key_bar import KeyBar


class NumberDialog(CounterModal[Any]):
    """Dismisses with ``parse(text)``; a ValueError or DomainError from ``parse`` is shown and the
    dialog stays open, so a typo never reaches the sale."""

    DEFAULT_CSS = """
    NumberDialog { align: center middle; }
    NumberDialog > Vertical { width: 60; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    NumberDialog #error { color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, prompt: str, parse: Callable[[str], Any], value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.parse = parse
        self.initial = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Label(self.prompt)
            yield Input(value=self.initial, id="value")
            yield Label("", id="error")
        yield KeyBar()

    @on(Input.Submitted, "#value")
    def _submit(self, event: Input.Submitted) -> None:
        try:
            result = self.parse(event.value)
        except DomainError as exc:
            self._refuse(explain(exc))
        except InvalidOperation:
            self._refuse(_("Type a number, e.g. 2 or 0.350."))
        except (ValueError, ArithmeticError) as exc:  # the parser's own message, already translated
            self._refuse(str(exc))
        else:
            self.dismiss(result)

    def _refuse(self, message: str) -> None:
        self.app.bell()
        self.query_one("#error", Label).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)
