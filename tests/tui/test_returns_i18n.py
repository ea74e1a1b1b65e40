from __future__ import annotations

from decimal import Decimal

import pytest
from babel.messages.extract import extract_from_dir
from rich.cells import cell_len

from models.catalog import current_price, product_by_sku
from models.ledger import on_hand
from models.money import Money
from models.ops.selling import Payment, SaleLine, sell
from models.orders import Order
from models.store import actor_for
from tests.tui.burst import scan_burst
from tests.tui.counter_data import JUICE, RICE, TEA
from tests.tui.counter_pilot import idle, login
from tui import i18n
from tui.screens.sale import SaleScreen
from tui.widgets.lines_table import LinesTable
from tui.widgets.sale_lines import SaleLinesTable


def sold(*skus: str) -> Order:
    actor = actor_for("T01", "1001")
    lines = [SaleLine(product_by_sku(s), Decimal(1), current_price(product_by_sku(s))) for s in skus]
    total = sum((line.gross for line in lines), Money.zero("EUR"))
    return sell(actor, lines, [Payment("cash", total)])


async def test_return_a_line_by_scanning_the_receipt(make_app):
    order = sold("JUICE1", "RICE5")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f3")
        await idle(pilot)
        await scan_burst(pilot, f"]C0{order.number}")  # Code 128 with its AIM prefix
        assert app.screen.original.number == order.number
        await scan_burst(pilot, RICE)  # scanning the item picks its line
        await idle(pilot)
        await pilot.press("f10")  # reason and condition defaults: damaged, restock
        await idle(pilot)
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("enter")  # refund cash 12.00
        await idle(pilot)
        ret = Order.get(Order.kind == "return")
        assert ret.total == Decimal("-12.00") and ret.original_id == order.id
        assert on_hand(actor_for("T01", "1001").location, product_by_sku("RICE5")) == 0


