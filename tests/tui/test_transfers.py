"""Transfers screen: send to another location, receive (scanned or all), short receipt, Esc, bad codes."""

from __future__ import annotations

from decimal import Decimal

from models.catalog import product_by_sku
from models.ledger import StockEvent, on_hand
from models.ops.transfers import TransferItem, transfer_out
from models.stock_docs import Transfer
from models.store import actor_for
from tests import factories as f
from tests.tui.burst import scan_burst
from tests.tui.screen_host import ScreenHost, idle
from tests.tui.stock_data import BREAD, MILK, T0, shop, stock
from tests.tui.stock_pilot import choose, steady
from tui.i18n import set_language
from tui.messages import StockChanged
from tui.screens.transfers import TransferDraft, TransfersScreen
from tui.widgets.message_line import MessageLine


def _message(app) -> str:
    return app.screen.query_one(MessageLine).text


def _incoming() -> Transfer:
    stock("WH1", "MILK1", "40")
    stock("WH1", "BREAD1", "10")
    wh = actor_for("W01", "C2")
    return transfer_out(wh, "STORE1", [TransferItem(product_by_sku("MILK1"), Decimal(6)),
                                       TransferItem(product_by_sku("BREAD1"), Decimal(4))])


async def test_send_to_another_location(store) -> None:
    actor = shop()
    stock("STORE1", "MILK1", "20")
    app = ScreenHost(lambda: TransfersScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, "to:WH1")
        await scan_burst(pilot, f"5*{MILK}\r{MILK}\r{BREAD}")
        assert app.screen.rows() == [("MILK1", "Whole milk 1L", "6", ""), ("BREAD1", "Rye bread", "1", "")]
        await pilot.press("f8")  # the bread was a mistake
        assert app.screen.rows() == [("MILK1", "Whole milk 1L", "6", "")]
        await pilot.press("f10")
        await idle(pilot)
        transfer = Transfer.get()
        assert (transfer.source.code, transfer.destination.code, transfer.status) == ("STORE1", "WH1", "sent")
        assert on_hand(actor.location, product_by_sku("MILK1")) == 14
        assert [m.reference for m in app.posted if isinstance(m, StockChanged)] == [transfer.number]
        assert f"Sent as {transfer.number} to WH1" in _message(app)


async def test_a_scan_before_choosing_send_or_receive_is_refused(store) -> None:
    actor = shop()
    stock("STORE1", "MILK1", "20")
    app = ScreenHost(lambda: TransfersScreen(actor))
    async with app.run_test() as pilot:
        await steady(pilot)
        await pilot.press("escape")  # leave the send/receive question unanswered
        await steady(pilot)
        await scan_burst(pilot, MILK)
        assert "Choose first: F2 to send, F3 to receive." in _message(app)
        assert Transfer.select().count() == 0


async def test_receive_what_was_scanned_reports_what_is_missing(store) -> None:
    actor = shop()
    transfer = _incoming()
    app = ScreenHost(lambda: TransfersScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, f"in:{transfer.id}")
        assert app.screen.rows() == [("MILK1", "Whole milk 1L", "6", "-", "", ""),
                                     ("BREAD1", "Rye bread", "4", "-", "", "")]
        await scan_burst(pilot, f"6*{MILK}\r3*{BREAD}")
        assert [r[3:] for r in app.screen.rows()] == [("6", "", "ok"), ("3", "", "short")]
        await pilot.press("f10")
        await idle(pilot)
        assert "1 missing" in _message(app)
        transfer = Transfer.get_by_id(transfer.id)
        assert transfer.status == "received"
        assert on_hand(actor.location, product_by_sku("BREAD1")) == 3
        assert on_hand(actor.location, product_by_sku("MILK1")) == 6


async def test_receive_everything_with_f5(store) -> None:
    actor = shop()
    transfer = _incoming()
    app = ScreenHost(lambda: TransfersScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, f"in:{transfer.id}")
        await pilot.press("f5", "f10")
        await idle(pilot)
        assert StockEvent.select().where(StockEvent.kind == "transfer_in").count() == 2
        assert on_hand(actor.location, product_by_sku("MILK1")) == 6


