"""The Sale screen: scan, adjust, discount, take payment, print the receipt, ask for a sync.

The per-scan path stays on the UI thread because it is two indexed lookups (barcode, price) and a
table row (well under a millisecond); finishing a sale, parking and PIN checks run in workers.

The receipt goes to this terminal's printer (``app.printing``) from the same worker that wrote the
sale; only when printing is not configured or fails is it saved as a text file, so it is never lost.
A product changed at head office while it is on the open sale keeps its scanned price: the screen
says so and the change goes on the "needs attention" list.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from models import attention, parked
from models.catalog import Product, current_price, link_barcode
from models.db import db
from models.errors import DomainError
from models.money import Money
from models.ops.selling import Payment, SaleLine, sell, totals
from models.people import User

from .. import services
from ..dialogs.confirm import ConfirmDialog
from ..dialogs.pick import PickDialog
from ..dialogs.product_search import ProductSearchDialog
from ..dialogs.quantity import NumberDialog
from ..dialogs.supervisor_pin import SupervisorPinDialog
from ..dialogs.tender import TenderDialog
from ..guard import explain
from ..i18n import _, babel_locale, language
from ..messages import SaleFinished
from ..widgets.key_bar import KeyBar
from ..widgets.message_line import MessageLine
from ..widgets.sale_lines import SaleLinesTable
from ..widgets.scan_input import ScanInput
from ..widgets.status_bar import StatusBar
from ..widgets.totals import TotalsPanel
from .base import LinesScreen
from .sale_approvals import SaleApprovals


class SaleScreen(SaleApprovals, LinesScreen):
    FIRST_FOCUS = "#scan"
    LINES = "#lines"
    CSS_PATH = Path(__file__).parent.parent / "styles" / "sale.tcss"
    BINDINGS = [
        Binding("escape", "app.home", "Home"),
        Binding("f3", "quantity", "Quantity"),
        Binding("f4", "line_discount", "Line disc."),
        Binding("f5", "order_discount", "Order disc."),
        Binding("f6", "park", "Park"),
        Binding("f7", "resume", "Resume"),
        Binding("f8", "find", "Find / link"),
        Binding("f9", "void", "Void"),
        Binding("f10", "pay", "Pay"),
        Binding("ctrl+r", "remove", "Remove line"),
        Binding("f11", "reprint", "Reprint receipt"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[SaleLine] = []
        self.order_discount: Money | None = None
        self.approver: User | None = None
        self.approved_pct: Decimal | None = None  # the share of the sale the approver saw
        self.quantity_approver: User | None = None  # who approved a line above the large-line limit
        self.last_unknown = ""
        self.busy = False
        self.changed_skus: set[str] = set()  # changed at head office while on this sale

    # --- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Horizontal(id="sale-body"):
            with Vertical(id="sale-main"):
                yield ScanInput(placeholder=_("Scan or type a code (3* before it for three)"), id="scan",
                                fnc1_standin=self.app.fnc1_standin,  # type: ignore[attr-defined]
                                variable_measure=self.app.variable_measure)  # type: ignore[attr-defined]
                yield SaleLinesTable(id="lines")
                yield MessageLine("", id="sale-message")
            with Vertical(id="sale-side"):
                yield TotalsPanel(id="totals")
                yield Label("", id="sale-last")
                yield Label("", id="sale-notice")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_totals()

    @property
    def actor(self):  # noqa: ANN201 - Actor, from the app
        return self.app.actor  # type: ignore[attr-defined]

    @property
    def currency(self) -> str:
        return self.actor.location.currency

    @property
    def table(self) -> SaleLinesTable:
        return self.query_one("#lines", SaleLinesTable)

    # --- messages to the clerk ----------------------------------------------------------------

    def say(self, text: str) -> None:
        self.query_one("#sale-message", MessageLine).say(text)

    def refuse(self, text: str) -> None:
        """A refused scan or action: nothing changed; the clerk sees why and hears the bell."""
        self.query_one("#sale-message", MessageLine).warn(text)

    # --- scanning (the hot path) ---------------------------------------------------------------

    @on(ScanInput.Scanned, "#scan")
    def _scanned(self, event: ScanInput.Scanned) -> None:
        if event.error or event.scan is None:
            self.refuse(event.error or _("Nothing read: scan again."))
            return
        try:
            line = services.line_from_scan(event.scan, self.currency)
        except services.UnknownCode as exc:
            self.last_unknown = exc.code
            self.refuse(_("Unknown code {code}. F8: find the product (a supervisor can link the code).").format(
                code=exc.code))
            return
        except DomainError as exc:
            self.refuse(explain(exc))
            return
        self.add_line(line)

    def add_line(self, line: SaleLine) -> None:
        """Add a scanned line (or add to the same item's line). A line that would pass the large-line
        limit waits for a supervisor: refused, nothing changes."""
        same = next((existing for existing in self.lines if services.same_item(existing, line)), None)
        total = line.quantity + (same.quantity if same else 0)
        if self._large(line.product.sku, total, lambda: self.add_line(line)):
            return
        for position, existing in enumerate(self.lines, 1):
            if services.same_item(existing, line):
                existing.quantity = existing.product.quantity(existing.quantity + line.quantity)
                self.table.update_line(position, existing)
                break
        else:
            self.lines.append(line)
            position = len(self.lines)
            self.table.append_line(position, line)
        self.last_unknown = ""
        self.say(f"{line.product.display_name(language())}  {services.qty_text(line.quantity)} × "
                 f"{line.unit_price.format(babel_locale())}")
        self._show_totals()

    def _show_totals(self) -> None:
        panel = self.query_one("#totals", TotalsPanel)
        currency = self.actor.location.currency if self.actor else "EUR"
        panel.items = len(self.lines)
        panel.totals = totals(self.lines, self.order_discount, currency) if self.lines else None

    def _redraw(self) -> None:
        self.table.show_lines(self.lines)
        self._show_totals()

    def _selected(self) -> tuple[int, SaleLine] | None:
        position = self.table.selected_position
        if position is None or not self.lines:
            self.refuse(_("No line to change: scan an item first."))
            return None
        return position, self.lines[position - 1]

    # --- changing lines ------------------------------------------------------------------------

    def action_quantity(self) -> None:
        picked = self._selected()
        if picked is None:
            return
        position, line = picked

        def parse(text: str) -> Decimal:
            qty = line.product.quantity(Decimal(text.strip().replace(",", ".")))
            if qty <= 0:
                raise ValueError(_("A quantity must be more than zero; use Ctrl+R to remove the line."))
            return qty

        def done(qty: Decimal | None) -> None:
            if qty is not None and not self._large(line.product.sku, qty, lambda: done(qty)):
                if line.discount:  # a line discount stays the share of the line it was
                    line.discount = line.discount.scaled(qty / line.quantity)
                line.quantity = qty
                self.table.update_line(position, line)
                self._show_totals()
                self.say(_("Quantity changed."))
                self._recheck_discount()

        self.app.push_screen(NumberDialog(_("Quantity"), line.product.display_name(language()), parse,
                                          services.qty_text(line.quantity)), done)

    def action_remove(self) -> None:
        picked = self._selected()
        if picked is None:
            return
        position, line = picked
        del self.lines[position - 1]
        if not self.lines:
            self.order_discount = None
        self._redraw()
        self.say(_("Removed {name}.").format(name=line.product.display_name(language())))
        self._recheck_discount()

    # --- unknown codes, search -----------------------------------------------------------------

    def action_find(self) -> None:
        code = self.last_unknown
        title = (_("Which product is code {code}?").format(code=code) if code
                 else _("Find a product to sell"))

        def chosen(product: Product | None) -> None:
            if product is None:
                return
            if code:
                self._link(product, code)
            else:
                self._add_product(product)

        self.app.push_screen(ProductSearchDialog(title), chosen)

    def _link(self, product: Product, code: str) -> None:
        def approved(user: User | None) -> None:
            if user is None:
                self.refuse(_("Code {code} not linked.").format(code=code))
                return
            try:
                link_barcode(product, code, user)
            except DomainError as exc:
                self.refuse(explain(exc))
                return
            self.say(_("Code {code} now names {sku}.").format(code=code, sku=product.sku))
            self._add_product(product)

        reason = _("Link code {code} to {sku} {name}").format(code=code, sku=product.sku,
                                                               name=product.display_name(language()))
        self.app.push_screen(SupervisorPinDialog(reason), approved)

    def _add_product(self, product: Product) -> None:
        try:
            price = current_price(product, self.currency)
        except DomainError as exc:
            self.refuse(explain(exc))
            return
        self.add_line(SaleLine(product=product, quantity=product.quantity(1), unit_price=price))

    # --- park, resume, void -------------------------------------------------------------------

    def park_open_work(self) -> bool:
        """Put an open sale on disk (called on logout and quit too). True if something was parked."""
        if not self.lines:
            return False
        parked.park(self.actor, self.lines, order_discount=self.order_discount)
        self._clear()
        return True

    def action_park(self) -> None:
        if not self.lines:
            self.refuse(_("The sale has no lines: there is nothing to park."))
            return
        self.park_open_work()
        self.say(_("Sale parked. F7 brings it back."))

    def action_resume(self) -> None:
        rows = parked.parked_sales(self.actor.terminal.code)
        if not rows:
            self.refuse(_("No parked sales on this terminal."))
            return
        options = [(str(r.id), f"{r.parked_at:%H:%M}  {r.user}  {r.label}") for r in rows]

        def chosen(key: str | None) -> None:
            if key is None:
                return
            if self.lines:  # swap: the open sale goes to the shelf the other came from
                self.park_open_work()
            try:
                back = parked.resume(int(key))
            except DomainError as exc:
                self.refuse(explain(exc))
                return
            self.lines = back.lines
            self.order_discount = back.order_discount
            self._redraw()
            self.say(_("Parked sale resumed."))

        self.app.push_screen(PickDialog(_("Resume a parked sale"), options), chosen)

    def action_void(self) -> None:
        if not self.lines:
            self.refuse(_("The sale has no lines."))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._clear()
                self.say(_("Sale voided."))

        self.app.push_screen(ConfirmDialog(_("Void this sale of {n} lines?").format(n=len(self.lines))), answered)

    def _clear(self) -> None:
        self.lines = []
        self.order_discount = None
        self.approver = None
        self.approved_pct = None
        self.quantity_approver = None
        self.last_unknown = ""
        self._set_notice(set())
        self._redraw()

    # --- head office changed a product on this sale -------------------------------------------

    def products_changed(self, skus: list[str]) -> None:
        """Called by the app after a pull: lines keep their scanned price; the change is put on record."""
        on_sale = {line.product.sku: line for line in self.lines}
        hit = [sku for sku in skus if sku in on_sale and sku not in self.changed_skus]
        if not hit:
            return
        # Stored in English like every other attention message: it is a record, not a screen text.
        terminal = self.actor.terminal.code if self.actor else ""
        notes = [(sku, f"{sku} changed at head office while it was on an open sale at {terminal}; "
                       f"the sale kept {on_sale[sku].unit_price.format('en')}, the price when it was scanned.")
                 for sku in hit]
        self._set_notice(self.changed_skus | set(hit))
        self._record_changes(notes)

    def _set_notice(self, skus: set[str]) -> None:
        self.changed_skus = skus
        notice = self.query_one("#sale-notice", Label)
        notice.display = bool(skus)
        notice.update(_("Changed at head office: {skus}. This sale keeps the scanned prices.").format(
            skus=", ".join(sorted(skus))) if skus else "")

    @work(thread=True, group="sale-notes")
    def _record_changes(self, notes: list[tuple[str, str]]) -> None:
        with db.connection_context(), db.atomic():
            for sku, message in notes:
                attention.add(attention.PRODUCT_CHANGED, sku, message)
        self.app.call_from_thread(self.app.refresh_status)  # type: ignore[attr-defined]

    # --- receipts -------------------------------------------------------------------------------

    def action_reprint(self) -> None:
        printing = self.app.printing  # type: ignore[attr-defined]
        if not printing.configured:
            self.refuse(_("No printer is configured on this terminal: the receipt is saved as a file."))
            return
        self.say(_("Reprinting the last receipt..."))
        self._reprint()

    @work(thread=True, exclusive=True, group="sale-print")
    def _reprint(self) -> None:
        try:
            job = self.app.printing.reprint_last_receipt()  # type: ignore[attr-defined]
        except Exception as exc:  # a printer's failures are many: the clerk sees one line
            self.app.call_from_thread(self.refuse, _("Reprint failed: {error}").format(error=exc))
        else:
            self.app.call_from_thread(self.say, _("Receipt sent to the printer again (job {job}).").format(job=job))

    def _print_receipt(self, order) -> str:  # noqa: ANN001 - an Order, inside the worker's connection
        """Print the receipt, or save it as text when there is no printer or printing fails."""
        printing = self.app.printing  # type: ignore[attr-defined]
        if printing.configured:
            try:
                job = printing.print_receipt(order, language())
            except Exception as exc:  # never lose a receipt over a printer
                path = services.save_receipt(order, self.app.receipts_dir, language())  # type: ignore[attr-defined]
                return _("printing failed ({error}); saved as {path}").format(error=exc, path=path)
            return _("sent to the printer (job {job})").format(job=job)
        return str(services.save_receipt(order, self.app.receipts_dir, language()))  # type: ignore[attr-defined]

    # --- paying --------------------------------------------------------------------------------

    def action_pay(self) -> None:
        if not self.lines:
            self.refuse(_("The sale has no lines: scan an item first."))
            return
        if self.busy:
            return
        due = totals(self.lines, self.order_discount, self.currency).total

        def paid(payments: list[Payment] | None) -> None:
            if payments:
                self.busy = True
                self._finish(list(self.lines), payments)

        self.app.push_screen(TenderDialog(due), paid)

    @work(thread=True, exclusive=True, group="sale")
    def _finish(self, lines: list[SaleLine], payments: list[Payment]) -> None:
        try:
            with db.connection_context():
                order = sell(self.actor, lines, payments, order_discount=self.order_discount,
                             approver=self.approver, approved_pct=self.approved_pct,
                             large_line=getattr(self.app, "large_line", None), quantity_approver=self.quantity_approver)
                change = sum((t.change for t in order.tenders), Decimal(0))
        except Exception as exc:  # a refusal, or a fault (logged): the open sale stays on the screen
            self.app.call_from_thread(self._not_finished, explain(exc))
            return
        # The sale is written: from here on nothing may undo it, the receipt only goes somewhere.
        with db.connection_context():
            receipt = self._print_receipt(order)
        self.app.call_from_thread(self._finished, order.number, receipt, Money(change, order.currency))

    def _not_finished(self, message: str) -> None:
        self.busy = False
        self.refuse(message)

    def _finished(self, number: str, receipt: str, change: Money) -> None:
        self.busy = False
        self._clear()
        text = _("Sale {number} done.").format(number=number)
        if change.amount:
            text += " " + _("Change: {change}").format(change=change.format(babel_locale()))
        self.say(text)
        self.query_one("#sale-last", Label).update(
            _("Last sale {number}").format(number=number) + "\n" + _("Receipt: {path}").format(path=receipt))
        self.post_message(SaleFinished(number, receipt))
        self.app.request_sync()  # type: ignore[attr-defined]
        self.app.refresh_status()  # type: ignore[attr-defined]
