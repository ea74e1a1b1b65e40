"""ScanInput under keyboard-wedge bursts (all keys queued at once) and under typing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from textual import events, on
from textual.app import App, ComposeResult
from textual.widgets import Input

from models.scan import VariableMeasureRule
from tests.tui.burst import burst_events, scan_burst, settle
from tui.widgets import ScanInput

GS = "\x1d"


def mod10(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


class ScanApp(App[None]):
    """A screen with the scan field and a second input next to it (to catch focus moves)."""

    def __init__(self, **scan_kwargs: object) -> None:
        super().__init__()
        self.scan_kwargs = scan_kwargs
        self.scanned: list[ScanInput.Scanned] = []
        self.by_selector: list[str] = []

    def compose(self) -> ComposeResult:
        yield ScanInput(id="scan", **self.scan_kwargs)
        yield Input(id="other")

    def on_mount(self) -> None:
        self.query_one("#scan").focus()

    def on_scan_input_scanned(self, message: ScanInput.Scanned) -> None:
        self.scanned.append(message)

    @on(ScanInput.Scanned, "#scan")
    def _selected(self, message: ScanInput.Scanned) -> None:
        self.by_selector.append(message.raw)


@pytest.mark.parametrize("end", ["enter", "ctrl+j", "tab"])
async def test_burst_of_ean13_yields_one_scan(end: str) -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        scan_input = app.query_one("#scan", ScanInput)
        await scan_burst(pilot, "4006381333931", end=end)
        assert len(app.scanned) == 1
        message = app.scanned[0]
        assert message.error is None
        assert message.raw == "4006381333931"
        assert message.scan is not None and message.scan.gtin == "04006381333931"
        assert message.control is scan_input
        assert scan_input.value == ""
        assert app.focused is scan_input
        assert app.by_selector == ["4006381333931"]


async def test_tab_never_moves_focus_to_the_next_input() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        scan_input = app.query_one("#scan", ScanInput)
        await pilot.press("tab")  # empty: nothing posted, focus stays
        assert app.focused is scan_input
        await scan_burst(pilot, "96385074", end="tab")
        assert app.focused is scan_input
        await pilot.press(*"55123457", "tab")
        assert app.focused is scan_input
        assert [m.scan.gtin for m in app.scanned if m.scan] == ["00000096385074", "00000055123457"]
        assert app.query_one("#other", Input).value == ""


async def test_shift_tab_still_leaves_the_field() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await pilot.press("shift+tab")
        assert app.focused is app.query_one("#other")


async def test_gs_inside_a_burst_keeps_gs1_fields_apart() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await scan_burst(pilot, f"]C1010950110153000310LOT42{GS}17271231{GS}21SN-9")
        [message] = app.scanned
        assert GS in message.raw
        assert message.scan is not None
        assert message.scan.lot == "LOT42"
        assert message.scan.expiry == dt.date(2027, 12, 31)
        assert message.scan.serial == "SN-9"


async def test_plain_input_would_lose_gs() -> None:
    # The trap this widget exists for: Input drops the GS key, and the lot swallows the expiry.
    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()

    app = Plain()
    async with app.run_test() as pilot:
        await scan_burst(pilot, f"10LOT42{GS}17271231", end="")
        assert app.query_one(Input).value == "10LOT4217271231"


async def test_burst_helper_exposes_what_a_plain_input_gets_wrong() -> None:
    # Input submits through a binding that runs after the key bubbled to the app, while the
    # rest of the burst is already being typed: queued scans merge. The helper must show this.
    class Plain(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.submitted: list[str] = []

        def compose(self) -> ComposeResult:
            yield Input()

        def on_input_submitted(self, message: Input.Submitted) -> None:
            self.submitted.append(message.value)
            message.input.clear()

    app = Plain()
    async with app.run_test() as pilot:
        await scan_burst(pilot, "4006381333931\r96385074")
        assert app.submitted != ["4006381333931", "96385074"]


async def test_gs_is_shown_as_a_visible_symbol() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await scan_burst(pilot, f"10AB{GS}", end="")
        scan_input = app.query_one("#scan", ScanInput)
        assert scan_input.value == f"10AB{GS}"
        assert scan_input._value.plain == "10AB\u241d"
        assert scan_input._position_to_cell(5) == 5  # GS takes one cell, like its symbol


async def test_fnc1_standin() -> None:
    app = ScanApp(fnc1_standin="|")
    async with app.run_test() as pilot:
        await scan_burst(pilot, "010950110153000310LOT42|17271231")
        [message] = app.scanned
        assert message.scan is not None
        assert (message.scan.lot, message.scan.expiry) == ("LOT42", dt.date(2027, 12, 31))
        # The stand-in can be changed at run time (e.g. after a calibration scan).
        app.query_one(ScanInput).fnc1_standin = "~"
        await scan_burst(pilot, "010950110153000310LOT7~17271231")
        assert app.scanned[-1].scan is not None and app.scanned[-1].scan.lot == "LOT7"


async def test_200_scans_in_one_burst_arrive_in_order_without_lost_chars() -> None:
    codes = []
    for i in range(200):
        body = f"4{i:011d}"
        codes.append(body + mod10(body))
    ends = ["\r", "\n", "\t"]
    text = "".join(code + ends[i % 3] for i, code in enumerate(codes[:-1])) + codes[-1]
    events_ = burst_events(text, end="enter")
    assert len(events_) == 200 * 14

    app = ScanApp()
    async with app.run_test() as pilot:
        await scan_burst(pilot, text, end="enter")
        assert [m.raw for m in app.scanned] == codes
        assert all(m.error is None for m in app.scanned)
        assert [m.scan.gtin for m in app.scanned if m.scan] == [c.zfill(14) for c in codes]
        assert app.focused is app.query_one("#scan")


async def test_mixed_text_scans_in_one_burst() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await scan_burst(pilot, "S-T01-000123\rU:ANNA b./x\r4006381333931")
        assert [(m.raw, m.scan.kind if m.scan else None) for m in app.scanned] == [
            ("S-T01-000123", "text"),
            ("U:ANNA b./x", "text"),
            ("4006381333931", "gtin"),
        ]


async def test_bad_check_digit_posts_an_error_and_flashes() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        scan_input = app.query_one("#scan", ScanInput)
        await scan_burst(pilot, "4006381333932")
        [message] = app.scanned
        assert message.scan is None
        assert message.error == "Check digit wrong in 4006381333932: rescan or type the code again"
        assert message.raw == "4006381333932"
        assert scan_input.value == ""
        assert scan_input.has_class("-scan-error")
        assert app.focused is scan_input
        await pilot.press("4")  # typing again clears the error style
        assert not scan_input.has_class("-scan-error")


async def test_quantity_prefix_typed_with_pilot_press() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await pilot.press("3", "asterisk", *"4006381333931", "enter")
        [message] = app.scanned
        assert message.raw == "3*4006381333931"
        assert message.scan is not None
        assert message.scan.quantity_prefix == Decimal(3)
        assert message.scan.gtin == "04006381333931"


async def test_typed_quantity_then_scanner_burst() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await pilot.press("1", "comma", "5", "asterisk")
        await scan_burst(pilot, "96385074", end="ctrl+j")
        [message] = app.scanned
        assert message.scan is not None and message.scan.quantity_prefix == Decimal("1.5")


async def test_empty_submit_does_nothing() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        await pilot.press("enter", "ctrl+j", "tab", "space", "enter")
        assert app.scanned == []
        assert app.focused is app.query_one("#scan")


async def test_variable_measure_rules_are_passed_through() -> None:
    rule = VariableMeasureRule(prefixes="20", item_digits=5, value_digits=5, value_kind="price")
    body = "20" + "12345" + "01234"
    app = ScanApp(variable_measure=[rule])
    async with app.run_test() as pilot:
        await scan_burst(pilot, body + mod10(body))
        [message] = app.scanned
        assert message.scan is not None
        assert (message.scan.item_code, message.scan.price) == ("12345", Decimal("12.34"))


async def test_multi_line_paste_is_one_scan_per_line() -> None:
    app = ScanApp()
    async with app.run_test() as pilot:
        app.query_one(ScanInput).post_message(events.Paste("4006381333931\r\n96385074\n55123"))
        await settle(pilot)
        assert [m.raw for m in app.scanned] == ["4006381333931", "96385074"]
        assert app.query_one(ScanInput).value == "55123"
