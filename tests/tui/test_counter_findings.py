"""What a new user ran into at the counter: lost scans, a PIN retyped into the wrong field, keys that
did not do what the screen said, approvals that outlived what they approved, and crashes."""

from __future__ import annotations

import logging
from decimal import Decimal

from textual import events

from models.orders import Order
from models.parked import parked_sales
from tests.tui.burst import burst_events, scan_burst, settle
from tests.tui.counter_data import JUICE, RICE, cheese_label
from tests.tui.counter_pilot import idle, login, open_sale, type_text
from tests.tui.test_sale_scans import discount, message
from tui import guard
from tui.screens.login import LoginScreen
from tui.screens.sale import SaleScreen


async def supervisor(pilot, code: str = "2001", pin: str = "2345") -> None:
    await type_text(pilot, code)
    await pilot.press("enter")
    await type_text(pilot, pin)
    await pilot.press("enter")
    await idle(pilot)


async def test_a_scan_sent_right_behind_f2_lands_in_the_sale(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        for n in range(1, 4):  # every time, not now and then
            keys = [events.Key("f2", None), *burst_events(JUICE)]
            for event in keys:
                event.set_sender(app)
                app.post_message(event)
            await settle(pilot)
            await idle(pilot)
            assert isinstance(app.screen, SaleScreen)
            assert [(line.product.sku, line.quantity) for line in app.screen.lines] == [("JUICE1", n)]
            await pilot.press("escape")
            await idle(pilot)


async def test_after_a_wrong_pin_the_code_is_typed_again_not_counted_as_a_pin(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot, pin="9999")
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert screen.query_one("#user-code").value == "" and screen.query_one("#pin").value == ""
        assert app.focused is screen.query_one("#user-code")
        await login(pilot)  # the clerk retypes code and PIN, as the screen asks
        assert not isinstance(app.screen, LoginScreen)


async def test_the_tender_hint_says_what_enter_does_in_each_field(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        await pilot.press("f10")
        await idle(pilot)
        dialog = app.screen
        assert "Enter or F2 = cash" in str(dialog.query_one("#hint").render())
        await pilot.press("tab")
        assert app.focused.id == "reference"
        assert "Enter or F3 = card" in str(dialog.query_one("#hint").render())
        await type_text(pilot, "R1")
        await pilot.press("enter")
        await idle(pilot)
        [tender] = Order.get().tenders
        assert (tender.kind, tender.reference) == ("card", "R1")  # what the hint said


async def test_a_line_discount_keeps_its_share_when_the_weight_drops(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, cheese_label(1000))  # 1 kg, EUR 20.00
        await discount(pilot, "f4", "25%")
        await supervisor(pilot)
        sale = app.screen
        assert sale.lines[0].discount.amount == Decimal("5.00") and sale.approved_pct == Decimal("25.00")
        await pilot.press("f3")
        await idle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "0.350")
        await pilot.press("enter")
        await idle(pilot)
        assert app.screen is sale  # still 25 %: no new approval needed
        assert sale.lines[0].discount.amount == Decimal("1.75")
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("enter")
        await idle(pilot)
        order = Order.get()
        assert order.total == Decimal("5.25") and order.approved_by == "2001"


async def test_an_order_discount_is_approved_again_when_a_line_goes(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"{RICE}\r{JUICE}")  # 12.00 + 2.50
        await discount(pilot, "f5", "3.00")  # 20.69 %
        await supervisor(pilot)
        sale = app.screen
        assert sale.approved_pct == Decimal("20.69")
        await pilot.press("ctrl+r")  # JUICE goes: the same 3.00 is now 25 % of the sale
        await idle(pilot)
        assert app.screen.__class__.__name__ == "SupervisorPinDialog"
        assert "25.00%" in str(app.screen.query_one("#reason").render())
        await pilot.press("escape")
        await idle(pilot)
        assert app.screen is sale and sale.order_discount is None and sale.approver is None
        assert "Discounts removed" in message(app)
        await discount(pilot, "f5", "3.00")
        await supervisor(pilot)
        await pilot.press("ctrl+r")
        await idle(pilot)
        assert sale.lines == [] and sale.order_discount is None


async def test_absurd_quantities_and_amounts_are_refused_and_the_sale_stays(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        bells = app.bells
        await scan_burst(pilot, f"99999999999999999999*{JUICE}")
        sale = app.screen
        assert [line.quantity for line in sale.lines] == [1] and app.bells > bells
        assert "more than the 10,000,000 pcs one line may hold" in message(app)
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "99999999999999999999999")
        await pilot.press("enter")
        await idle(pilot)
        # The dialog refuses it where it was typed, and a sane amount still pays.
        assert "is more than the 10,000,000,000 EUR allowed" in str(app.screen.query_one("#error").render())
        assert Order.select().count() == 0 and app.is_running and len(sale.lines) == 1
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "5")
        await pilot.press("enter")
        await idle(pilot)
        assert app.screen is sale and Order.get().total == Decimal("2.50")


