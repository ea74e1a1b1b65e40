"""Transfers: send goods to another location, or book in what another location sent here.

Sending keeps its scanned items in a `TransferDraft` (attributes down), so Esc keeps them. Receiving
starts from the transfer document: scans add up what arrived per line, F5 says "all of it", and
booking in writes only what arrived (a short delivery stays visible as sent minus received).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from models.catalog import Product
from models.context import Actor
from models.db import db
from models.errors import DomainError
from models.lookup import incoming_transfers, other_locations
from models.ops.transfers import TransferItem, transfer_in, transfer_out
from models.stock_docs import Transfer, TransferLine, transfer_by_id, transfer_lines
from tui.dialogs.pick import PickDialog
from tui.guard import explain
from tui.i18n import _, language
from tui.messages import StockChanged
from tui.widgets.key_bar import KeyBar
from tui.widgets.lines_table import Column, LinesTable
from tui.widgets.message_line import MessageLine
from tui.widgets.scan_input import ScanInput
from tui.widgets.stock_format import day, qty
from tui.widgets.stock_screen import StockScreen

SEND, RECEIVE = "send", "receive"


@dataclass
class SendLine:
    product: Product
    quantity: Decimal
    lot: str = ""


@dataclass
class TransferDraft:
    """A transfer in progress: what is being sent, or which incoming transfer is being checked."""

    mode: str | None = None
    destination: str | None = None
    sending: list[SendLine] = field(default_factory=list)
    transfer_id: int | None = None
    arrived: dict[int, Decimal] = field(default_factory=dict)  # transfer line id -> quantity
    history: list[tuple[int, Decimal]] = field(default_factory=list)  # to undo receive scans

    def reset(self) -> None:
        self.mode, self.destination, self.sending = None, None, []
        self.transfer_id, self.arrived, self.history = None, {}, []


class TransfersScreen(StockScreen):
    FIRST_FOCUS = "#transfer-scan"
    LINES = "#transfer-lines"
    CSS_PATH = "../styles/transfers.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back (the transfer is kept)"),
        Binding("f2", "send", "Send to another location"),
        Binding("f3", "receive", "Receive an incoming transfer"),
        Binding("f5", "all_arrived", "Everything arrived"),
        Binding("f8", "undo", "Remove the last scan"),
        Binding("f10", "finish", "Send / book in"),
    ]

    def __init__(self, actor: Actor | None = None, *, draft: TransferDraft | None = None,
                 lang: str | None = None) -> None:
        super().__init__(actor, lang=lang)
        self.draft = draft if draft is not None else TransferDraft()
        self._busy = False
        # The incoming transfer being checked, read once when it is chosen: a scan changes the
        # draft and one row, it does not read the transfer again.
        self._transfer: Transfer | None = None
        self._lines: list[TransferLine] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="transfer-title")
        yield self.make_scan_input(_("Scan goods (3* before a code for 3)"), id="transfer-scan")
        yield MessageLine("", id="transfer-message")
        yield LinesTable(self._columns(), id="transfer-lines")
        yield KeyBar()

    def on_mount(self) -> None:
        self._load()
        self._show_all()
        if self.draft.mode is None:
            self._choose()

    # --- choosing ---------------------------------------------------------------------------------

    def _choose(self) -> None:
        choices = [(f"in:{t.id}", _("Receive {n} from {src} (sent {d})").format(
            n=t.number, src=t.source.code, d=day(t.sent_at))) for t in incoming_transfers(self.actor.location)]
        choices += [(f"to:{loc.code}", _("Send to {code} {name}").format(code=loc.code, name=loc.display_name(language())))
                    for loc in other_locations(self.actor.location)]
        self.app.push_screen(PickDialog(_("Transfers"), choices, empty=_("No other location is set up.")),
                             self._chosen)

    def _chosen(self, key: str | None) -> None:
        if key is None:
            return
        kind, value = key.split(":", 1)
        self.draft.reset()
        if kind == "to":
            self.draft.mode, self.draft.destination = SEND, value
            self.query_one(MessageLine).say(_("Scan what goes to {code}; F10 sends it.").format(code=value))
        else:
            self.draft.mode, self.draft.transfer_id = RECEIVE, int(value)
            self.query_one(MessageLine).say(_("Scan what arrived, or F5 if everything did; F10 books it in."))
        self._load()
        self._show_all()

    def action_send(self) -> None:
        if self._keep_work():
            choices = [(f"to:{loc.code}", f"{loc.code} {loc.display_name(language())}")
                       for loc in other_locations(self.actor.location)]
            self.app.push_screen(PickDialog(_("Send to"), choices, empty=_("No other location is set up.")),
                                 self._chosen)

    def action_receive(self) -> None:
        if self._keep_work():
            choices = [(f"in:{t.id}", f"{t.number}  {t.source.code}  {day(t.sent_at)}")
                       for t in incoming_transfers(self.actor.location)]
            self.app.push_screen(PickDialog(_("Incoming transfers"), choices,
                                            empty=_("Nothing has been sent to this location.")), self._chosen)

    def _keep_work(self) -> bool:
        if self.draft.sending or self.draft.arrived:
            self.query_one(MessageLine).warn(_("Finish (F10) or remove the scans (F8) first."))
            return False
        return True

    # --- scanning ---------------------------------------------------------------------------------

    @on(ScanInput.Scanned, "#transfer-scan")
    def _scanned(self, event: ScanInput.Scanned) -> None:
        scanned = self.goods_scanned(event)
        if scanned is None:
            return
        scan, product, quantity = scanned
        lot = scan.lot or ""
        if self.draft.mode == SEND:
            self._add_to_send(product, quantity, lot)
        elif self.draft.mode == RECEIVE:
            self._arrived(product, quantity, lot)
        else:
            self.query_one(MessageLine).warn(_("Choose first: F2 to send, F3 to receive."))

    def _add_to_send(self, product: Product, quantity: Decimal, lot: str) -> None:
        for line in self.draft.sending:
            if (line.product.id, line.lot) == (product.id, lot):
                line.quantity += quantity
                break
        else:
            line = SendLine(product, quantity, lot)
            self.draft.sending.append(line)
        self.draft.history.append((product.id, quantity))
        self.query_one("#transfer-lines", LinesTable).put_row((product.id, lot), *self._send_cells(line))
        self.query_one(MessageLine).say(_("+{q} {sku}").format(q=qty(quantity), sku=product.sku))

    def _arrived(self, product: Product, quantity: Decimal, lot: str) -> None:
        lines = [line for line in self._lines if line.product_id == product.id]
        if lot:
            lines = [line for line in lines if line.lot == lot] or lines
        if not lines:
            self.query_one(MessageLine).warn(_("{sku} is not on this transfer: put it aside and tell the sender.")
                                             .format(sku=product.sku))
            return
        # Fill the first line of this product that still misses goods; extra goes on the last one.
        target = next((line for line in lines if self.draft.arrived.get(line.id, Decimal(0)) < line.quantity),
                      lines[-1])
        self.draft.arrived[target.id] = self.draft.arrived.get(target.id, Decimal(0)) + quantity
        self.draft.history.append((target.id, quantity))
        self.query_one("#transfer-lines", LinesTable).put_row(target.id, *self._arrived_cells(target))
        self.query_one(MessageLine).say(_("{sku}: {got} of {sent} arrived").format(
            sku=product.sku, got=qty(self.draft.arrived[target.id]), sent=qty(target.quantity)))

    def action_all_arrived(self) -> None:
        if self.draft.mode != RECEIVE:
            self.query_one(MessageLine).warn(_("F5 is for receiving: choose an incoming transfer (F3)."))
            return
        for line in self._lines:
            self.draft.arrived[line.id] = line.quantity
        self.draft.history.clear()
        self._show_all()
        self.query_one(MessageLine).say(_("Everything marked as arrived; F10 books it in."))

    def action_undo(self) -> None:
        if not self.draft.history:
            self.query_one(MessageLine).warn(_("Nothing scanned yet."))
            return
        key, quantity = self.draft.history.pop()
        if self.draft.mode == SEND:
            line = next(line for line in reversed(self.draft.sending) if line.product.id == key)
            line.quantity -= quantity
            if line.quantity <= 0:
                self.draft.sending.remove(line)
        else:
            self.draft.arrived[key] -= quantity
            if self.draft.arrived[key] <= 0:
                del self.draft.arrived[key]
        self._show_all()  # a line sent may go with its last scan
        self.query_one(MessageLine).say(_("Last scan removed."))

    # --- the table --------------------------------------------------------------------------------

    def _load(self) -> None:
        """Read the incoming transfer being received (once per choice, not per scan)."""
        self._transfer, self._lines = None, []
        if self.draft.mode != RECEIVE or not self.draft.transfer_id:
            return
        try:
            self._transfer = transfer_by_id(self.draft.transfer_id)
        except DomainError as exc:
            self.draft.reset()
            self.query_one(MessageLine).warn(explain(exc))
            return
        self._lines = transfer_lines(self.draft.transfer_id)

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows, one tuple of cell texts per line."""
        table = self.query_one("#transfer-lines", LinesTable)
        return [table.row_text(row) for row in range(table.row_count)]

    def _columns(self) -> list[Column]:
        if self.draft.mode == RECEIVE:
            return [Column(_("SKU")), Column(_("Name"), flex=True, min_width=8),
                    Column(_("Sent"), justify="right"), Column(_("Arrived"), justify="right"),
                    Column(_("Lot")), Column(_("State"))]
        return [Column(_("SKU")), Column(_("Name"), flex=True, min_width=8), Column(_("Qty"), justify="right"),
                Column(_("Lot"))]

    def _send_cells(self, line: SendLine) -> tuple[str, ...]:
        return (line.product.sku, line.product.display_name(self.lang), qty(line.quantity), line.lot)

    def _arrived_cells(self, line: TransferLine) -> tuple[str, ...]:
        got = self.draft.arrived.get(line.id)
        state = "" if got is None else (_("ok") if got == line.quantity
                                        else _("short") if got < line.quantity else _("over"))
        return (line.product.sku, line.product.display_name(self.lang), qty(line.quantity), qty(got), line.lot,
                state)

    def _show_all(self) -> None:
        here = self.actor.location.code
        if self.draft.mode == SEND:
            title = _("Transfer out - {src} to {dst}").format(src=here, dst=self.draft.destination)
        elif self.draft.mode == RECEIVE:
            transfer = self._transfer
            title = _("Transfer in - {n} from {src}").format(n=transfer.number if transfer else "?",
                                                             src=transfer.source.code if transfer else "?")
        else:
            title = _("Transfers - F2 send, F3 receive") + f" - {here}"
        self.query_one("#transfer-title", Label).update(title)
        if self.draft.mode == SEND:  # rows by (product, lot) when sending, by transfer line when receiving
            keys: list[object] = [(line.product.id, line.lot) for line in self.draft.sending]
            rows = [self._send_cells(line) for line in self.draft.sending]
        else:
            keys = [line.id for line in self._lines]
            rows = [self._arrived_cells(line) for line in self._lines]
        table = self.query_one("#transfer-lines", LinesTable)
        table.set_columns(self._columns())
        table.set_rows(rows, keys=keys)

    # --- finishing --------------------------------------------------------------------------------

    def action_finish(self) -> None:
        if self._busy:
            return
        message = self.query_one(MessageLine)
        if self.draft.mode == SEND:
            if not self.draft.sending:
                message.warn(_("Nothing to send: scan the goods first."))
                return
            items = [TransferItem(line.product, line.quantity, line.lot) for line in self.draft.sending]
            self._busy = True
            self._send(self.draft.destination or "", items)
        elif self.draft.mode == RECEIVE:
            if not self.draft.arrived:
                message.warn(_("Scan what arrived, or F5 if everything did."))
                return
            received = {line.id: self.draft.arrived.get(line.id, Decimal(0)) for line in self._lines}
            self._busy = True
            self._book_in(self.draft.transfer_id, received)
        else:
            message.warn(_("Choose first: F2 to send, F3 to receive."))

    @work(thread=True, exclusive=True, group="transfer-send")
    def _send(self, destination: str, items: list[TransferItem]) -> None:
        try:
            with db.connection_context():
                transfer = transfer_out(self.actor, destination, items)
        except DomainError as exc:
            self.app.call_from_thread(self._failed, explain(exc))
        else:
            self.app.call_from_thread(self._done, "transfer_out", transfer.number,
                                      _("Sent as {n} to {dst}.").format(n=transfer.number, dst=destination))

    @work(thread=True, exclusive=True, group="transfer-in")
    def _book_in(self, transfer_id: int, received: dict[int, Decimal]) -> None:
        try:
            with db.connection_context():
                # Read again: the transfer may have been booked in since it was chosen.
                transfer = transfer_in(self.actor, transfer_by_id(transfer_id), received)
                short = sum((line.quantity - line.received for line in transfer_lines(transfer_id)), Decimal(0))
        except DomainError as exc:
            self.app.call_from_thread(self._failed, explain(exc))
        else:
            text = _("{n} booked in.").format(n=transfer.number)
            if short > 0:
                text += " " + _("{q} missing: tell the sender.").format(q=qty(short))
            self.app.call_from_thread(self._done, "transfer_in", transfer.number, text)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.query_one(MessageLine).warn(message)

    def _done(self, kind: str, number: str, text: str) -> None:
        self._busy = False
        self.draft.reset()
        self._load()
        self._show_all()
        self.query_one(MessageLine).say(text + " " + _("F2 send, F3 receive."))
        self.post_message(StockChanged(kind, number))

    def action_back(self) -> None:
        self.dismiss()
