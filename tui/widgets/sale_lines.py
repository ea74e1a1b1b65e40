"""The lines of a sale, newest at the bottom and kept in view. Widths are terminal cells, so a
Chinese name (two cells a character) keeps the columns after it aligned; a name too long for the
screen ends in an ellipsis rather than pushing the amounts out of sight."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from models.ops.selling import SaleLine

from ..i18n import _, language
from ..services import qty_text
from .lines_table import Column, LinesTable


def line_cells(position: int, line: SaleLine) -> tuple[str | Text, ...]:
    name = line.product.display_name(language())
    if line.lot:
        name = f"{name} [{_('Lot')} {line.lot}]"
    total = Text(f"{line.net.amount:.2f}")
    if line.discount:
        total = Text.assemble((f"-{line.discount.amount:.2f} ", "italic"), f"{line.net.amount:.2f}")
    return (str(position), name, qty_text(line.quantity), f"{line.unit_price.amount:.2f}", total)


class SaleLinesTable(LinesTable):
    """Positions are 1-based; the screen owns the lines, the table only shows them."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__([
            Column("#", justify="right", min_width=2),
            Column(_("Item"), flex=True, min_width=8),
            Column(_("Qty"), justify="right"),
            Column(_("Price"), justify="right"),
            Column(_("Total"), justify="right"),
        ], **kwargs)

    def show_lines(self, lines: Sequence[SaleLine]) -> None:
        self.clear()
        for position, line in enumerate(lines, 1):
            self.add_row(*line_cells(position, line))
        if lines:
            self.move_cursor(len(lines) - 1)

    def append_line(self, position: int, line: SaleLine) -> None:
        self.add_row(*line_cells(position, line))
        self.move_cursor(position - 1)

    def update_line(self, position: int, line: SaleLine) -> None:
        self.update_row(position - 1, *line_cells(position, line))
        self.move_cursor(position - 1)

    @property
    def selected_position(self) -> int | None:
        return self.cursor_row + 1 if self.row_count else None
