"""Return / exchange: scan the receipt (its Code 128 order number) or find the sale, choose lines
with a reason and a condition, refund, or swap for new goods (an exchange is one transaction)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from models.db import db
from models.errors import DomainError
from models.money import Money
from models.ops.returning import WRITE_OFF, ReturnLine, exchange, refund_value, return_goods, returnable
from models.ops.selling import Payment, SaleLine, totals
from models.orders import SALE_ORDER, Order, OrderLine, order_by_number, order_lines, recent_sales

from .. import services
from ..dialogs.pick import PickDialog
from ..dialogs.return_line import ReturnChoice, ReturnLineDialog
from ..dialogs.tender import TenderDialog
from ..guard import explain
from ..i18n import _, babel_locale, language
from ..widgets.key_bar import KeyBar
from ..widgets.lines_table import Column, LinesTable
from ..widgets.sale_lines import SaleLinesTable
from ..widgets.scan_input import ScanInput
from ..widgets.status_bar import StatusBar
from .base import LinesScreen


@dataclass
class Pick:
    line: OrderLine
    left: Decimal
    choice: ReturnChoice | None = None


class ReturnsScreen(LinesScreen):
    FIRST_FOCUS = "#returns-scan"
    LINES = "#returns-lines"
    CSS_PATH = Path(__file__).parent.parent / "styles" / "returns.tcss"
    BINDINGS = [
        Binding("escape", "app.home", "Home"),
        Binding("f3", "choose_line", "Return line"),
        Binding("f6", "exchange", "Exchange"),
        Binding("f8", "find_sale", "Find sale"),
        Binding("f9", "clear", "Clear"),
        Binding("f10", "finish", "Refund / finish"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.original: Order | None = None
        self.picks: list[Pick] = []
        self.new_lines: list[SaleLine] = []
        self.exchanging = False
        self.busy = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ScanInput(placeholder=_("Scan the receipt number (S-...) or an item"), id="returns-scan",
                        fnc1_standin=self.app.fnc1_standin,  # type: ignore[attr-defined]
                        variable_measure=self.app.variable_measure)  # type: ignore[attr-defined]
        yield Label(_("No sale chosen: scan the receipt or press F8."), id="returns-head")
        yield LinesTable([Column("#", justify="right", min_width=2), Column(_("Item"), flex=True, min_width=8),
                          Column(_("Sold"), justify="right"), Column(_("Can return"), justify="right"),
                          Column(_("Return"), justify="right"), Column(_("Reason"))], id="returns-lines")
        yield SaleLinesTable(id="exchange-lines")
        yield Label("", id="returns-message")
        yield KeyBar()

    @property
    def actor(self):  # noqa: ANN201 - Actor, from the app
        return self.app.actor  # type: ignore[attr-defined]

    # --- messages --------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        label = self.query_one("#returns-message", Label)
        label.remove_class("-error")
        label.update(text)

    def refuse(self, text: str) -> None:
        self.app.bell()
        label = self.query_one("#returns-message", Label)
        label.add_class("-error")
        label.update(text)

    # --- choosing the sale ----------------------------------------------------------------------

    @on(ScanInput.Scanned, "#returns-scan")
    def _scanned(self, event: ScanInput.Scanned) -> None:
        if event.error or event.scan is None:
            self.refuse(event.error or _("Nothing read: scan again."))
            return
        order = order_by_number(event.scan.data) if event.scan.kind == "text" else None
        if order is not None:
            self.load(order)
            return
        if self.original is None:
            self.refuse(_("No sale {number} here: scan the receipt's barcode or press F8.").format(
                number=event.scan.data))
            return
        try:
            line = services.line_from_scan(event.scan, self.original.currency)
        except DomainError as exc:
            self.refuse(explain(exc))
            return
        if self.exchanging:
            self.new_lines.append(line)
            self.query_one("#exchange-lines", SaleLinesTable).show_lines(self.new_lines)
            self._show_balance()
            return
        for index, pick in enumerate(self.picks):
            if pick.line.product_id == line.product.id and pick.left > 0:
                self.query_one("#returns-lines", LinesTable).move_cursor(index)
                self.action_choose_line()
                return
        self.refuse(_("{sku} is not on {number} (or all of it came back already).").format(
            sku=line.product.sku, number=self.original.number))

    def load(self, order: Order) -> None:
        if order.kind != SALE_ORDER:
            self.refuse(_("{number} is not a sale: scan the sale's receipt.").format(number=order.number))
            return
        self.original = order
        self.picks = [Pick(line, returnable(line)) for line in order_lines(order)]
        self.new_lines = []
        self._redraw()
        self.say(_("Choose the lines coming back: select one and press F3."))

    def action_find_sale(self) -> None:
        orders = recent_sales(self.actor.location)
        options = [(o.number, f"{o.number}  {o.created_at:%Y-%m-%d %H:%M}  {o.total:.2f} {o.currency}")
                   for o in orders]

        def chosen(number: str | None) -> None:
            if number:
                order = order_by_number(number)
                if order is not None:
                    self.load(order)

        self.app.push_screen(PickDialog(_("Recent sales"), options), chosen)

    # --- lines -----------------------------------------------------------------------------------

    def _redraw(self) -> None:
        """After the sale changed (chosen, cleared): the head and every line."""
        order = self.original
        head = self.query_one("#returns-head", Label)
        table = self.query_one("#returns-lines", LinesTable)
        if order is None:
            head.update(_("No sale chosen: scan the receipt or press F8."))
            table.set_rows([])
            return
        head.update(f"{order.number}  {order.created_at:%Y-%m-%d}  {_('Total')} "
                    f"{order.money(order.total).format(babel_locale())}")
        table.set_rows([self._cells(position, pick) for position, pick in enumerate(self.picks, 1)])
        table.move_cursor(0)
        self._show_balance()

    @staticmethod
    def _cells(position: int, pick: Pick) -> tuple[str, ...]:
        back = services.qty_text(pick.choice.quantity) if pick.choice else ""
        why = ""
        if pick.choice:
            why = _(pick.choice.reason) + (" · " + _("Write off") if pick.choice.condition == WRITE_OFF else "")
        return (str(position), pick.line.product.display_name(language()), services.qty_text(pick.line.quantity),
                services.qty_text(pick.left), back, why)

    def action_choose_line(self) -> None:
        table = self.query_one("#returns-lines", LinesTable)
        if self.original is None or not table.row_count:
            self.refuse(_("No sale chosen: scan the receipt or press F8."))
            return
        row = table.cursor_row
        pick = self.picks[row]
        if pick.left <= 0:
            self.refuse(_("All of {sku} came back already.").format(sku=pick.line.sku))
            return

        def chosen(choice: ReturnChoice | None) -> None:
            if choice is not None:
                pick.choice = choice
                table.update_row(row, *self._cells(row + 1, pick))
                self._show_balance()

        self.app.push_screen(ReturnLineDialog(pick.line.product.display_name(language()), pick.left), chosen)

    def _returns(self) -> list[ReturnLine]:
        return [ReturnLine(p.line, p.choice.quantity, p.choice.reason, p.choice.condition)
                for p in self.picks if p.choice]

    def _credit(self) -> Money:
        assert self.original is not None
        amount = sum((refund_value(r.original_line, r.quantity) for r in self._returns()), Decimal(0))
        return Money(amount, self.original.currency)

    def _show_balance(self) -> None:
        if self.original is None:
            return
        loc = babel_locale()
        text = _("Refund: {amount}").format(amount=self._credit().format(loc))
        if self.exchanging:
            new_total = totals(self.new_lines, None, self.original.currency).total
            text += "  ·  " + _("New goods: {amount}").format(amount=new_total.format(loc))
        self.say(text)

    def action_exchange(self) -> None:
        if self.original is None:
            self.refuse(_("No sale chosen: scan the receipt or press F8."))
            return
        self.exchanging = not self.exchanging
        self.set_class(self.exchanging, "-exchange")
        if self.exchanging:
            self.say(_("Exchange: scan the new goods, then F10."))
        else:
            self.new_lines = []
            self.query_one("#exchange-lines", SaleLinesTable).show_lines([])
            self._show_balance()

    def action_clear(self) -> None:
        self.original = None
        self.picks = []
        self.new_lines = []
        self.exchanging = False
        self.remove_class("-exchange")
        self.query_one("#exchange-lines", SaleLinesTable).show_lines([])
        self._redraw()
        self.say("")

    # --- finishing -------------------------------------------------------------------------------

    def action_finish(self) -> None:
        returns = self._returns()
        if self.original is None or not returns:
            self.refuse(_("Choose at least one line to return (F3)."))
            return
        if self.busy:
            return
        original = self.original
        credit = self._credit()
        if self.exchanging and self.new_lines:
            due = totals(self.new_lines, None, original.currency).total - credit
            if due.amount <= 0:
                self._run(original, returns, [], list(self.new_lines))
                return
            self.app.push_screen(TenderDialog(due), lambda pays: pays and self._run(
                original, returns, pays, list(self.new_lines)))
            return
        self.app.push_screen(TenderDialog(credit, refund=True),
                             lambda pays: pays and self._run(original, returns, pays, None))

    def _run(self, original: Order, returns: list[ReturnLine], payments: list[Payment],
             new_lines: list[SaleLine] | None) -> None:
        self.busy = True
        self._write(original, returns, payments, new_lines)

    @work(thread=True, exclusive=True, group="returns")
    def _write(self, original: Order, returns: list[ReturnLine], payments: list[Payment],
               new_lines: list[SaleLine] | None) -> None:
        try:
            with db.connection_context():
                if new_lines is None:
                    ret = return_goods(self.actor, original, returns, payments)
                    numbers = [ret.number]
                else:
                    ret, sale = exchange(self.actor, original, returns, new_lines, payments)
                    numbers = [ret.number, sale.number]
                    services.save_receipt(sale, self.app.receipts_dir, language())  # type: ignore[attr-defined]
                services.save_receipt(ret, self.app.receipts_dir, language())  # type: ignore[attr-defined]
        except Exception as exc:  # a refusal, or a fault (logged): the return stays on the screen
            self.app.call_from_thread(self._failed, explain(exc))
        else:
            self.app.call_from_thread(self._done, numbers)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.refuse(message)

    def _done(self, numbers: list[str]) -> None:
        self.busy = False
        self.action_clear()
        self.say(_("Done: {numbers}.").format(numbers=", ".join(numbers)))
        self.app.refresh_status()  # type: ignore[attr-defined]
