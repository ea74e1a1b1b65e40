"""Snapshots of the app's screens at 80x24 in English and Simplified Chinese (fixed clock and data)."""

from __future__ import annotations

import pytest

from tests.tui.burst import scan_burst
from tests.tui.counter_data import JUICE, RICE, TEA
from tests.tui.counter_pilot import idle, login

LANGS = ["en", "zh_CN"]


def snap(snap_compare, app, run_before) -> bool:
    return snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("lang", LANGS)
def test_login_screen(snap_compare, make_app, lang):
    async def before(pilot):
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_home_screen(snap_compare, make_app, lang):
    async def before(pilot):
        await login(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_sale_screen_with_lines(snap_compare, make_app, lang):
    async def before(pilot):
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        await scan_burst(pilot, f"{JUICE}\r3*{TEA}\r{RICE}")
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_sale_screen_unknown_code(snap_compare, make_app, lang):
    async def before(pilot):
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        await scan_burst(pilot, JUICE)
        await scan_burst(pilot, "XYZ-1")
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_tender_dialog(snap_compare, make_app, lang):
    async def before(pilot):
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        await scan_burst(pilot, f"{JUICE}\r{RICE}")
        await pilot.press("f10")
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_returns_screen(snap_compare, make_app, lang):
    async def before(pilot):
        await login(pilot)
        await pilot.press("f3")
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_help_screen(snap_compare, make_app, lang):
    async def before(pilot):
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        await pilot.press("f1")
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)


@pytest.mark.parametrize("lang", LANGS)
def test_attention_screen(snap_compare, make_app, lang):
    from models import attention

    attention.add(attention.REJECTED, "0192d0c4-7f6e-7a51-9d0e-3c1f5a2b8e01",
                  "Event 0192d0c4 was already recorded with different content.")
    attention.add(attention.PRODUCT_CHANGED, "TEA1", "TEA1 changed at head office during a sale: kept 3.20.")

    async def before(pilot):
        await login(pilot)
        await pilot.press("f11")
        await idle(pilot)

    assert snap(snap_compare, make_app(lang), before)
