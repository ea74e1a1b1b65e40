"""Find a product by SKU or name (English or Chinese); used to link an unknown code or add by name."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Label

from models.catalog import Product, search_products

from ..i18n import _, language
from ..screens.base import CounterModal
from ..widgets.key_bar import KeyBar


class ProductSearchDialog(CounterModal[Product | None]):
    DEFAULT_CSS = """
    ProductSearchDialog { align: center middle; }
    ProductSearchDialog > Vertical { width: 76; height: 20; border: thick $accent; background: $surface; padding: 0 1; }
    ProductSearchDialog DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "to_results", "Results", show=False),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.initial = text
        self.found: list[Product] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Input(value=self.initial, placeholder=_("SKU or part of the name"), id="text")
            yield DataTable(cursor_type="row", id="results")
            yield Label(_("Type to search, Down to the list, Enter to choose"), classes="hint")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("SKU"), key="sku")
        table.add_column(_("Name"), key="name")
        self._search(self.initial)

    @on(Input.Changed, "#text")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    def _search(self, text: str) -> None:
        # A LIKE over a shop's catalogue is quick enough to run as the clerk types.
        self.found = search_products(text, limit=30) if text.strip() else []
        table = self.query_one(DataTable)
        table.clear()
        for product in self.found:
            table.add_row(product.sku, product.display_name(language()), key=str(product.id))

    @on(Input.Submitted, "#text")
    def action_to_results(self) -> None:
        if self.found:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.found[event.cursor_row])

    def action_cancel(self) -> None:
        self.dismiss(None)
