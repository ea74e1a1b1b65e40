from __future__ import annotations

from decimal import Decimal

from models.orders import Order
from tests.tui.burst import scan_burst
from tests.tui.counter_data import JUICE, RICE, TEA
from tests.tui.counter_pilot import idle, open_sale, type_text
from tui.screens.sale import SaleScreen


async def test_sell_three_items_cash(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        screen = app.screen
        assert isinstance(screen, SaleScreen)
        await scan_burst(pilot, f"{JUICE}\r{TEA}\r{RICE}")
        assert [line.product.sku for line in screen.lines] == ["JUICE1", "TEA1", "RICE5"]
        await pilot.press("f10")
        await idle(pilot)
        await type_text(pilot, "20")
        await pilot.press("enter")
        await idle(pilot)
        order = Order.get()
        assert order.total == Decimal("17.70")
        assert screen.lines == []
        receipt = tmp_path / "data" / "receipts" / f"{order.number}.txt"
        assert "17.70" in receipt.read_text()
        assert order.number in str(screen.query_one("#sale-last").render())
