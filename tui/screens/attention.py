"""Needs attention (F11 at home): what sync could not settle by itself, oldest first.

A row is a refusal from head office, an order to put back on the shelf, a product that changed
while a sale was open, or something head office sent that could not be applied here. The panel
under the list says what to do; F5 marks the selected item dealt with (it stays on record). For a
put-back, F5 also books the goods back into the bins they were picked from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label, Static

from models import attention
from models.context import Actor
from models.db import db
from models.errors import DomainError
from models.ops.picking import deal_with, put_back_list
from models.orders import order_by_number

from .. import services
from ..dialogs.confirm import ConfirmDialog
from ..guard import explain
from ..i18n import _, language
from ..widgets.key_bar import KeyBar
from ..widgets.status_bar import StatusBar
from .base import CounterScreen


def kind_label(kind: str) -> str:
    return {attention.REJECTED: _("Refused by head office"), attention.PUT_BACK: _("Put goods back"),
            attention.PRODUCT_CHANGED: _("Product changed"),
            attention.PULL_FAILED: _("Not applied here")}.get(kind, kind)


@dataclass
class Item:
    """One open item as the screen shows it (read on a worker, shown on the UI thread)."""

    id: int
    kind: str
    ref: str
    message: str
    when: str
    todo: list[str] = field(default_factory=list)  # what to do, line by line


def _put_back_lines(actor: Actor, number: str, lang: str) -> list[str]:
    order = order_by_number(number)
    if order is None:
        return [_("Order {number} is not on this terminal: ask head office which goods it held.").format(
            number=number)]
    lines = put_back_list(actor, order)
    if not lines:
        return [_("Nothing of order {number} was picked here: F5 closes this.").format(number=number)]
    out = [_("Put these back on the shelf (order {number}), then F5 books them in:").format(number=number)]
    for line in lines:
        where = _("bin {b}").format(b=line.bin) if line.bin else _("no bin")
        lot = f"  {_('Lot')} {line.lot}" if line.lot else ""
        out.append(f"  {services.qty_text(line.quantity)} × {line.product.sku}  "
                   f"{line.product.display_name(lang)}  {where}{lot}")
    return out


def _todo(item: attention.Attention, actor: Actor, lang: str) -> list[str]:
    if item.kind == attention.PUT_BACK:
        return _put_back_lines(actor, item.ref, lang)
    if item.kind == attention.PRODUCT_CHANGED:
        return [_("The open sale kept the price it had when the item was scanned. "
                  "Check the shelf label of {sku}; F5 when done.").format(sku=item.ref)]
    if item.kind == attention.REJECTED:
        return [_("Head office did not take this. Tell a supervisor; F5 when it is sorted out.")]
    return [_("Tell a supervisor; F5 when it is sorted out.")]


def open_items(actor: Actor, lang: str) -> list[Item]:
    """The open items with their instructions (call inside a connection context)."""
    return [Item(row.id, row.kind, row.ref, row.message, row.created_at.strftime("%Y-%m-%d %H:%M"),
                 _todo(row, actor, lang)) for row in attention.open_items()]


class AttentionScreen(CounterScreen):
    FIRST_FOCUS = "#attention-list"
    CSS_PATH = Path(__file__).parent.parent / "styles" / "attention.tcss"
    BINDINGS = [
        Binding("escape", "app.home", "Home"),
        Binding("f5", "resolve", "Mark done"),
        Binding("f6", "reload", "Refresh the list"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Item] = []
        self._seq = 0  # only the newest read may draw: a read started before a resolve is stale

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Label(_("Needs attention"), id="attention-title")
        table = DataTable(id="attention-list", cursor_type="row", zebra_stripes=True)
        table.add_columns(_("When"), _("What"), _("Reference"), _("Message"))
        yield table
        yield Static("", id="attention-detail")
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._seq += 1
        self._load(self._seq, language())

    @work(thread=True, exclusive=True, group="attention")
    def _load(self, seq: int, lang: str) -> None:
        with db.connection_context():
            items = open_items(self.app.actor, lang)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, seq, items)

    def _show(self, seq: int, items: list[Item]) -> None:
        if seq != self._seq:
            return
        self.items = items
        table = self.query_one("#attention-list", DataTable)
        table.clear()
        for item in items:
            table.add_row(item.when, kind_label(item.kind), item.ref, item.message.splitlines()[0][:120],
                          key=str(item.id))
        self._show_detail()

    @property
    def selected(self) -> Item | None:
        table = self.query_one("#attention-list", DataTable)
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    @on(DataTable.RowHighlighted, "#attention-list")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#attention-detail", Static)
        item = self.selected
        if item is None:
            detail.update(_("Nothing needs attention."))
            return
        detail.update("\n".join([f"{kind_label(item.kind)} · {item.ref} · {item.when}", item.message, "",
                                 *item.todo]))

    def action_resolve(self) -> None:
        item = self.selected
        if item is None:
            self.app.bell()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._resolve(item.id)

        question = (_("Did you put back every item of order {number}? Its stock is booked back in.").format(
            number=item.ref) if item.kind == attention.PUT_BACK else _("Mark this as dealt with?"))
        self.app.push_screen(ConfirmDialog(question), answered)

    # Not exclusive: the list reloads when the dialog closes, and that must not cancel the write.
    @work(thread=True, group="attention-resolve")
    def _resolve(self, item_id: int) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        try:
            with db.connection_context():
                deal_with(actor, item_id)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, explain(exc), severity="error")
        self.app.call_from_thread(self.action_reload)
        self.app.call_from_thread(self.app.refresh_status)  # type: ignore[attr-defined]
        self.app.call_from_thread(self.app.request_sync)  # type: ignore[attr-defined]

