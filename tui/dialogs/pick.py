"""Choose one of a few things (a parked sale, a return reason, a recent receipt)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from ..i18n import _
from ..screens.base import CounterModal


class PickDialog(CounterModal[str | None]):
    DEFAULT_CSS = """
    PickDialog { align: center middle; }
    PickDialog > Vertical { width: 70; height: auto; max-height: 20; border: thick $accent; background: $surface; padding: 1 2; }
    PickDialog OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            if self.options:
                yield OptionList(*[Option(label, id=key) for key, label in self.options])
            else:
                yield Label(_("Nothing to choose."))
        yield Footer()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
