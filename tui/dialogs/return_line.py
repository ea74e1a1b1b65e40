"""How much of a sold line comes back, why, and whether it goes back on the shelf."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Select

from models.ops.returning import RESTOCK, WRITE_OFF

from ..i18n import _
from ..screens.base import CounterModal
from ..widgets.key_bar import KeyBar

REASONS = ("damaged", "wrong size", "not as described", "changed mind", "faulty")


@dataclass
class ReturnChoice:
    quantity: Decimal
    reason: str
    condition: str


class ReturnLineDialog(CounterModal[ReturnChoice | None]):
    DEFAULT_CSS = """
    ReturnLineDialog { align: center middle; }
    ReturnLineDialog > Vertical { width: 64; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    ReturnLineDialog #error { color: $error; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("f10", "ok", "OK")]

    def __init__(self, item: str, returnable: Decimal) -> None:
        super().__init__()
        self.item = item
        self.returnable = returnable

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.item, classes="title")
            yield Label(_("Up to {n} can come back.").format(n=self.returnable))
            yield Input(value=str(self.returnable.normalize()), placeholder=_("Quantity"), id="qty")
            yield Select([(_(r), r) for r in REASONS], prompt=_("Reason"), id="reason", value=REASONS[0])
            yield Select([(_("Back on the shelf"), RESTOCK), (_("Write off"), WRITE_OFF)],
                         id="condition", value=RESTOCK, allow_blank=False)
            yield Label("", id="error")
        yield KeyBar()

    @on(Input.Submitted, "#qty")
    def action_ok(self) -> None:
        text = self.query_one("#qty", Input).value.strip().replace(",", ".")
        try:
            qty = Decimal(text)
        except InvalidOperation:
            qty = Decimal(-1)
        if not (0 < qty <= self.returnable):
            self.app.bell()
            self.query_one("#error", Label).update(_("Type a quantity from 1 to {n}.").format(n=self.returnable))
            return
        reason = self.query_one("#reason", Select).value
        condition = self.query_one("#condition", Select).value
        if not isinstance(reason, str):
            self.query_one("#error", Label).update(_("Choose a reason."))
            return
        self.dismiss(ReturnChoice(qty, reason, str(condition)))

    def action_cancel(self) -> None:
        self.dismiss(None)
