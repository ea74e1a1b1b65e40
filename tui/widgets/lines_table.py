"""A table of lines built for scanning: adding a line repaints one row, not the whole table.

Why not ``DataTable``: it keys every render cache on a counter that each ``add_row`` bumps, so a
scan re-renders every visible cell (about 20 ms for a screenful of sale lines on our 2-core
reference machine, more than a frame). Here each row is rendered once into a ``Strip`` and kept
until that row, the column widths, the width of the widget or its styles change; scrolling and
appending reuse the cached strips.

It scrolls itself (a first visible row, moved by the cursor and the mouse wheel) instead of being
a ``ScrollView``: a virtual size that grows with every line would make each scan re-lay the whole
screen out and repaint a scrollbar in a second frame. The row numbers show where the view is.

The columns are few and known: fixed ones sized to their widest cell, and one flexible column (the
item name) that takes what is left and ends in an ellipsis when it must. Widths are measured in
terminal cells (``cell_len``), so Chinese names (two cells a character) keep the columns aligned.
The header stays put while the lines scroll. Rows are 0-based here; callers number them as they
like.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

Cell = str | Text
PADDING = 1  # blank cells either side of every cell, as DataTable's default


@dataclass(frozen=True)
class Column:
    label: str
    justify: Literal["left", "right"] = "left"
    flex: bool = False  # takes the width the fixed columns leave (at most one column)
    min_width: int = 0


class LinesTable(Widget, can_focus=False):
    """Rows of cells under a fixed header, with a row cursor and zebra stripes."""

    COMPONENT_CLASSES = {
        "lines-table--header",
        "lines-table--cursor",
        "lines-table--even-row",
    }

    DEFAULT_CSS = """
    LinesTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .lines-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .lines-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .lines-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .lines-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .lines-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    def __init__(self, columns: Sequence[Column], **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.columns = _checked(columns)
        self._rows: list[tuple[Text, ...]] = []
        self._natural = self._widest([])  # widest cell of each fixed column
        # (row, under the cursor) -> its strip; a row's entries go when it changes, all of them
        # when the widths do.
        self._cache: dict[tuple[int, bool], Strip] = {}
        self._layout: tuple[int, tuple[int, ...]] | None = None  # (width, column widths)
        self._cursor = 0
        self._top = 0  # first row in view
        self._keys: dict[Hashable, int] = {}  # a screen's key for a row (a line id, a product id) -> row

    # --- rows --------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    def row_text(self, row: int) -> tuple[str, ...]:
        """The plain text of a row's cells (what a test or a screen reader would read)."""
        return tuple(cell.plain for cell in self._rows[row])

    def clear(self) -> None:
        self._rows.clear()
        self._cache.clear()
        self._natural = self._widest([])
        self._layout = None
        self._cursor = self._top = 0
        self._keys.clear()
        self.refresh()

    def add_row(self, *cells: Cell) -> int:
        """Append a row; returns its index."""
        self._rows.append(self._texts(cells))
        self._measure(self._rows[-1])
        self._refresh_row(len(self._rows) - 1)
        return len(self._rows) - 1

    def update_row(self, row: int, *cells: Cell) -> None:
        self._rows[row] = self._texts(cells)
        self._forget(row)
        self._measure(self._rows[row])
        self._refresh_row(row)

    def put_row(self, key: Hashable, *cells: Cell) -> int:
        """Show the row of ``key`` (one of `set_rows`'s keys, or of an earlier `put_row`) with these
        cells, or a new row at the end if the table has none for it; the cursor goes to it. Returns
        its index. A scan that changed one line redraws that row only."""
        row = self._keys.get(key)
        if row is None:
            row = self._keys[key] = self.add_row(*cells)
        else:
            self.update_row(row, *cells)
        self.move_cursor(row)
        return row

    def set_rows(self, rows: Sequence[Sequence[Cell]], keys: Sequence[Hashable] = ()) -> None:
        """Show exactly ``rows`` (``keys``, if given, name them for `put_row`): a row whose cells are
        unchanged keeps its rendered strip, so a screen may hand over all its lines after a change
        that touched a few of them."""
        if keys and len(keys) != len(rows):
            raise ValueError("set_rows: one key per row, or none")
        self._keys = {key: row for row, key in enumerate(keys)}
        texts = [self._texts(cells) for cells in rows]
        old_count = len(self._rows)
        changed = [i for i, cells in enumerate(texts) if i >= old_count or self._rows[i] != cells]
        for row in [*changed, *range(len(texts), old_count)]:
            self._forget(row)
        self._rows = texts
        natural = self._widest(texts)
        if natural != self._natural:
            self._natural, self._layout = natural, None  # narrower or wider: every row is cut anew
        self._cursor = max(0, min(self._cursor, len(texts) - 1))
        if len(texts) != old_count or self._layout is None:
            self._scroll(self._top)
            self.refresh()
        else:
            for row in changed:
                self._refresh_row(row)

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show other columns (a screen switching what it lists); the rows go, as they no longer fit.
        The same columns again change nothing."""
        columns = _checked(columns)
        if columns == self.columns:
            return
        self.columns = columns
        self.clear()

    def move_cursor(self, row: int) -> None:
        """Put the cursor on ``row`` (clamped) and scroll it into view."""
        old, self._cursor = self._cursor, max(0, min(row, len(self._rows) - 1))
        self._refresh_row(old)
        self._refresh_row(self._cursor)
        self._scroll_to_cursor()

    # --- rendering ---------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return self._strip(-1, width)
        row = y - 1 + self._top
        if row >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        return self._strip(row, width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self.refresh()

    def _on_resize(self) -> None:
        self._scroll(self._top)  # taller now: show more of the lines above rather than blank below
        self._scroll_to_cursor()

    def on_click(self, event: events.Click) -> None:
        row = event.y - 1 + self._top
        if event.y >= 1 and 0 <= row < len(self._rows):
            self.move_cursor(row)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._scroll(self._top + 1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._scroll(self._top - 1)

    # --- inside ------------------------------------------------------------------------------------

    def _forget(self, row: int) -> None:
        self._cache.pop((row, False), None)
        self._cache.pop((row, True), None)

    def _widest(self, rows: Sequence[tuple[Text, ...]]) -> list[int]:
        """Each column's widest cell among its label and ``rows`` (flexible columns: the label)."""
        return [max([cell_len(column.label), *([] if column.flex else (cells[i].cell_len for cells in rows))])
                for i, column in enumerate(self.columns)]

    def _texts(self, cells: Sequence[Cell]) -> tuple[Text, ...]:
        if len(cells) != len(self.columns):
            raise ValueError(f"expected {len(self.columns)} cells, got {len(cells)}")
        return tuple(cell if isinstance(cell, Text) else Text(cell) for cell in cells)

    def _measure(self, cells: tuple[Text, ...]) -> None:
        for i, cell in enumerate(cells):
            if not self.columns[i].flex and cell.cell_len > self._natural[i]:
                self._natural[i] = cell.cell_len
                self._layout = None  # every row on screen was cut to the old widths
                self.refresh()

    def _widths(self, width: int) -> tuple[int, ...]:
        if self._layout is None or self._layout[0] != width:
            fixed = sum(n for n, column in zip(self._natural, self.columns, strict=True) if not column.flex)
            spare = width - fixed - 2 * PADDING * len(self.columns)
            widths = tuple(max(column.min_width, spare, 1) if column.flex else n
                           for n, column in zip(self._natural, self.columns, strict=True))
            self._layout = (width, widths)
            self._cache.clear()
        return self._layout[1]

    def _strip(self, row: int, width: int) -> Strip:
        widths = self._widths(width)  # a new width empties the cache
        key = (row, row == self._cursor and row >= 0)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._render_row(row, widths, width, key[1])
        return strip

    def _render_row(self, row: int, widths: tuple[int, ...], width: int, cursor: bool) -> Strip:
        style = self._row_style(row, cursor)
        cells = (tuple(Text(column.label) for column in self.columns) if row < 0 else self._rows[row])
        line = Text(no_wrap=True, overflow="ellipsis", end="")
        pad = " " * PADDING
        for cell, column, cell_width in zip(cells, self.columns, widths, strict=True):
            text = cell.copy()
            text.truncate(cell_width, overflow="ellipsis")
            gap = " " * (cell_width - text.cell_len)
            line.append(pad)
            if column.justify == "right":
                line.append(gap)
                line.append_text(text)
            else:
                line.append_text(text)
                line.append(gap)
            line.append(pad)
        segments = list(line.render(_CONSOLE))
        return Strip(Segment.apply_style(segments, style), line.cell_len).crop_extend(0, width, style)

    def _row_style(self, row: int, cursor: bool) -> Style:
        base = self.rich_style
        if row < 0:
            return base + self.get_component_rich_style("lines-table--header")
        if row % 2 == 0:  # the first line is row 0: striped like DataTable's "even" rows
            base = base + self.get_component_rich_style("lines-table--even-row")
        if cursor:
            base = base + self.get_component_rich_style("lines-table--cursor")
        return base

    @property
    def _visible(self) -> int:
        return max(1, self.size.height - 1)  # lines below the header

    def _refresh_row(self, row: int) -> None:
        if self._top <= row < self._top + self._visible:
            self.refresh(Region(0, row - self._top + 1, self.size.width, 1))

    def _scroll(self, top: int) -> None:
        top = max(0, min(top, len(self._rows) - self._visible))
        if top != self._top:
            self._top = top
            self.refresh()

    def _scroll_to_cursor(self) -> None:
        if self._cursor < self._top:
            self._scroll(self._cursor)
        elif self._cursor >= self._top + self._visible:
            self._scroll(self._cursor - self._visible + 1)


# Rendering a Text into segments needs a console only for its options (no output goes to it).
_CONSOLE = Console(width=10_000, no_color=False, color_system=None, legacy_windows=False)


def _checked(columns: Sequence[Column]) -> tuple[Column, ...]:
    if sum(column.flex for column in columns) > 1:
        raise ValueError("a LinesTable takes at most one flexible column")
    return tuple(columns)