async def test_goods_not_on_the_transfer_and_bad_codes_change_nothing(store) -> None:
    actor = shop()
    transfer = _incoming()
    app = ScreenHost(lambda: TransfersScreen(actor))
    async with app.run_test() as pilot:
        await choose(pilot, f"in:{transfer.id}")
        f.product("SOAP1", barcode="96385074")
        await scan_burst(pilot, "96385074")
        assert "SOAP1 is not on this transfer" in _message(app)
        await scan_burst(pilot, "55123457")
        assert "Unknown code 55123457" in _message(app)
        await scan_burst(pilot, MILK[:-1] + str((int(MILK[-1]) + 1) % 10))
        assert "Check digit wrong" in _message(app)
        assert app.bells == 3
        assert app.screen.draft.arrived == {}
        await pilot.press("f10")
        assert Transfer.get_by_id(transfer.id).status == "sent"


async def test_a_warehouse_cannot_send_what_it_does_not_have(store) -> None:
    shop()
    wh = actor_for("W01", "C2")
    stock("WH1", "MILK1", "2")
    app = ScreenHost(lambda: TransfersScreen(wh))
    async with app.run_test() as pilot:
        await choose(pilot, "to:STORE1")
        await scan_burst(pilot, f"3*{MILK}")
        await pilot.press("f10")
        await idle(pilot)
        assert "2 on hand, cannot send 3" in _message(app)
        assert Transfer.select().count() == 0
        assert app.screen.rows() == [("MILK1", "Whole milk 1L", "3", "")], "the scans stay to fix"


async def test_escape_mid_transfer_keeps_the_scans(store) -> None:
    actor = shop()
    draft = TransferDraft()
    app = ScreenHost(lambda: TransfersScreen(actor, draft=draft))
    async with app.run_test() as pilot:
        await choose(pilot, "to:WH1")
        await scan_burst(pilot, f"2*{BREAD}")
        await pilot.press("escape")
        await idle(pilot)
        assert not isinstance(app.screen, TransfersScreen)
        await app.push_screen(TransfersScreen(actor, draft=draft))
        await idle(pilot)
        assert isinstance(app.screen, TransfersScreen)
        assert app.screen.rows() == [("BREAD1", "Rye bread", "2", "")]
        await pilot.press("f3")
        assert "Finish (F10)" in _message(app)


def test_snapshot_receiving_a_transfer(store, snap_compare) -> None:
    actor = shop()
    transfer = _incoming()
    Transfer.update(sent_at=T0).where(Transfer.id == transfer.id).execute()

    async def run_before(pilot) -> None:
        await choose(pilot, f"in:{transfer.id}")
        await scan_burst(pilot, f"6*{MILK}\r3*{BREAD}")
        await steady(pilot)

    assert snap_compare(ScreenHost(lambda: TransfersScreen(actor)), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_transfer_picker(store, snap_compare) -> None:
    actor = shop()
    transfer = _incoming()
    Transfer.update(sent_at=T0).where(Transfer.id == transfer.id).execute()
    assert snap_compare(ScreenHost(lambda: TransfersScreen(actor)), terminal_size=(80, 24), run_before=steady)


def test_snapshot_receiving_a_transfer_zh_cn(store, snap_compare) -> None:
    actor = shop()
    transfer = _incoming()
    Transfer.update(sent_at=T0).where(Transfer.id == transfer.id).execute()
    set_language("zh_CN")
    try:
        async def run_before(pilot) -> None:
            await choose(pilot, f"in:{transfer.id}")
            await scan_burst(pilot, f"6*{MILK}\r3*{BREAD}")
            await steady(pilot)

        assert snap_compare(ScreenHost(lambda: TransfersScreen(actor, lang="zh_CN")), terminal_size=(80, 24),
                            run_before=run_before)
    finally:
        set_language("en")
