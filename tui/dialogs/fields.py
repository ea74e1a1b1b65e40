"""A small dialog the stock screens share: fill in a few fields (pick lists: tui/dialogs/pick.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui.screens.base import CounterModal, dialog_css


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    placeholder: str = ""
    value: str = ""
    password: bool = False


class FieldsDialog(CounterModal[dict[str, str] | None]):
    """A few labelled inputs; Enter moves to the next one and submits from the last.

    `check` may return an error to show (the dialog then stays open) or None to accept.
    """

    DEFAULT_CSS = dialog_css("FieldsDialog") + """
    FieldsDialog Input { margin-bottom: 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, fields: Sequence[Field], *, note: str = "", check=None) -> None:
        super().__init__()
        self.title_text = title
        self.fields = list(fields)
        self.note = note
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            if self.note:
                yield Static(self.note)
            for f in self.fields:
                yield Label(f.label)
                yield Input(f.value, placeholder=f.placeholder, password=f.password, id=f"field-{f.name}")
            yield Static("", id="dialog-error", classes="error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        index = inputs.index(event.input)
        if index + 1 < len(inputs):
            inputs[index + 1].focus()
            return
        values = {f.name: self.query_one(f"#field-{f.name}", Input).value.strip() for f in self.fields}
        error = self.check(values) if self.check else None
        if error:
            self.query_one("#dialog-error", Static).update(error)
            self.app.bell()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
