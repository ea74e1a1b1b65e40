"""Stock count: a bin, a category or a list; scan to count; recount big variances; a supervisor posts.

The count document lives in the database from the first step (`start_count`), so leaving with Esc,
or even closing the app, loses nothing: the next visit offers to resume it. Blind counts never
show the expected quantity or the variance, only which lines must be counted again.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label

from models.catalog import Product
from models.context import Actor
from models.db import db
from models.errors import DomainError
from models.lookup import categories, open_counts
from models.ops.counting import (
    DEFAULT_RECOUNT_THRESHOLD,
    count_line,
    count_lines,
    needs_recount,
    post_count,
    products_in_bin,
    products_in_category,
    recount,
    start_count,
)
from models.people import User
from models.stock_docs import StockCount, StockCountLine
from tui.dialogs.fields import Field, FieldsDialog
from tui.dialogs.pick import PickDialog
from tui.dialogs.supervisor_pin import SupervisorPinDialog
from tui.guard import explain
from tui.i18n import _, language
from tui.messages import StockChanged
from tui.widgets.key_bar import KeyBar
from tui.widgets.lines_table import Column, LinesTable
from tui.widgets.message_line import MessageLine
from tui.widgets.scan_input import ScanInput
from tui.widgets.stock_format import qty
from tui.widgets.stock_screen import StockScreen

BIN, CATEGORY, LIST = "bin", "category", "list"


def scope_label(scope: str) -> str:
    """What a count covers ("bin A-01", "category Dairy", "list" as stored) in the screen's language."""
    kind, _sep, value = scope.partition(" ")
    if kind == BIN:
        return _("bin {b}").format(b=value)
    if kind == CATEGORY:
        return _("category {c}").format(c=value)
    return _("list") if scope == LIST else scope
HIDDEN = "***"


