"""Goods intake: receive against an expected delivery or blind, scan by scan, then book it in.

The work in progress lives in an `IntakeDraft` that the app passes in (attributes down): leaving
with Esc keeps it, and a new IntakeScreen built with the same draft carries on where it stopped.
Booking in is one `receive_goods` call in a thread worker; an over-receipt beyond the tolerance
comes back as PermissionDenied and the screen asks a supervisor, then books in again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, Static

from models.catalog import Product
from models.context import Actor
from models.db import db
from models.errors import DomainError, PermissionDenied
from models.ops.receiving import DEFAULT_TOLERANCE_PCT, ReceivedLine, ReceivingResult, receive_goods
from models.people import User
from models.scan import Scan
from models.stock_docs import delivery_by_number, delivery_lines, open_deliveries
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.fields import Field, FieldsDialog
from tui.dialogs.pick import PickDialog
from tui.dialogs.supervisor_pin import SupervisorPinDialog
from tui.guard import explain
from tui.i18n import _
from tui.messages import StockChanged
from tui.widgets.key_bar import KeyBar
from tui.widgets.lines_table import Column, LinesTable
from tui.widgets.message_line import MessageLine
from tui.widgets.scan_input import ScanInput
from tui.widgets.stock_format import day, qty
from tui.widgets.stock_screen import StockScreen

BLIND = "blind"


@dataclass
class ExpectedLine:
    product: Product
    expected: Decimal  # still to come: ordered minus already received


@dataclass
class IntakeDraft:
    """An intake in progress; survives leaving the screen."""

    mode: str | None = None  # None until chosen, BLIND, or a delivery number
    delivery_id: int | None = None
    expected: list[ExpectedLine] = field(default_factory=list)
    lines: list[ReceivedLine] = field(default_factory=list)
    result: ReceivingResult | None = None
    booked: dict[str, Decimal] = field(default_factory=dict)  # sku -> quantity of the last booking

    def received(self, product: Product) -> Decimal:
        return sum((line.quantity for line in self.lines if line.product.id == product.id), Decimal(0))

    def add(self, product: Product, quantity: Decimal, lot: str, expiry: dt.date | None) -> None:
        for line in self.lines:
            if (line.product.id, line.lot, line.expiry) == (product.id, lot, expiry):
                line.quantity += quantity
                return
        self.lines.append(ReceivedLine(product, quantity, lot, expiry))

    def reset(self) -> None:
        self.mode, self.delivery_id, self.expected, self.lines = None, None, [], []


def parse_expiry(text: str) -> dt.date:
    """2027-12-31 or the label's YYMMDD (271231); DD 00 means the end of that month, as in GS1."""
    text = text.strip()
    if len(text) == 6 and text.isdigit():
        year, month, day_ = 2000 + int(text[:2]), int(text[2:4]), int(text[4:])
        if day_ == 0:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return dt.date(year, month, day_)
    return dt.date.fromisoformat(text)


