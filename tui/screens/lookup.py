"""Product lookup: scan, SKU or name, incremental over the whole catalogue, with the stock picture.

Typing is debounced (150 ms); each query runs in a thread worker and `exclusive=True` cancels the
one before, so a slow answer to an old prefix never overwrites the answer to the new one (a
sequence number guards the callback too, since a thread cannot be stopped mid-query).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from models.catalog import Product
from models.context import Actor
from models.db import db
from models.lookup import ProductCard, find_products, product_card
from tui.i18n import _
from tui.messages import ProductChosen
from tui.widgets.key_bar import KeyBar
from tui.widgets.message_line import MessageLine
from tui.widgets.scan_input import ScanInput
from tui.widgets.stock_format import day, moment, qty, unit_label
from tui.widgets.stock_screen import StockScreen

DEBOUNCE_SECONDS = 0.15


class LookupScreen(StockScreen):
    FIRST_FOCUS = "#lookup-query"
    CSS_PATH = "../styles/lookup.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back (leave lookup)"),
        Binding("f2", "focus_query", "Search field"),
        Binding("down", "results", "Go to the results", show=False),
        Binding("f5", "choose", "Use this product"),
        Binding("f6", "shelf_label", "Print shelf label"),
    ]

    def __init__(self, actor: Actor | None = None, *, lang: str | None = None, limit: int = 50) -> None:
        super().__init__(actor, lang=lang)
        self.limit = limit
        self._debounce: Timer | None = None
        self._seq = 0
        self._products: dict[str, Product] = {}
        self.card: ProductCard | None = None
        self.last_query = ""

    def compose(self) -> ComposeResult:
        yield Label(_("Product lookup") + f" - {self.actor.location.code}", id="lookup-title")
        yield self.make_scan_input(_("Scan, or type SKU or name"), id="lookup-query")
        yield MessageLine("", id="lookup-message")
        with Horizontal(id="lookup-body"):
            yield OptionList(id="lookup-results")
            with VerticalScroll(id="lookup-card"):
                yield Static(_("Type to search; Down goes to the results."), id="lookup-detail")
        yield KeyBar()

    # --- searching --------------------------------------------------------------------------------

    @on(Input.Changed, "#lookup-query")
    def _typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value.strip()
        if not text:
            return  # cleared after a scan: keep showing what was found
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, lambda: self._start_search(text, exact=False))

    @on(ScanInput.Scanned, "#lookup-query")
    def _scanned(self, event: ScanInput.Scanned) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        if event.error:
            self.query_one(MessageLine).warn(event.error)
            return
        scan = event.scan
        assert scan is not None
        self._start_search(scan.gtin or scan.data, exact=True)

    def _start_search(self, text: str, *, exact: bool) -> None:
        self._seq += 1
        self.last_query = text
        self._search(self._seq, text, exact)

    @work(thread=True, exclusive=True, group="lookup-search")
    def _search(self, seq: int, text: str, exact: bool) -> None:
        with db.connection_context():
            products = find_products(text, limit=self.limit, scanned=exact)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_results, seq, text, exact, products)

    def _show_results(self, seq: int, text: str, exact: bool, products: list[Product]) -> None:
        if seq != self._seq:
            return  # an older query answered late
        results = self.query_one("#lookup-results", OptionList)
        results.clear_options()
        self._products = {p.sku: p for p in products}
        message = self.query_one(MessageLine)
        if not products:
            self._show_card(None)
            if exact:
                message.warn(_("Unknown code {code}: search by name, or ask a supervisor to link the code.")
                             .format(code=text))
            else:
                message.warn(_("No product matches {text!r}.").format(text=text))
            return
        results.add_options([Option(self._label(p), id=p.sku) for p in products])
        results.highlighted = 0
        more = _(" (first {n})").format(n=self.limit) if len(products) >= self.limit else ""
        message.say(_("{n} found for {text!r}").format(n=len(products), text=text) + more)

    def _label(self, product: Product) -> Text:
        return Text.assemble((product.sku, "bold"), " ", product.display_name(self.lang))

    # --- the product card -------------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#lookup-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        product = self._products.get(event.option.id or "")
        if product is not None:
            self._load_card(self._seq, product)

    @on(OptionList.OptionSelected, "#lookup-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_choose()

    @work(thread=True, exclusive=True, group="lookup-card")
    def _load_card(self, seq: int, product: Product) -> None:
        with db.connection_context():
            card = product_card(product, self.actor.location)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._card_loaded, seq, card)

    def _card_loaded(self, seq: int, card: ProductCard) -> None:
        if seq == self._seq:
            self._show_card(card)

    def _show_card(self, card: ProductCard | None) -> None:
        self.card = card
        detail = self.query_one("#lookup-detail", Static)
        if card is None:
            detail.update("")
            return
        p = card.product
        text = Text()
        text.append(f"{p.sku}\n", style="bold")
        text.append(f"{p.display_name(self.lang)}\n")
        if p.category:
            text.append(_("Category: {c}").format(c=p.display_category(self.lang)) + "\n")
        price = str(card.price) if card.price else _("no price")
        text.append(_("Price: ") + price + "\n", style="bold")
        text.append(_("Here ({loc}): {q} {unit}").format(loc=self.actor.location.code, q=qty(card.here),
                                                        unit=unit_label(p.unit)) + "\n", style="bold")
        for line in card.lots:
            where = " ".join(x for x in (line.bin and _("bin {b}").format(b=line.bin),
                                         line.lot and _("lot {lot}").format(lot=line.lot)) if x)
            expiry = _(" exp {d}").format(d=day(line.expiry)) if line.expiry else ""
            text.append(f"  {where or _('no bin')}: {qty(line.on_hand)}{expiry}\n")
        text.append(_("Other locations") + "\n", style="bold")
        as_of = moment(card.elsewhere_as_of) if card.elsewhere_as_of else _("never synced")
        for other in card.elsewhere:
            text.append(f"  {other.location} {other.display_name(self.lang)}: {qty(other.on_hand)}\n")
        if not card.elsewhere:
            text.append("  " + (_("none holds any") if card.elsewhere_as_of else _("none known")) + "\n")
        text.append("  " + _("as of: {t}").format(t=as_of) + "\n", style="dim")
        if card.codes:
            text.append(_("Codes: ") + ", ".join(code if pack == 1 else f"{code} (×{qty(pack)})"
                                                 for code, pack in card.codes) + "\n", style="dim")
        detail.update(text)

    # --- keys -------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss()

    def action_focus_query(self) -> None:
        self.query_one("#lookup-query").focus()

    def action_results(self) -> None:
        results = self.query_one("#lookup-results", OptionList)
        if results.option_count:
            results.focus()

    def action_choose(self) -> None:
        if self.card is not None:
            self.post_message(ProductChosen(self.card.product.sku))
            self.query_one(MessageLine).say(_("{sku} chosen").format(sku=self.card.product.sku))

    def action_shelf_label(self) -> None:
        """A shelf label for the product on the card, printed without holding the screen."""
        message = self.query_one(MessageLine)
        printing = getattr(self.app, "printing", None)
        if self.card is None:
            message.warn(_("Find a product first, then F6 prints its shelf label."))
            return
        if printing is None or not printing.configured:
            message.warn(_("No printer is configured on this terminal."))
            return
        message.say(_("Printing a shelf label for {sku}...").format(sku=self.card.product.sku))
        self._print_shelf_label(printing, self.card.product.sku, self.lang)

    @work(thread=True, group="lookup-print")
    def _print_shelf_label(self, printing, sku: str, lang: str) -> None:  # noqa: ANN001 - tui.printing.Printing
        try:
            with db.connection_context():
                job = printing.print_shelf_label(sku, lang, self.actor.location.currency)
        except Exception as exc:  # no price, a printer error: the clerk sees one line
            self.app.call_from_thread(self.query_one(MessageLine).warn,
                                      _("Shelf label not printed: {error}").format(error=exc))
        else:
            self.app.call_from_thread(self.query_one(MessageLine).say,
                                      _("Shelf label for {sku} sent to the printer (job {job}).").format(
                                          sku=sku, job=job))
