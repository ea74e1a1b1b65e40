from __future__ import annotations

from textual.widgets import Label

from tests.tui.burst import scan_burst
from tests.tui.counter_pilot import idle, login, type_text
from tui.screens.help import HelpScreen
from tui.screens.home import HomeScreen
from tui.screens.login import LoginScreen
from tui.screens.sale import SaleScreen


def error_text(app) -> str:
    return str(app.screen.query_one("#login-error", Label).render())


async def test_login_by_badge_and_pin_then_logout(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.actor.user.code == "1001"
        await pilot.press("f10")
        await idle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None


async def test_wrong_pin_shows_the_domain_message_and_five_lock(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, pin="9999")
        assert "4 tries left" in error_text(app)
        for left in (3, 2, 1):
            # A wrong PIN clears both fields and puts the cursor back in the code: code and PIN again.
            await login(pilot, pin="9999")
            assert f"{left} tries left" in error_text(app)
        await login(pilot, pin="9999")
        assert "locked for one minute" in error_text(app)
        # The right PIN does not get in while locked; the message says so.
        await login(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert "locked" in error_text(app) and "try again in" in error_text(app)
        assert app.bells == 6
        assert app.actor is None


async def test_unknown_user_is_refused(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot, code="7777")
        assert "No user '7777'" in error_text(app)
        assert isinstance(app.screen, LoginScreen)


async def test_function_keys_open_jobs_and_f12_comes_home(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        assert isinstance(app.screen, SaleScreen)
        await pilot.press("f12")
        await idle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f3")
        await idle(pilot)
        assert type(app.screen).__name__ == "ReturnsScreen"
        await pilot.press("escape")
        await idle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_f1_lists_the_live_keys_of_the_screen(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        sale = app.screen
        await pilot.press("f1")
        await idle(pilot)
        assert isinstance(app.screen, HelpScreen)
        described = {text for _key, text in app.screen.rows}
        for binding in sale.BINDINGS:
            assert binding.description in described
        assert "Home" in described and "Keys" in described
        # Tab ends a scan in the focused scan field, so it is not offered as "Focus Next".
        assert "Focus Next" not in described
        assert ("Enter / Tab", "End a typed code (a scanner ends its own)") in app.screen.rows
        await pilot.press("escape")
        await idle(pilot)
        assert app.screen is sale


async def test_sync_without_hook_says_not_configured(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot)
        await pilot.press("f9")
        await idle(pilot)
        assert app.bells == 1
        assert app.status_info.network == "not configured"


async def test_sync_hook_runs_and_status_shows_last_sync(make_app):
    calls = []
    app = make_app(sync_runner=lambda: calls.append(1))
    async with app.run_test() as pilot:
        await login(pilot)
        await pilot.press("f9")
        await idle(pilot)
        assert calls == [1]
        assert app.status_info.network == "online"
        assert app.status_info.last_sync == "2026-03-02 10:30"
        assert app.status_info.location == "STORE1" and app.status_info.user == "Ann Clerk"


async def test_failing_sync_goes_offline(make_app):
    def broken() -> None:
        raise ConnectionError("head office unreachable")

    app = make_app(sync_runner=broken)
    async with app.run_test() as pilot:
        await login(pilot)
        await pilot.press("f9")
        await idle(pilot)
        assert app.status_info.network == "offline"


async def test_command_palette_lists_the_screen_keys(make_app):
    from tui.commands import ActionsProvider

    app = make_app()
    async with app.run_test() as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        provider = ActionsProvider(app.screen)
        names = [hit.text async for hit in provider.search("pay")]
        assert "Pay" in names
        names = [hit.text async for hit in provider.discover()]
        assert {"Park", "Void", "Sale", "Return / exchange", "Home"} <= set(names)


async def test_badge_scan_as_burst_then_pin(make_app):
    app = make_app()
    async with app.run_test() as pilot:
        await scan_burst(pilot, "2001", end="ctrl+j")
        await type_text(pilot, "2345")
        await pilot.press("enter")
        await idle(pilot)
        assert app.actor.user.code == "2001"


async def test_code_and_pin_in_one_burst_log_in(make_app):
    # A fast typist (or a badge scanner plus a keypad) sends the PIN before focus moves.
    app = make_app()
    async with app.run_test() as pilot:
        await scan_burst(pilot, "1001\r1234")
        await idle(pilot)
        assert app.actor is not None and app.actor.user.code == "1001"


async def test_pin_split_across_the_focus_move_keeps_every_digit(make_app):
    # tmux (or a slow wedge) sends the first PIN digits before focus reaches the PIN field and the
    # rest after it: the early digits are the PIN's, not stranded in the code field.
    app = make_app()
    async with app.run_test() as pilot:
        await scan_burst(pilot, "1001\r12", end="")
        await scan_burst(pilot, "34")
        await idle(pilot)
        assert app.actor is not None and app.actor.user.code == "1001", error_text(app)