class IntakeScreen(StockScreen):
    FIRST_FOCUS = "#intake-scan"
    LINES = "#intake-lines"
    CSS_PATH = "../styles/intake.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back (the intake is kept)"),
        Binding("f2", "choose_delivery", "Choose delivery or blind"),
        Binding("f8", "undo", "Remove the last scan"),
        Binding("f10", "finish", "Book in what was received"),
        Binding("f5", "new_intake", "Start a new intake", show=False),
        Binding("f7", "print_labels", "Print labels for what was booked in"),
    ]

    def __init__(self, actor: Actor | None = None, *, draft: IntakeDraft | None = None,
                 tolerance_pct: Decimal = DEFAULT_TOLERANCE_PCT, lang: str | None = None) -> None:
        super().__init__(actor, lang=lang)
        self.draft = draft if draft is not None else IntakeDraft()
        self.tolerance_pct = tolerance_pct
        self._busy = False
        self._expected: dict[int, ExpectedLine] = {}  # product id -> what the delivery still brings

    def compose(self) -> ComposeResult:
        yield Label("", id="intake-title")
        yield self.make_scan_input(_("Scan goods (3* before a code for 3)"), id="intake-scan")
        yield MessageLine("", id="intake-message")
        yield LinesTable([Column(_("SKU")), Column(_("Name"), flex=True, min_width=8),
                          Column(_("Exp."), justify="right"), Column(_("Recv."), justify="right"),
                          Column(_("Lots")), Column(_("State"))], id="intake-lines")
        yield Static("", id="intake-summary")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_all()
        if self.draft.mode is None and self.draft.result is None:
            self.action_choose_delivery()

    # --- choosing what to receive against ---------------------------------------------------------

    def action_choose_delivery(self) -> None:
        if self.draft.lines:
            self.query_one(MessageLine).warn(_("Book in or remove the scanned lines before changing delivery."))
            return
        choices = [(d.number, f"{d.number}  {d.supplier}  {day(d.expected_at)}")
                   for d in open_deliveries(self.actor.location)]
        choices.append((BLIND, _("Blind receipt (no delivery note)")))
        self.app.push_screen(PickDialog(_("Receive against"), choices), self._delivery_chosen)

    def _delivery_chosen(self, key: str | None) -> None:
        if key is None:
            if self.draft.mode is None:
                self.query_one(MessageLine).say(_("F2 chooses a delivery; scanning without one is a blind receipt."))
            return
        if key == BLIND:
            self.draft.mode, self.draft.delivery_id, self.draft.expected = BLIND, None, []
        else:
            try:
                delivery = delivery_by_number(key)
            except DomainError as exc:
                self.query_one(MessageLine).warn(explain(exc))
                return
            self.draft.mode, self.draft.delivery_id = key, delivery.id
            self.draft.expected = [ExpectedLine(dl.product, dl.expected - dl.received)
                                   for dl in delivery_lines(delivery)]
        self.draft.result = None
        self._show_all()
        self.query_one(MessageLine).say(_("Scan the goods; F10 books them in."))

    # --- scanning ---------------------------------------------------------------------------------

    @on(ScanInput.Scanned, "#intake-scan")
    def _scanned(self, event: ScanInput.Scanned) -> None:
        scanned = self.goods_scanned(event)
        if scanned is None:
            return
        scan, product, quantity = scanned
        if self.draft.mode is None:
            self.draft.mode = BLIND
            self.draft.result = None
            self._show_all()  # the title says blind now, and the summary of the last booking goes
        missing_lot = product.track_lot and not scan.lot
        missing_expiry = product.track_expiry and scan.expiry is None
        if missing_lot or missing_expiry:
            self._ask_lot(product, quantity, scan)
            return
        self._add(product, quantity, scan.lot or "", scan.expiry)

    def _ask_lot(self, product: Product, quantity: Decimal, scan: Scan) -> None:
        fields = []
        if product.track_lot:
            fields.append(Field("lot", _("Lot number"), value=scan.lot or ""))
        if product.track_expiry:
            fields.append(Field("expiry", _("Expiry date"), placeholder="2027-12-31 / 271231",
                                value=scan.expiry.isoformat() if scan.expiry else ""))

        def check(values: dict[str, str]) -> str | None:
            if "lot" in values and not values["lot"]:
                return _("Type the lot number printed on the pack.")
            if "expiry" in values:
                try:
                    parse_expiry(values["expiry"])
                except ValueError:
                    return _("Type the expiry as 2027-12-31 or 271231.")
            return None

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                self.query_one(MessageLine).warn(_("{sku} not added: it needs its lot and expiry.")
                                                 .format(sku=product.sku))
                return
            expiry = parse_expiry(values["expiry"]) if values.get("expiry") else scan.expiry
            self._add(product, quantity, values.get("lot", scan.lot or ""), expiry)

        note = _("{sku} {name}: the label carries no lot/expiry.").format(
            sku=product.sku, name=product.display_name(self.lang))
        self.app.push_screen(FieldsDialog(_("Lot and expiry"), fields, note=note, check=check), done)

    def _add(self, product: Product, quantity: Decimal, lot: str, expiry: dt.date | None) -> None:
        self.draft.add(product, quantity, lot, expiry)
        self._show_product(product)
        extra = f" {_('lot')} {lot}" if lot else ""
        extra += f" {_('exp')} {day(expiry)}" if expiry else ""
        self.query_one(MessageLine).say(
            _("+{q} {sku} {name}").format(q=qty(quantity), sku=product.sku, name=product.display_name(self.lang))
            + extra)

    def action_undo(self) -> None:
        if not self.draft.lines:
            self.query_one(MessageLine).warn(_("Nothing scanned yet."))
            return
        line = self.draft.lines.pop()
        self._show_all()  # an extra product's row goes when its last scan does
        self.query_one(MessageLine).say(_("Removed {sku} x{q}").format(sku=line.product.sku, q=qty(line.quantity)))

    # --- the table --------------------------------------------------------------------------------

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows, one tuple of cell texts per product."""
        table = self.query_one("#intake-lines", LinesTable)
        return [table.row_text(row) for row in range(table.row_count)]

    def _cells(self, product: Product) -> tuple[str, str, str, str, str, str]:
        """A product's row: expected, received, lots, state."""
        got = self.draft.received(product)
        lots = ", ".join(f"{line.lot}x{qty(line.quantity)}" for line in self.draft.lines
                         if line.product.id == product.id and line.lot)
        name = product.display_name(self.lang)
        if product.id in self._expected:
            want = self._expected[product.id].expected
            limit = want * (1 + self.tolerance_pct / 100)
            state = (_("over") if got > limit else _("done") if got == want
                     else _("extra") if got > want else _("short") if got else "")
            return (product.sku, name, qty(want), qty(got), lots, state)
        state = _("extra") if self.draft.mode != BLIND else ""
        return (product.sku, name, "" if self.draft.mode == BLIND else "0", qty(got), lots, state)

    def _show_product(self, product: Product) -> None:
        """A scan changed one product: its row only (a new product's row goes at the end)."""
        self.query_one("#intake-lines", LinesTable).put_row(product.id, *self._cells(product))

    def _show_all(self) -> None:
        """Title, every row (expected products first, then the others as scanned) and the summary."""
        mode = self.draft.mode
        title = (_("Intake - choose a delivery (F2)") if mode is None
                 else _("Intake - blind receipt") if mode == BLIND
                 else _("Intake - delivery {n}").format(n=mode))
        self.query_one("#intake-title", Label).update(f"{title} - {self.actor.location.code}")
        self._expected = {e.product.id: e for e in self.draft.expected}
        products: dict[int, Product] = {}
        for product in [e.product for e in self.draft.expected] + [line.product for line in self.draft.lines]:
            products.setdefault(product.id, product)
        self.query_one("#intake-lines", LinesTable).set_rows([self._cells(p) for p in products.values()],
                                                             keys=list(products))
        self._show_summary(self.draft.result)

    # --- booking in -------------------------------------------------------------------------------

    def action_finish(self) -> None:
        if self._busy:
            return
        if not self.draft.lines:
            self.query_one(MessageLine).warn(_("Nothing received: scan the goods first."))
            return
        self._busy = True
        self.query_one(MessageLine).say(_("Booking in..."))
        self._book_in(None)

    @work(thread=True, exclusive=True, group="intake-book")
    def _book_in(self, approver: User | None) -> None:
        # Copies: the booking normalises what it is given, the draft stays as scanned until it succeeds.
        lines = [dataclasses.replace(line) for line in self.draft.lines]
        try:
            with db.connection_context():
                # Read again: the delivery may have been booked in since it was chosen.
                delivery = delivery_by_number(self.draft.mode) if self.draft.delivery_id and self.draft.mode else None
                result = receive_goods(self.actor, lines, delivery=delivery, tolerance_pct=self.tolerance_pct,
                                       approver=approver)
        except PermissionDenied as exc:
            self.app.call_from_thread(self._ask_supervisor, explain(exc), approver is not None)
        except Exception as exc:  # a refusal, or a fault (logged): the scans stay on the screen
            self.app.call_from_thread(self._failed, explain(exc))
        else:
            self.app.call_from_thread(self._booked, result)

    def _ask_supervisor(self, reason: str, already_asked: bool) -> None:
        if already_asked:
            self._failed(reason)
            return

        def approved(user: User | None) -> None:
            if user is None:
                self._failed(_("Not booked in: the over-receipt needs a supervisor. Remove the extra (F8) or ask one."))
                return
            self._book_in(user)

        self.app.push_screen(SupervisorPinDialog(reason), approved)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.query_one(MessageLine).warn(message)

    def _booked(self, result: ReceivingResult) -> None:
        self._busy = False
        booked: dict[str, Decimal] = {}
        for line in self.draft.lines:
            booked[line.product.sku] = booked.get(line.product.sku, Decimal(0)) + line.quantity
        self.draft.reset()
        self.draft.booked = booked
        self.draft.result = result
        self._show_all()
        self.query_one(MessageLine).say(
            _("Booked in as {ref}. F7 prints labels, F2 starts the next intake.").format(ref=result.reference))
        self.post_message(StockChanged("receipt", result.reference))

    def _show_summary(self, result: ReceivingResult | None) -> None:
        summary = self.query_one("#intake-summary", Static)
        if result is None:
            summary.update("")
            return
        if not result.discrepancies:
            summary.update(_("{ref}: everything as expected.").format(ref=result.reference))
            return
        parts = [_("{ref} discrepancies:").format(ref=result.reference)]
        for d in result.discrepancies:
            parts.append(_("{sku} expected {e}, received {r} ({d:+})").format(
                sku=d.sku, e=qty(d.expected), r=qty(d.received), d=d.difference.normalize()))
        summary.update("\n".join(parts))

    # --- labels for the goods booked in -----------------------------------------------------------

    def action_print_labels(self) -> None:
        """One product label per unit booked in; a big run asks first and is capped per product."""
        from tui.printing import LABELS_WITHOUT_ASKING, MAX_LABELS, label_requests

        message = self.query_one(MessageLine)
        printing = getattr(self.app, "printing", None)
        if not self.draft.booked:
            message.warn(_("Book goods in first (F10); then F7 prints their labels."))
            return
        if printing is None or not printing.configured:
            message.warn(_("No printer is configured on this terminal."))
            return
        requests = label_requests(self.draft.booked)
        capped = any(r.copies > MAX_LABELS for r in requests)
        for r in requests:
            r.copies = min(r.copies, MAX_LABELS)
        total = sum(r.copies for r in requests)

        def answered(yes: bool | None) -> None:
            if yes:
                message.say(_("Printing {n} labels...").format(n=total))
                self._print_labels(printing, requests, self.lang)

        if total > LABELS_WITHOUT_ASKING or capped:
            question = _("Print {n} labels for {k} products?").format(n=total, k=len(requests))
            if capped:
                question += " " + _("(at most {cap} per product)").format(cap=MAX_LABELS)
            self.app.push_screen(ConfirmDialog(question), answered)
        else:
            answered(True)

    @work(thread=True, group="intake-print")
    def _print_labels(self, printing, requests: list, lang: str) -> None:  # noqa: ANN001 - tui.printing.Printing
        try:
            with db.connection_context():
                jobs = printing.print_product_labels(requests, lang, self.actor.location.currency)
        except Exception as exc:  # a missing price, a printer error: one line, nothing half-printed
            self.app.call_from_thread(self.query_one(MessageLine).warn,
                                      _("Labels not printed: {error}").format(error=exc))
        else:
            total = sum(r.copies for r in requests)
            self.app.call_from_thread(self.query_one(MessageLine).say,
                                      _("{n} labels sent to the printer ({jobs} jobs).").format(n=total, jobs=len(jobs)))

    def action_new_intake(self) -> None:
        self.draft.result = None
        self.action_choose_delivery()

    def action_back(self) -> None:
        self.dismiss()
