"""LinesTable: the newest line stays in view, the cursor and the wheel move the view, columns stay
aligned (Chinese names included), and a scan field's burst paints nothing until the scan ends."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tests.tui.burst import burst_events, scan_burst, settle
from tui.widgets import ScanInput
from tui.widgets.lines_table import Column, LinesTable

WIDTH, HEIGHT = 40, 8  # a header and seven lines


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LinesTable([Column("#", justify="right"), Column("Item", flex=True),
                          Column("Total", justify="right")])

    @property
    def table(self) -> LinesTable:
        return self.query_one(LinesTable)

    def add(self, count: int, name: str = "Item") -> None:
        for _ in range(count):
            position = self.table.row_count + 1
            self.table.add_row(str(position), f"{name} {position}", f"{position}.00")
            self.table.move_cursor(position - 1)


def shown(table: LinesTable) -> list[str]:
    """What the table shows, a string per screen line."""
    return [table.render_line(y).text for y in range(table.size.height)]


def first_cells(table: LinesTable) -> list[str]:
    return [line.split()[0] for line in shown(table)[1:] if line.strip()]


async def test_the_newest_line_stays_in_view_under_the_header() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.add(20)
        await pilot.pause()
        lines = shown(app.table)
        assert lines[0].split() == ["#", "Item", "Total"]
        assert first_cells(app.table) == [str(n) for n in range(14, 21)]
        assert app.table.cursor_row == 19


async def test_moving_the_cursor_up_scrolls_back_and_down_again() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.add(20)
        app.table.move_cursor(0)
        await pilot.pause()
        assert first_cells(app.table) == [str(n) for n in range(1, 8)]
        app.table.move_cursor(9)
        await pilot.pause()
        assert first_cells(app.table) == [str(n) for n in range(4, 11)]
        app.table.move_cursor(99)  # past the end: the last line
        assert app.table.cursor_row == 19


async def test_few_lines_start_at_the_top_and_the_rest_is_blank() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.add(2)
        await pilot.pause()
        assert first_cells(app.table) == ["1", "2"]
        assert all(cell_len(line) == WIDTH for line in shown(app.table))


async def wheel_up(pilot: Pilot, times: int) -> None:
    # Textual 8.2's Pilot has click() but no wheel; this is what click() uses underneath.
    for _ in range(times):
        await pilot._post_mouse_events([events.MouseScrollUp], LinesTable, offset=(2, 2))
    await pilot.pause()


async def test_the_wheel_scrolls_and_a_click_picks_a_line() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.add(20)
        await pilot.pause()
        await wheel_up(pilot, 2)
        assert first_cells(app.table)[0] == "12"
        await pilot.click(LinesTable, offset=(2, 1))  # the first line under the header
        assert app.table.cursor_row == 11
        await wheel_up(pilot, 30)
        assert first_cells(app.table)[0] == "1"  # not past the top


async def test_chinese_names_keep_the_amounts_aligned() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.table.add_row("1", "Green tea", "3.20")
        app.table.add_row("2", "绿茶 (Green tea)", "13.20")
        app.table.add_row("3", Text("苹果汁"), "2.50")
        await pilot.pause()
        rows = shown(app.table)[1:4]
        ends = {cell_len(row.rstrip()) for row in rows}
        assert len(ends) == 1, rows  # the right-justified totals end in the same cell
        assert all(cell_len(row) == WIDTH for row in rows)


async def test_a_long_name_ends_in_an_ellipsis_and_the_total_stays_in_sight() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.table.add_row("1", "An extraordinarily long product name for a small screen", "1234.50")
        await pilot.pause()
        row = shown(app.table)[1]
        assert "…" in row and row.rstrip().endswith("1234.50")


class PaintedTable(LinesTable):
    """Remembers which screen lines it was asked to paint."""

    def __init__(self) -> None:
        super().__init__([Column("#", justify="right"), Column("Item", flex=True), Column("Total", justify="right")])
        self.painted: set[int] = set()

    def render_line(self, y: int):  # noqa: ANN201 - a Strip
        self.painted.add(y)
        return super().render_line(y)


class PaintedApp(TableApp):
    def compose(self) -> ComposeResult:
        yield PaintedTable()


async def test_a_wider_amount_repaints_the_lines_already_shown_to_the_new_widths() -> None:
    app = PaintedApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.table.add_row("1", "Green tea, loose leaf, 250g", "3.20")
        app.table.add_row("2", "Tea", "3.50")
        await pilot.pause()
        assert "250g" in shown(app.table)[1]
        app.table.painted.clear()
        app.table.add_row("3", "Rice", "12345.00")
        await pilot.pause()
        assert app.table.painted >= {0, 1, 2, 3}  # the header and every older line, not just the new one
        first, second, third = shown(app.table)[1:4]
        assert "250g" not in first and "…" in first  # the name gave way to the wider column
        assert third.rstrip().endswith("12345.00")
        assert len({cell_len(row.rstrip()) for row in (first, second, third)}) == 1

        app.table.painted.clear()
        app.table.add_row("4", "Salt", "1.00")  # no wider: only the new line is painted
        await pilot.pause()
        assert app.table.painted == {4}


async def test_updating_a_line_shows_the_new_cells() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.add(3)
        app.table.update_row(1, "2", "Item 2 x3", "6.00")
        await pilot.pause()
        assert shown(app.table)[2].split() == ["2", "Item", "2", "x3", "6.00"]
        assert app.table.row_text(1) == ("2", "Item 2 x3", "6.00")


async def test_set_rows_repaints_only_the_rows_that_changed() -> None:
    app = PaintedApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        rows = [(str(n), f"Item {n}", f"{n}.00") for n in range(1, 6)]
        app.table.set_rows(rows)
        await pilot.pause()
        app.table.painted.clear()
        rows[2] = ("3", "Item 3 x2", "6.00")
        app.table.set_rows(rows)
        await pilot.pause()
        assert app.table.painted == {3}  # the header is line 0, the third row line 3
        assert shown(app.table)[3].split() == ["3", "Item", "3", "x2", "6.00"]
        assert app.table.row_count == 5


async def test_put_row_updates_the_row_of_its_key_or_adds_one_and_selects_it() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.table.set_rows([("1", "Tea", "3.20"), ("2", "Rice", "2.00")], keys=["tea", "rice"])
        assert app.table.put_row("tea", "1", "Tea x2", "6.40") == 0
        assert app.table.cursor_row == 0
        assert app.table.put_row("milk", "3", "Milk", "1.10") == 2
        assert app.table.put_row("milk", "3", "Milk x2", "2.20") == 2
        await pilot.pause()
        assert [app.table.row_text(row)[1] for row in range(app.table.row_count)] == ["Tea x2", "Rice", "Milk x2"]
        assert app.table.cursor_row == 2
        app.table.set_rows([("1", "Rice", "2.00")], keys=["rice"])  # new rows, new keys
        assert app.table.put_row("tea", "2", "Tea", "3.20") == 1


async def test_set_rows_with_fewer_rows_drops_the_rest_and_narrows_the_columns() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        tea = ("1", "Green tea, loose leaf, 250g", "3.20")
        app.table.set_rows([tea, ("2", "Rice", "12345.00")])
        app.table.move_cursor(1)
        await pilot.pause()
        assert "250g" not in shown(app.table)[1]  # the wide amount leaves the name too little room
        app.table.set_rows([tea])
        await pilot.pause()
        lines = shown(app.table)
        assert (app.table.row_count, app.table.cursor_row) == (1, 0)
        assert lines[2].strip() == ""
        assert "250g" in lines[1] and "…" not in lines[1]  # the amounts' column narrowed again


async def test_set_columns_shows_the_new_header_and_starts_empty() -> None:
    app = TableApp()
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        app.add(3)
        same = app.table.columns
        app.table.set_columns(same)
        assert app.table.row_count == 3  # the same columns again keep the rows
        app.table.set_columns([Column("SKU"), Column("Name", flex=True), Column("Sent", justify="right"),
                               Column("Arrived", justify="right")])
        app.table.add_row("MILK1", "Whole milk", "6", "-")
        await pilot.pause()
        lines = shown(app.table)
        assert lines[0].split() == ["SKU", "Name", "Sent", "Arrived"]
        assert lines[1].split() == ["MILK1", "Whole", "milk", "6", "-"]
        assert app.table.row_count == 1


class CountingScanInput(ScanInput):
    paints = 0

    def render_line(self, y: int):  # noqa: ANN201 - a Strip
        CountingScanInput.paints += 1
        return super().render_line(y)


class ScanFieldApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingScanInput(id="scan")

    def on_mount(self) -> None:
        self.query_one("#scan").focus()


async def test_a_scanner_burst_paints_nothing_until_the_scan_ends() -> None:
    app = ScanFieldApp()
    async with app.run_test() as pilot:
        await pilot.pause(0.1)
        CountingScanInput.paints = 0
        await scan_burst(pilot, "4006381333931")
        await pilot.pause(0.1)
        # Empty before, empty after: no frame ever showed half a code.
        assert CountingScanInput.paints == 0


async def test_typed_keys_show_after_the_hold_and_editing_keys_act_on_them() -> None:
    app = ScanFieldApp()
    async with app.run_test() as pilot:
        scan_input = app.query_one(ScanInput)
        for event in [*burst_events("1234", end=""), *burst_events("", end="")]:
            event.set_sender(app)
            app.post_message(event)
        await settle(pilot)
        await pilot.pause(2 * ScanInput.HOLD_SECONDS)
        assert scan_input.value == "1234"
        await pilot.press("5", "backspace", "backspace")  # backspace also takes what is still held
        await pilot.pause(2 * ScanInput.HOLD_SECONDS)
        assert scan_input.value == "123"
        assert CountingScanInput.paints > 0  # and typing does show