async def test_unknown_receipt_is_refused(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f3")
        await idle(pilot)
        await scan_burst(pilot, "S-T01-999999")
        assert app.screen.original is None and app.bells == 1


async def test_exchange_find_sale_and_pay_the_difference(make_app):
    order = sold("JUICE1")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f3")
        await idle(pilot)
        await pilot.press("f8")
        await idle(pilot)
        await pilot.press("enter")
        await idle(pilot)
        assert app.screen.original.number == order.number
        await pilot.press("f3")
        await idle(pilot)
        await pilot.press("f10")
        await idle(pilot)
        await pilot.press("f6")
        await scan_burst(pilot, TEA)  # 3.20 for the 2.50 juice: 0.70 to pay
        await pilot.press("f10")
        await idle(pilot)
        assert "0.70" in str(app.screen.query_one("#due").render())
        await pilot.press("enter")
        await idle(pilot)
        new_sale = Order.select().where((Order.kind == "sale") & (Order.id != order.id)).get()
        assert new_sale.total == Decimal("3.20")
        assert Order.get(Order.kind == "return").total == Decimal("-2.50")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_snapshot_returns_with_a_line_chosen(snap_compare, make_app, lang):
    order = sold("JUICE1", "RICE5", "TEA1")

    async def before(pilot):
        await login(pilot)
        await pilot.press("f3")
        await idle(pilot)
        await scan_burst(pilot, order.number)
        await scan_burst(pilot, RICE)  # picks its line and asks how many and why
        await idle(pilot)
        await pilot.press("f10")  # one, the default reason and condition
        await idle(pilot)

    assert snap_compare(make_app(lang), terminal_size=(80, 24), run_before=before)


async def test_choosing_a_line_keeps_it_selected_and_shows_it(make_app):
    order = sold("JUICE1", "RICE5", "TEA1")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f3")
        await idle(pilot)
        await scan_burst(pilot, order.number)
        table = app.screen.query_one("#returns-lines", LinesTable)
        assert [table.row_text(row)[:4] for row in range(table.row_count)] == [
            ("1", "Apple juice 1L", "1", "1"), ("2", "Rice 5kg", "1", "1"), ("3", "Green tea", "1", "1")]
        await pilot.press("down", "down", "up")
        assert table.cursor_row == 1
        await pilot.press("f3")
        await idle(pilot)
        await pilot.press("f10")
        await idle(pilot)
        assert table.cursor_row == 1
        assert table.row_text(1)[4] == "1" and table.row_text(1)[5]  # returning one, with its reason
        assert table.row_text(0)[4] == table.row_text(2)[4] == ""


async def test_chinese_names_keep_the_columns_aligned(make_app):
    app = make_app("zh_CN")
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        await scan_burst(pilot, f"{JUICE}\r{RICE}\r{TEA}")
        table = app.screen.query_one(SaleLinesTable)
        names = [line.product.display_name("zh_CN") for line in app.screen.lines]
        assert names[1] == "东北大米 5公斤"
        positions = []
        for row in range(3):
            text = table.render_line(row + 1).text  # line 0 is the header
            price = f"{app.screen.lines[row].unit_price.amount:.2f}"
            # Where the price column ends, counted in terminal cells, is the same on every row.
            positions.append(cell_len(text[: text.index(price) + len(price)]))
        assert len(set(positions)) == 1, positions
        assert cell_len(names[1]) == 2 * 6 + 2  # six Han characters take 12 cells, " 5" two


# Every message the clerk can read: the app's strings, and the refusals of the domain operations
# (raised with a template, translated by the screen that shows them). Import reports are the CLI's;
# models/oms/ is head office's order management, read through its API and CLI, not at a counter.
DOMAIN_ERRORS = {name: None for name in ("DomainError", "NotFound", "InsufficientStock", "PermissionDenied",
                                          "Conflict", "ScanError")}


def shown_messages() -> list[tuple[str, str]]:
    found = []
    for folder, keywords in (("tui", None), ("models", DOMAIN_ERRORS)):
        options = {"keywords": keywords} if keywords else {}
        for file, _line, message, _comments, _ctx in extract_from_dir(
                folder, method_map=[("**.py", "python")], **options):
            message = message[0] if isinstance(message, tuple) else message
            if message and message.strip() and not message.startswith("+{") and not file.startswith(("importing/", "oms/")):
                found.append((f"{folder}/{file}", message))
    return found


def test_every_message_a_clerk_can_read_has_a_chinese_translation():
    i18n.catalogue.cache_clear()
    catalogue = i18n.catalogue("zh_CN")
    missing = sorted({f"{file}: {message}" for file, message in shown_messages()
                      if catalogue.gettext(message) == message})
    assert missing == []


def test_a_translation_keeps_every_placeholder_of_its_message():
    import string

    i18n.catalogue.cache_clear()
    catalogue = i18n.catalogue("zh_CN")

    def fields(text: str) -> set[str]:
        return {name for _, name, spec, conv in string.Formatter().parse(text) if name is not None}

    broken = [(m, catalogue.gettext(m)) for _, m in shown_messages()
              if "{" in m and fields(m) != fields(catalogue.gettext(m))]
    assert broken == []


def test_the_domain_refusals_show_in_chinese_on_a_chinese_screen():
    from models.errors import DomainError
    from tui.guard import explain

    error = DomainError("{sku}: {have} on hand, cannot send {quantity}.", sku="TEA1", have=2, quantity=5)
    assert str(error) == "TEA1: 2 on hand, cannot send 5."
    i18n.set_language("zh_CN")
    try:
        assert explain(error) == "TEA1：现有 2，不能发出 5。"
    finally:
        i18n.set_language("en")
    assert explain(error) == str(error)


def test_language_switch_and_fallback():
    i18n.set_language("zh")
    assert i18n._("Sale") == "销售" and i18n.language() == "zh_CN"
    i18n.set_language("en")
    assert i18n._("Sale") == "Sale"


async def test_zh_footer_is_translated(make_app):
    app = make_app("zh_CN")
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f2")
        await idle(pilot)
        assert isinstance(app.screen, SaleScreen)
        descriptions = {a.binding.description for a in app.screen.active_bindings.values()}
        assert {"付款", "挂单", "作废"} <= descriptions
