from __future__ import annotations

from decimal import Decimal

from textual.widgets import Label

from models.catalog import Price, find_by_code
from models.orders import Order
from models.parked import parked_sales
from tests.tui.burst import scan_burst
from tests.tui.counter_data import JUICE, RICE, TEA, TEA_CASE, VITAMIN, cheese_label
from tests.tui.counter_pilot import idle, login, open_sale, type_text
from tui.screens.home import HomeScreen
from tui.screens.sale import SaleScreen
from tui.widgets.message_line import MessageLine
from tui.widgets.totals import TotalsPanel


def message(app) -> str:
    return app.screen.query_one("#sale-message", MessageLine).text


def skus(screen: SaleScreen) -> list[tuple[str, Decimal]]:
    return [(line.product.sku, line.quantity) for line in screen.lines]


async def test_bad_check_digit_is_refused_and_changes_nothing(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        bad = JUICE[:-1] + str((int(JUICE[-1]) + 1) % 10)
        await scan_burst(pilot, bad)
        assert skus(app.screen) == [("JUICE1", 1)]
        assert "Check digit wrong" in message(app)
        assert app.bells == 1


async def test_unknown_code_rings_and_a_supervisor_links_it(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, "ABC-999")
        assert app.screen.lines == []
        assert "Unknown code ABC-999" in message(app) and app.bells == 1
        await pilot.press("f8")
        await idle(pilot)
        await type_text(pilot, "RICE")
        await idle(pilot)
        await pilot.press("down", "enter")
        await idle(pilot)
        # The clerk cannot approve the link: a supervisor's code and PIN are asked.
        await type_text(pilot, "2001")
        await pilot.press("enter")
        await type_text(pilot, "2345")
        await pilot.press("enter")
        await idle(pilot)
        assert find_by_code("ABC-999")[0].sku == "RICE5"
        assert skus(app.screen) == [("RICE5", 1)]


async def test_clerk_pin_cannot_link_a_code(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, "ABC-999")
        await pilot.press("f8")
        await type_text(pilot, "RICE")
        await idle(pilot)
        await pilot.press("down", "enter")
        await idle(pilot)
        await type_text(pilot, "1001")
        await pilot.press("enter")
        await type_text(pilot, "1234")
        await pilot.press("enter")
        await idle(pilot)
        assert "is a clerk; this needs a supervisor" in str(app.screen.query_one("#error", Label).render())
        await pilot.press("escape")
        await idle(pilot)
        assert app.screen.lines == []


async def test_pack_barcode_quantity_prefix_and_merging(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, TEA_CASE)
        await scan_burst(pilot, f"3*{JUICE}")
        await scan_burst(pilot, JUICE)
        await scan_burst(pilot, f"2*{TEA_CASE}")
        assert skus(app.screen) == [("TEA1", 18), ("JUICE1", 4)]


async def test_gs1_with_and_without_aim_prefix_and_lot(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"]C101{'0' + VITAMIN}10LOT42\x1d17271231")
        await scan_burst(pilot, f"01{'0' + VITAMIN}10LOT43")
        await scan_burst(pilot, f"]C101{'0' + JUICE}10IGNORED")
        lines = app.screen.lines
        assert [(line.product.sku, line.lot) for line in lines] == [("VITC", "LOT42"), ("VITC", "LOT43"),
                                                                    ("JUICE1", "")]
        await scan_burst(pilot, "]C10112345678901234")  # a GTIN with a wrong check digit inside GS1
        assert len(app.screen.lines) == 3 and app.bells == 1


async def test_weight_label_sets_the_weight(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, cheese_label(250))
        [line] = app.screen.lines
        assert line.quantity == Decimal("0.250") and line.gross.amount == Decimal("5.00")


async def test_price_is_kept_from_scan_time(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        Price.update(amount=Decimal("9.00")).execute()
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("enter")  # cash, the amount offered is what is due
        await idle(pilot)
        assert Order.get().total == Decimal("2.50")


async def test_esc_mid_sale_keeps_the_lines(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"{JUICE}\r{TEA}")
        sale = app.screen
        await pilot.press("escape")
        await idle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f2")
        await idle(pilot)
        assert app.screen is sale and skus(sale) == [("JUICE1", 1), ("TEA1", 1)]
        assert sale.query_one("#lines").row_count == 2


async def test_logout_parks_the_open_sale_and_it_survives_a_restart(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"{JUICE}\r{RICE}")
        await pilot.press("f12", "f10")
        await idle(pilot)
    assert len(parked_sales("T01")) == 1
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await pilot.press("f7")
        await idle(pilot)
        await pilot.press("enter")
        await idle(pilot)
        assert skus(app.screen) == [("JUICE1", 1), ("RICE5", 1)]
        assert parked_sales("T01") == []


async def test_park_and_resume_in_place(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        await pilot.press("f6")
        await idle(pilot)
        assert app.screen.lines == []
        await scan_burst(pilot, TEA)
        await pilot.press("f7")
        await idle(pilot)
        await pilot.press("enter")
        await idle(pilot)
        # Swapped: the juice sale is back, the tea sale is parked.
        assert skus(app.screen) == [("JUICE1", 1)]
        assert len(parked_sales("T01")) == 1


async def test_void_asks_first(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        await pilot.press("f9")
        await idle(pilot)
        await pilot.press("n")
        await idle(pilot)
        assert len(app.screen.lines) == 1
        await pilot.press("f9")
        await idle(pilot)
        await pilot.press("y")
        await idle(pilot)
        assert app.screen.lines == []
        assert Order.select().count() == 0


async def test_quantity_change_and_remove(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"{JUICE}\r{TEA}")
        await pilot.press("up", "f3")
        await idle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "2.5")
        await pilot.press("enter")
        await idle(pilot)
        assert "whole pcs" in str(app.screen.query_one("#error", Label).render())
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "5")
        await pilot.press("enter")
        await idle(pilot)
        assert skus(app.screen) == [("JUICE1", 5), ("TEA1", 1)]
        await pilot.press("ctrl+r")
        await idle(pilot)
        assert skus(app.screen) == [("TEA1", 1)]


async def discount(pilot, key: str, text: str) -> None:
    await pilot.press(key)
    await idle(pilot)
    await pilot.press("ctrl+a", "ctrl+k")
    await type_text(pilot, text)
    await pilot.press("enter")
    await idle(pilot)


def panel_text(panel: TotalsPanel) -> str:
    return "\n".join(panel.render_line(y).text for y in range(panel.size.height))


async def test_a_long_message_takes_two_lines_and_a_short_one_gives_them_back(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_sale(pilot)
        line = app.screen.query_one("#sale-message", MessageLine)
        await scan_burst(pilot, "XYZ-1")  # unknown: what to do takes more than one line
        assert line.size.height == 2 and "F8" in message(app)
        await scan_burst(pilot, JUICE)
        assert line.size.height == 1 and "Apple juice" in message(app)


async def test_discount_within_limit_and_above_with_supervisor(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, RICE)  # 12.00
        panel = app.screen.query_one(TotalsPanel)
        assert panel.size.height == 3 and "Discount" not in panel_text(panel)
        await discount(pilot, "f4", "10%")
        assert app.screen.lines[0].discount.amount == Decimal("1.20")
        # The panel grows a row for the discount: the clerk sees it, not a cut-off panel.
        assert panel.size.height == 4 and "Discount" in panel_text(panel)
        await discount(pilot, "f4", "25%")
        # Above the clerk's 10 %: the supervisor dialog is up and nothing changed yet.
        assert app.screen.__class__.__name__ == "SupervisorPinDialog"
        sale = app.screen_stack[-2]
        assert sale.lines[0].discount.amount == Decimal("1.20")
        await type_text(pilot, "2001")
        await pilot.press("enter")
        await type_text(pilot, "2345")
        await pilot.press("enter")
        await idle(pilot)
        assert sale.lines[0].discount.amount == Decimal("3.00")
        assert sale.approver.code == "2001"
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("enter")
        await idle(pilot)
        order = Order.get()
        assert order.total == Decimal("9.00") and order.approved_by == "2001"


async def test_refused_supervisor_leaves_the_discount_off(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, RICE)
        await discount(pilot, "f5", "5.00")
        await pilot.press("escape")
        await idle(pilot)
        assert app.screen.order_discount is None
        assert "Discount not applied" in message(app)


async def test_split_card_and_cash_with_change(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, f"{JUICE}\r{RICE}")  # 14.50
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "10")
        await pilot.press("tab")
        await type_text(pilot, "REF123")
        await pilot.press("enter")  # card 10.00
        await idle(pilot)
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "5")
        await pilot.press("enter")  # cash 5.00 -> change 0.50
        await idle(pilot)
        order = Order.get()
        tenders = sorted((t.kind, t.amount, t.change) for t in order.tenders)
        assert tenders == [("card", Decimal("10.00"), Decimal(0)), ("cash", Decimal("5.00"), Decimal("0.50"))]
        assert "Change" in message(app)
        receipt = (tmp_path / "data" / "receipts" / f"{order.number}.txt").read_text()
        assert "REF123" in receipt and "0.50" in receipt


async def test_pay_with_no_lines_is_refused(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        await pilot.press("f10")
        await idle(pilot)
        assert isinstance(app.screen, SaleScreen) and app.bells == 1


async def test_product_without_price_is_refused(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await scan_burst(pilot, "NOPRICE")
        assert app.screen.lines == [] and "has no price" in message(app)
