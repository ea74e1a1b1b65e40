"""Choose one of a list (a parked sale, a delivery, a destination, a recent receipt...)."""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import _
from ..screens.base import CounterModal, dialog_css


class PickDialog(CounterModal[str | None]):
    """Choose one entry; dismisses with its key, or None on Esc."""

    DEFAULT_CSS = dialog_css("PickDialog") + """
    PickDialog OptionList { height: auto; max-height: 16; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], *, empty: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.empty = empty

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            if self.choices:
                yield OptionList(*[Option(label, id=key) for key, label in self.choices])
            else:
                yield Static(self.empty or _("Nothing to choose from."), classes="error")
            yield Static(_("Enter chooses, Esc cancels."))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
