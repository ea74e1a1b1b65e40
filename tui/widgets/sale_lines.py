"""The lines of a sale as a table. Rich measures every cell in terminal cells (``cell_len``), so a
Chinese name (two cells a character) keeps the columns after it aligned."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from models.ops.selling import SaleLine

from ..i18n import _, language
from ..services import qty_text


def line_cells(position: int, line: SaleLine) -> tuple[object, ...]:
    name = line.product.display_name(language())
    if line.lot:
        name = f"{name} [{_('Lot')} {line.lot}]"
    total = Text(f"{line.net.amount:.2f}", justify="right")
    if line.discount:
        total = Text.assemble((f"-{line.discount.amount:.2f} ", "italic"), f"{line.net.amount:.2f}",
                              justify="right")
    return (str(position), name, Text(qty_text(line.quantity), justify="right"),
            Text(f"{line.unit_price.amount:.2f}", justify="right"), total)


class SaleLinesTable(DataTable):
    """Row keys are positions (1-based); the screen owns the lines, the table only shows them."""

    DEFAULT_CSS = """
    SaleLinesTable {
        height: 1fr;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.add_column("#", key="pos", width=3)
        self.add_column(_("Item"), key="item")
        self.add_column(_("Qty"), key="qty")
        self.add_column(_("Price"), key="price")
        self.add_column(_("Total"), key="total")

    def show_lines(self, lines: Sequence[SaleLine]) -> None:
        self.clear()
        for position, line in enumerate(lines, 1):
            self.add_row(*line_cells(position, line), key=str(position))
        if lines:
            self.move_cursor(row=len(lines) - 1)

    def append_line(self, position: int, line: SaleLine) -> None:
        self.add_row(*line_cells(position, line), key=str(position))
        self.move_cursor(row=position - 1)

    def update_line(self, position: int, line: SaleLine) -> None:
        cells = line_cells(position, line)
        for column, value in zip(("qty", "price", "total"), cells[2:], strict=True):
            self.update_cell(str(position), column, value, update_width=True)
        self.move_cursor(row=position - 1)

    @property
    def selected_position(self) -> int | None:
        return self.cursor_row + 1 if self.row_count else None