class CountScreen(StockScreen):
    FIRST_FOCUS = "#count-scan"
    LINES = "#count-lines"
    CSS_PATH = "../styles/count.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back (the count stays open)"),
        Binding("f2", "start", "Start or resume a count"),
        Binding("f6", "toggle_blind", "Blind on/off (before starting)"),
        Binding("f7", "recount", "Recount the selected line"),
        Binding("f10", "finish", "Check variances, then post"),
    ]

    def __init__(self, actor: Actor | None = None, *, lang: str | None = None, blind: bool = True,
                 threshold: Decimal = DEFAULT_RECOUNT_THRESHOLD) -> None:
        super().__init__(actor, lang=lang)
        self.blind = blind
        self.threshold = threshold
        self.count: StockCount | None = None
        self.list_pending = False  # a list count starts with its first scan
        self.flagged: set[int] = set()  # line ids to count again
        self._busy = False
        self._waiting: list[tuple[Product, Decimal]] = []
        # What the table shows, row by row: a scan updates its line here and in that one row, so
        # a count of hundreds of lines is neither read back nor redrawn per scan.
        self._lines: list[StockCountLine] = []
        self._resumable: dict[int, StockCount] = {}  # the open counts the picker offered

    def compose(self) -> ComposeResult:
        yield Label("", id="count-title")
        yield self.make_scan_input(_("Scan what you count (3* before a code for 3)"), id="count-scan")
        yield MessageLine("", id="count-message")
        yield LinesTable(self._columns(), id="count-lines")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_all()
        if self.count is None and not self.list_pending:
            self.action_start()

    # --- starting ---------------------------------------------------------------------------------

    def action_start(self) -> None:
        if self.count is not None:
            self.query_one(MessageLine).warn(_("Count {n} is open: finish it first (F10).").format(n=self.count.number))
            return
        self._resumable = {c.id: c for c in open_counts(self.actor.location)}
        choices = [(f"resume:{c.id}", _("Resume {n} ({scope})").format(n=c.number, scope=scope_label(c.scope)))
                   for c in self._resumable.values()]
        choices += [(BIN, _("Count a bin")), (CATEGORY, _("Count a category")),
                    (LIST, _("Count a list (scan the products)"))]
        self.app.push_screen(PickDialog(_("What to count"), choices), self._scope_chosen)

    def _scope_chosen(self, key: str | None) -> None:
        if key is None:
            return
        if key.startswith("resume:"):
            self.count = self._resumable[int(key.split(":", 1)[1])]
            self.blind = self.count.blind
            self._lines = count_lines(self.count)
            self._show_all()
            self.query_one(MessageLine).say(_("Resumed {n}.").format(n=self.count.number))
        elif key == BIN:
            self.app.push_screen(FieldsDialog(_("Count a bin"), [Field("bin", _("Bin code"), "A-01")],
                                              check=lambda v: None if v["bin"] else _("Type or scan the bin code.")),
                                 lambda values: values and self._start(BIN, values["bin"]))
        elif key == CATEGORY:
            zh = language() == "zh_CN"
            choices = [(c, c_zh if zh and c_zh else c) for c, c_zh in categories()]
            self.app.push_screen(PickDialog(_("Count a category"), choices, empty=_("No categories yet.")),
                                 lambda c: c and self._start(CATEGORY, c))
        else:
            self.list_pending = True
            self._show_title()
            self.query_one(MessageLine).say(_("Scan the first product to start the list count."))

    def _start(self, scope: str, value: str, first: tuple[Product, Decimal] | None = None) -> None:
        self._busy = True
        self._open_count(scope, value, first)

    @work(thread=True, exclusive=True, group="count-start")
    def _open_count(self, scope: str, value: str, first: tuple[Product, Decimal] | None) -> None:
        # A bin or category may hold many products, each needing its expected on-hand: off the UI thread.
        try:
            with db.connection_context():
                if scope == BIN:
                    products, label, bin_ = products_in_bin(self.actor, value), f"bin {value}", value
                elif scope == CATEGORY:
                    products, label, bin_ = products_in_category(value), f"category {value}", ""
                else:
                    products, label, bin_ = [first[0]], "list", ""
                count = start_count(self.actor, products, scope=label, blind=self.blind, bin=bin_)
                lines = count_lines(count)
        except Exception as exc:  # a refusal, or a fault (logged)
            self.app.call_from_thread(self._failed, explain(exc))
        else:
            self.app.call_from_thread(self._started, count, lines, first)

    def _started(self, count: StockCount, lines: list[StockCountLine],
                 first: tuple[Product, Decimal] | None) -> None:
        self._busy = False
        self.count, self.list_pending = count, False
        self.flagged.clear()
        self._lines = lines
        self._show_all()
        if first is not None:
            self._count(*first)
        waiting, self._waiting = self._waiting, []
        for product, quantity in waiting:
            self._count(product, quantity)
        if first is None:
            self.query_one(MessageLine).say(_("Count {n} started: scan the goods.").format(n=count.number))

    def action_toggle_blind(self) -> None:
        if self.count is not None:
            self.query_one(MessageLine).warn(_("Blind is chosen when the count starts."))
            return
        self.blind = not self.blind
        self._show_all()

    # --- counting ---------------------------------------------------------------------------------

    @on(ScanInput.Scanned, "#count-scan")
    def _scanned(self, event: ScanInput.Scanned) -> None:
        scanned = self.goods_scanned(event)
        if scanned is None:
            return
        scan, product, quantity = scanned
        if self.count is None:
            if self.list_pending and self._busy:
                self._waiting.append((product, quantity))  # scanned while the list count is being opened
            elif self.list_pending:
                self._start(LIST, "", (product, quantity))
            else:
                self.query_one(MessageLine).warn(_("Start a count first (F2)."))
            return
        self._count(product, quantity)

    def _count(self, product: Product, quantity: Decimal) -> None:
        assert self.count is not None
        try:
            line = count_line(self.count, product, quantity)
        except DomainError as exc:
            self.query_one(MessageLine).warn(explain(exc))
            return
        self.flagged.discard(line.id)
        self._show_line(line)
        self.query_one(MessageLine).say(_("{sku}: counted {q}").format(sku=product.sku, q=qty(line.counted)))

    def action_recount(self) -> None:
        line = self._selected_line()
        if line is None:
            self.query_one(MessageLine).warn(_("Select a counted line first (arrows in the list)."))
            return

        def check(values: dict[str, str]) -> str | None:
            try:
                line.product.quantity(Decimal(values["qty"].replace(",", ".")))
            except (InvalidOperation, DomainError) as exc:
                return explain(exc) if isinstance(exc, DomainError) else _("Type a number, e.g. 12.")
            return None

        def done(values: dict[str, str] | None) -> None:
            if values is None:
                return
            try:
                recount(line, Decimal(values["qty"].replace(",", ".")))
            except DomainError as exc:
                self.query_one(MessageLine).warn(explain(exc))
                return
            self.flagged.discard(line.id)
            self._show_line(line)
            self.query_one(MessageLine).say(_("{sku}: recounted {q}").format(sku=line.product.sku,
                                                                          q=qty(line.counted)))

        self.app.push_screen(FieldsDialog(
            _("Recount {sku}").format(sku=line.product.sku),
            [Field("qty", _("Quantity counted again"))],
            note=line.product.display_name(self.lang), check=check), done)

    def _selected_line(self) -> StockCountLine | None:
        table = self.query_one("#count-lines", LinesTable)
        if self.count is None or not table.row_count:
            return None
        return self._lines[table.cursor_row]

    # --- the table --------------------------------------------------------------------------------

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows, one tuple of cell texts per line."""
        table = self.query_one("#count-lines", LinesTable)
        return [table.row_text(row) for row in range(table.row_count)]

    def _columns(self) -> list[Column]:
        """Expected and variance only when the count is not blind."""
        numbers = (_("Counted"),) if self.blind else (_("Expected"), _("Counted"), _("Var."))
        return [Column(_("SKU")), Column(_("Name"), flex=True, min_width=8),
                *(Column(label, justify="right") for label in numbers), Column(_("State"))]

    def _cells(self, line: StockCountLine) -> tuple[str, ...]:
        state = _("recount") if line.id in self.flagged else (_("recounted") if line.recounts else "")
        cells = [line.product.sku, line.product.display_name(self.lang)]
        if not self.blind:
            variance = (line.counted - line.expected if line.counted is not None and line.expected is not None
                        else None)
            cells += [qty(line.expected), qty(line.counted), qty(variance) if variance is not None else "-"]
        else:
            cells += [qty(line.counted)]
        return (*cells, state)

    def _show_line(self, line: StockCountLine) -> None:
        """One line changed or joined the count: that row only, with the cursor on it."""
        row = self.query_one("#count-lines", LinesTable).put_row(line.id, *self._cells(line))
        if row == len(self._lines):
            self._lines.append(line)
        else:
            self._lines[row] = line

    def _show_all(self) -> None:
        """After a change to the whole count (started, resumed, flagged, posted, blind switched)."""
        if self.count is None:
            self._lines = []
        self._show_title()
        table = self.query_one("#count-lines", LinesTable)
        table.set_columns(self._columns())
        table.set_rows([self._cells(line) for line in self._lines], keys=[line.id for line in self._lines])

    def _show_title(self) -> None:
        if self.count is not None:
            title = _("Count {n} - {scope}").format(n=self.count.number, scope=scope_label(self.count.scope))
        elif self.list_pending:
            title = _("Count - list: scan the first product")
        else:
            title = _("Count - choose what to count (F2)")
        mode = _("blind") if self.blind else _("open: expected shown")
        self.query_one("#count-title", Label).update(f"{title} ({mode}) - {self.actor.location.code}")

    # --- finishing --------------------------------------------------------------------------------

    def action_finish(self) -> None:
        if self.count is None or self._busy:
            self.query_one(MessageLine).warn(_("No count open: F2 starts one."))
            return
        pending = needs_recount(self.count, self.threshold)
        if pending:
            self.flagged = {line.id for line in pending}
            self._show_all()
            skus = ", ".join(line.product.sku for line in pending[:5])
            self.query_one(MessageLine).warn(_("Count again: {skus} (F7 on each line).").format(skus=skus))
            return
        counted = sum(1 for line in self._lines if line.counted is not None)
        if not counted:
            self.query_one(MessageLine).warn(_("Nothing counted yet: scan the goods first."))
            return
        reason = _("Post count {n}: {k} lines counted.").format(n=self.count.number, k=counted)
        self.app.push_screen(SupervisorPinDialog(reason), self._approved)

    def _approved(self, approver: User | None) -> None:
        if approver is None:
            self.query_one(MessageLine).warn(_("Not posted: a supervisor must approve the count."))
            return
        self._busy = True
        self.query_one(MessageLine).say(_("Posting..."))
        self._post(approver)

    @work(thread=True, exclusive=True, group="count-post")
    def _post(self, approver: User) -> None:
        assert self.count is not None
        try:
            with db.connection_context():
                events = post_count(self.actor, self.count, approver, self.threshold)
        except Exception as exc:  # a refusal, or a fault (logged): the count stays open
            self.app.call_from_thread(self._failed, explain(exc))
        else:
            self.app.call_from_thread(self._posted, len(events))

    def _posted(self, n_events: int) -> None:
        assert self.count is not None
        number = self.count.number
        self._busy = False
        self.count = None
        self.flagged.clear()
        self._show_all()
        self.query_one(MessageLine).say(_("Count {n} posted: {k} lines. F2 starts the next.").format(n=number,
                                                                                                  k=n_events))
        self.post_message(StockChanged("count", number))

    def _failed(self, message: str) -> None:
        self._busy = False
        self._waiting.clear()
        self.query_one(MessageLine).warn(message)

    def action_back(self) -> None:
        self.dismiss()
