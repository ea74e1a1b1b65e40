"""The sale's totals, big enough to read from across the counter."""

from __future__ import annotations

from rich.table import Table
from textual.reactive import reactive
from textual.widgets import Static

from models.money import Money
from models.ops.selling import SaleTotals

from ..i18n import _, babel_locale


class TotalsPanel(Static):
    DEFAULT_CSS = """
    TotalsPanel {
        width: 30;
        height: auto;
        border: round $primary;
        padding: 0 1;
    }
    """

    totals: reactive[SaleTotals | None] = reactive(None, always_update=True)
    items: reactive[int] = reactive(0)

    def watch_totals(self, old: SaleTotals | None, new: SaleTotals | None) -> None:
        # A reactive only repaints; the discount row changes the panel's height.
        if _shows_discount(old) != _shows_discount(new):
            self.refresh(layout=True)

    def render(self) -> Table:
        grid = Table.grid(expand=True)
        grid.add_column()
        grid.add_column(justify="right")
        t = self.totals
        fmt = (lambda m: m.format(babel_locale())) if t else (lambda m: "-")
        zero = Money.zero("EUR")
        grid.add_row(_("Items"), str(self.items))
        grid.add_row(_("Subtotal"), fmt(t.subtotal if t else zero))
        if _shows_discount(t):
            grid.add_row(_("Discount"), "-" + fmt(t.discount))
        grid.add_row(f"[b]{_('Total')}[/b]", f"[b]{fmt(t.total if t else zero)}[/b]")
        return grid


def _shows_discount(totals: SaleTotals | None) -> bool:
    return bool(totals and totals.discount.amount)
