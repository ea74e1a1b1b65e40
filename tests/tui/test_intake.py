"""Intake screen: blind and against a delivery, GS1 lots/expiry, lot prompt, over-receipt, Esc."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.catalog import product_by_sku
from models.ledger import StockEvent, on_hand
from models.stock_docs import DONE, OPEN, Delivery
from tests.tui.burst import scan_burst
from tests.tui.screen_host import ScreenHost, idle
from tests.tui.stock_data import BREAD, GTIN_CHEESE14, MILK, delivery, shop
from tests.tui.stock_pilot import choose, dialog_error, fill, steady
from tui.dialogs.fields import FieldsDialog
from tui.dialogs.supervisor_pin import SupervisorPinDialog
from tui.i18n import set_language
from tui.messages import StockChanged
from tui.screens.intake import BLIND, IntakeDraft, IntakeScreen, parse_expiry
from tui.widgets.message_line import MessageLine

GS = "\x1d"


def _level(actor, sku: str) -> Decimal:
    return on_hand(actor.location, product_by_sku(sku))


def _message(app) -> str:
    return app.screen.query_one(MessageLine).text


async def test_blind_receipt_books_in_what_was_scanned(store) -> None:
    actor = shop()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, BLIND)
        await scan_burst(pilot, f"{MILK}\r{MILK}\r3*{BREAD}")
        assert app.screen.rows() == [("MILK1", "Whole milk 1L", "", "2", "", ""),
                                     ("BREAD1", "Rye bread", "", "3", "", "")]
        await pilot.press("f10")
        await idle(pilot)
        assert (_level(actor, "MILK1"), _level(actor, "BREAD1")) == (2, 3)
        [changed] = [m for m in app.posted if isinstance(m, StockChanged)]
        assert changed.kind == "receipt" and changed.reference.startswith("B-T01-")
        assert "Booked in as B-T01-" in _message(app)
        assert app.screen.rows() == []


async def test_delivery_shows_expected_vs_received_and_sums_up_discrepancies(store) -> None:
    actor = shop()
    delivery()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, "D-100")
        assert [r[2:4] for r in app.screen.rows()] == [("10", "0"), ("5", "0")]
        await scan_burst(pilot, f"10*{MILK}\r4*{BREAD}")
        assert app.screen.rows() == [("MILK1", "Whole milk 1L", "10", "10", "", "done"),
                                     ("BREAD1", "Rye bread", "5", "4", "", "short")]
        await pilot.press("f10")
        await idle(pilot)
        summary = str(app.screen.query_one("#intake-summary").render())
        assert "BREAD1 expected 5, received 4 (-1)" in summary
        assert "MILK1" not in summary
        assert Delivery.get(Delivery.number == "D-100").status == DONE
        assert _level(actor, "BREAD1") == 4


async def test_over_receipt_needs_a_supervisor_pin(store) -> None:
    actor = shop()
    delivery()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test(size=(80, 24)) as pilot:
        await choose(pilot, "D-100")
        await scan_burst(pilot, f"12*{MILK}")
        assert app.screen.rows()[0][5] == "over"
        await pilot.press("f10")
        await idle(pilot)
        assert isinstance(app.screen, SupervisorPinDialog)
        assert _level(actor, "MILK1") == 0
        await fill(pilot, "S1", "0000")  # wrong PIN: refused, dialog stays
        assert isinstance(app.screen, SupervisorPinDialog)
        assert "PIN" in str(app.screen.query_one("#error").render()) or app.bells
        await fill(pilot, "9999")
        assert isinstance(app.screen, IntakeScreen)
        assert _level(actor, "MILK1") == 12
        events = list(StockEvent.select().where(StockEvent.reference == "D-100"))
        assert sum(e.quantity for e in events) == 12


async def test_over_receipt_without_supervisor_changes_nothing_and_keeps_the_scans(store) -> None:
    actor = shop()
    delivery()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, "D-100")
        await scan_burst(pilot, f"12*{MILK}")
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("escape")
        await idle(pilot)
        assert isinstance(app.screen, IntakeScreen)
        assert "needs a supervisor" in _message(app)
        assert _level(actor, "MILK1") == 0
        assert Delivery.get(Delivery.number == "D-100").status == OPEN
        assert app.screen.rows()[0][3] == "12"


@pytest.mark.parametrize("prefix", ["", "]C1", "]d2"])
async def test_gs1_lot_and_expiry_come_from_the_scan(store, prefix: str) -> None:
    actor = shop()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, BLIND)
        await scan_burst(pilot, f"{prefix}01{GTIN_CHEESE14}10LOT42{GS}17271231")
        assert isinstance(app.screen, IntakeScreen), "no prompt: the label had lot and expiry"
        await scan_burst(pilot, f"{prefix}01{GTIN_CHEESE14}17271231{GS}10LOT42")
        [line] = app.screen.draft.lines
        assert (line.lot, line.expiry, line.quantity) == ("LOT42", dt.date(2027, 12, 31), 2)
        await pilot.press("f10")
        await idle(pilot)
        event = StockEvent.get(StockEvent.kind == "receipt")
        assert (event.lot, event.expiry, event.quantity) == ("LOT42", dt.date(2027, 12, 31), 2)


async def test_tracked_product_without_gs1_asks_for_lot_and_expiry(store) -> None:
    actor = shop()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, BLIND)
        await scan_burst(pilot, GTIN_CHEESE14[1:])
        await idle(pilot)
        assert isinstance(app.screen, FieldsDialog)
        await fill(pilot, "L-7", "2027-02-30")
        assert "2027-12-31 or 271231" in dialog_error(pilot)
        await fill(pilot, "270200")  # YYMM00: end of February
        assert isinstance(app.screen, IntakeScreen)
        [line] = app.screen.draft.lines
        assert (line.lot, line.expiry) == ("L-7", dt.date(2027, 2, 28))


async def test_bad_check_digit_and_unknown_code_change_nothing(store) -> None:
    actor = shop()
    app = ScreenHost(lambda: IntakeScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, BLIND)
        await scan_burst(pilot, MILK[:-1] + str((int(MILK[-1]) + 1) % 10))
        assert "Check digit wrong" in _message(app)
        assert app.bells == 1
        await scan_burst(pilot, "96385074")
        assert "Unknown code 96385074" in _message(app)
        assert app.bells == 2
        assert app.screen.draft.lines == []
        await pilot.press("f10")
        assert "Nothing received" in _message(app)
        assert StockEvent.select().count() == 0


async def test_escape_mid_intake_keeps_the_work(store) -> None:
    actor = shop()
    delivery()
    draft = IntakeDraft()
    app = ScreenHost(lambda: IntakeScreen(actor, draft=draft))
    async with app.run_test() as pilot:
        await choose(pilot, "D-100")
        await scan_burst(pilot, f"3*{MILK}")
        await pilot.press("escape")
        await idle(pilot)
        assert not isinstance(app.screen, IntakeScreen)
        await app.push_screen(IntakeScreen(actor, draft=draft))
        await idle(pilot)
        assert isinstance(app.screen, IntakeScreen), "coming back opens no delivery picker"
        assert app.screen.rows()[0][2:4] == ("10", "3")
        assert "D-100" in str(app.screen.query_one("#intake-title").render())
        await pilot.press("f8")
        assert app.screen.rows()[0][3] == "0"


def test_parse_expiry() -> None:
    assert parse_expiry("271231") == dt.date(2027, 12, 31)
    assert parse_expiry("271200") == dt.date(2027, 12, 31)
    assert parse_expiry("2026-01-15") == dt.date(2026, 1, 15)
    with pytest.raises(ValueError):
        parse_expiry("31.12.27")


def test_snapshot_intake_against_a_delivery(store, snap_compare) -> None:
    actor = shop()
    delivery()

    async def run_before(pilot) -> None:
        await choose(pilot, "D-100")
        await scan_burst(pilot, f"12*{MILK}\r4*{BREAD}\r01{GTIN_CHEESE14}10LOT42{GS}17271231")
        await steady(pilot)

    assert snap_compare(ScreenHost(lambda: IntakeScreen(actor)), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_intake_zh_cn(store, snap_compare) -> None:
    actor = shop()
    delivery()
    set_language("zh_CN")
    try:
        async def run_before(pilot) -> None:
            await choose(pilot, "D-100")
            await scan_burst(pilot, f"12*{MILK}\r4*{BREAD}")
            await steady(pilot)

        assert snap_compare(ScreenHost(lambda: IntakeScreen(actor, lang="zh_CN")), terminal_size=(80, 24),
                            run_before=run_before)
    finally:
        set_language("en")