async def test_an_unexpected_error_is_a_message_and_the_sale_stays(make_app, monkeypatch, caplog):
    monkeypatch.setattr(guard, "STRICT", False)

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        monkeypatch.setattr("tui.screens.sale.parked.park", broken)
        with caplog.at_level(logging.ERROR, logger="counter.app"):
            await pilot.press("f6")  # park: the disk is full
            await idle(pilot)
        assert app.is_running and isinstance(app.screen, SaleScreen)
        assert [line.product.sku for line in app.screen.lines] == ["JUICE1"]
        assert parked_sales("T01") == []
        [notice] = [n for n in app._notifications if "No space left" in n.message]
        assert "Something went wrong" in notice.message
        assert "No space left on device" in caplog.text and "Traceback" in (app.data_dir / "counter.log").read_text()


async def test_at_80x24_every_key_is_shown_and_dialog_messages_wrap(make_app):
    from textual.widgets import Static

    from tui.widgets.key_bar import KeyBar

    def shown(screen) -> str:
        return str(screen.query_one(KeyBar).query_one(Static).render())

    def keys(screen) -> list[str]:
        return [b.binding.key for b in screen.active_bindings.values() if b.binding.show]

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        for screen_key in ("", "f2"):
            if screen_key:
                await pilot.press(screen_key)
                await idle(pilot)
            text = shown(app.screen)
            for key in keys(app.screen):
                label = app.get_key_display(app.screen.active_bindings[key].binding)
                assert label in text, (label, text)
            assert all(len(row) <= 80 for row in text.splitlines())
        await scan_burst(pilot, RICE)
        await discount(pilot, "f5", "6.00")  # above the clerk's limit: the supervisor's dialog says why
        reason = app.screen.query_one("#reason")
        assert reason.size.height >= 2
        lines = " ".join(reason.render_line(y).text.strip() for y in range(reason.size.height))
        assert lines.strip().endswith("a supervisor must approve it.")


async def test_the_status_bar_keeps_the_sync_state_at_80_columns(make_app):
    from tui.messages import StatusInfo
    from tui.widgets.status_bar import StatusBar

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await login(pilot)
        app.status_info = StatusInfo(location="Demo Market Mitte Nord", terminal="T01", user="Annabelle Clerk",
                                     network="online", pending=12, last_sync="2026-03-02 10:29", attention=2)
        await idle(pilot)
        bar = app.screen.query_one(StatusBar)
        text = bar.render_line(0).text
        assert "2026-03-02 10:29" in text and "2 need attention" in text and "12 to sync" in text
        assert text.lstrip().startswith("T01")


async def test_a_supervisor_typing_code_and_pin_at_once_is_not_typing_the_pin_into_the_code(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, RICE)
        await discount(pilot, "f5", "3.00")  # 25 %: the supervisor's dialog
        sale = app.screen_stack[-2]
        await scan_burst(pilot, "2001\r2345")  # one burst, as fast as a badge wedge types
        await idle(pilot)
        assert app.screen is sale and sale.approver is not None and sale.approver.code == "2001"


async def test_a_line_above_the_large_line_limit_waits_for_a_supervisor(make_app):
    app = make_app(large_line=Decimal(50))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"60*{JUICE}")
        assert app.screen.__class__.__name__ == "SupervisorPinDialog"
        sale = app.screen_stack[-2]
        assert sale.lines == []  # nothing until it is approved
        await pilot.press("escape")
        await idle(pilot)
        assert sale.lines == [] and "a supervisor must approve 60 in one line" in message(app)
        await scan_burst(pilot, f"60*{JUICE}")
        await supervisor(pilot)
        assert [line.quantity for line in sale.lines] == [60] and sale.quantity_approver.code == "2001"
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("enter")
        await idle(pilot)
        assert Order.get().total == Decimal("150.00")
