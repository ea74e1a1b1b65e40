"""Lookup screen: incremental search, scans, unknown and bad codes, the stock picture."""

from __future__ import annotations

import datetime as dt

from models.catalog import Product
from tests.tui.burst import scan_burst
from tests.tui.screen_host import ScreenHost, idle
from tests.tui.stock_data import MILK, shop, stock
from tests.tui.stock_pilot import steady
from tui.i18n import set_language
from tui.messages import ProductChosen
from tui.screens.lookup import LookupScreen
from tui.widgets.message_line import MessageLine


def _seed():
    actor = shop()
    stock("STORE1", "CHEESE1", "6", lot="L1", expiry=dt.date(2025, 4, 1), bin="A-01")
    stock("STORE1", "CHEESE1", "2", lot="L2", expiry=dt.date(2025, 5, 1), bin="A-01")
    stock("STORE1", "MILK1", "12")
    stock("WH1", "MILK1", "40")
    return actor


def _detail(app) -> str:
    return str(app.screen.query_one("#lookup-detail").render())


async def test_typing_searches_incrementally_and_shows_the_card(store) -> None:
    actor = _seed()
    app = ScreenHost(lambda: LookupScreen(actor))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"chee")
        await pilot.pause(0.3)
        await idle(pilot)
        screen = app.screen
        assert screen.last_query == "chee"
        assert screen.card is not None and screen.card.product.sku == "CHEESE1"
        detail = _detail(app)
        assert "Price: 4.99 EUR" in detail
        assert "Here (STORE1): 8" in detail
        assert "lot L1: 6 exp 2025-04-01" in detail
        assert "lot L2: 2 exp 2025-05-01" in detail
        assert "never synced" in detail


async def test_debounce_queries_once_for_a_fast_typist(store) -> None:
    actor = _seed()
    app = ScreenHost(lambda: LookupScreen(actor))
    async with app.run_test() as pilot:
        await scan_burst(pilot, "whole", end="")  # five keys well inside the debounce, even on a busy machine
        await pilot.pause(0.3)
        await idle(pilot)
        assert app.screen._seq == 1  # one query for five keys
        assert app.screen.card.product.sku == "MILK1"


async def test_scan_shows_other_locations(store) -> None:
    actor = _seed()
    app = ScreenHost(lambda: LookupScreen(actor))
    async with app.run_test(size=(100, 30)) as pilot:
        await scan_burst(pilot, MILK)
        await idle(pilot)
        detail = _detail(app)
        assert "Here (STORE1): 12" in detail
        assert "WH1 Warehouse: 40" in detail
        assert "as of: never synced" in detail


async def test_unknown_code_rings_and_says_so(store) -> None:
    actor = _seed()
    app = ScreenHost(lambda: LookupScreen(actor))
    async with app.run_test() as pilot:
        await scan_burst(pilot, "96385074")
        await idle(pilot)
        assert app.bells == 1
        assert "Unknown code 00000096385074" in app.screen.query_one(MessageLine).text


async def test_bad_check_digit_is_refused_and_keeps_results(store) -> None:
    actor = _seed()
    app = ScreenHost(lambda: LookupScreen(actor))
    async with app.run_test() as pilot:
        await scan_burst(pilot, MILK)
        await idle(pilot)
        await scan_burst(pilot, MILK[:-1] + str((int(MILK[-1]) + 1) % 10))
        await idle(pilot)
        assert app.bells == 1
        assert "Check digit wrong" in app.screen.query_one(MessageLine).text
        assert app.screen.card.product.sku == "MILK1"


async def test_down_enter_chooses_and_escape_leaves(store) -> None:
    actor = _seed()
    app = ScreenHost(lambda: LookupScreen(actor))
    async with app.run_test() as pilot:
        await pilot.press(*"BREAD")
        await pilot.pause(0.3)
        await idle(pilot)
        await pilot.press("down", "enter")
        await idle(pilot)
        assert [m.sku for m in app.posted if isinstance(m, ProductChosen)] == ["BREAD1"]
        await pilot.press("escape")
        assert not isinstance(app.screen, LookupScreen)


async def test_many_products_are_capped(store) -> None:
    actor = _seed()
    Product.insert_many([{"sku": f"X{i:04d}", "name": f"Box {i}"} for i in range(120)]).execute()
    app = ScreenHost(lambda: LookupScreen(actor, limit=50))
    async with app.run_test() as pilot:
        await pilot.press(*"box")
        await pilot.pause(0.3)
        await idle(pilot)
        assert app.screen.query_one("#lookup-results").option_count == 50
        assert "first 50" in app.screen.query_one(MessageLine).text


def test_snapshot_lookup(store, snap_compare) -> None:
    actor = _seed()

    async def run_before(pilot) -> None:
        await pilot.press(*"chee")
        await pilot.pause(0.3)
        await steady(pilot)

    assert snap_compare(ScreenHost(lambda: LookupScreen(actor)), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_lookup_zh_cn(store, snap_compare) -> None:
    actor = _seed()
    set_language("zh_CN")
    try:
        async def run_before(pilot) -> None:
            await scan_burst(pilot, MILK)
            await steady(pilot)

        assert snap_compare(ScreenHost(lambda: LookupScreen(actor, lang="zh_CN")), terminal_size=(80, 24),
                            run_before=run_before)
    finally:
        set_language("en")
