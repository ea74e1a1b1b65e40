"""Printing from the app: receipts, reprints, intake labels and shelf labels go to the folder printer.

The folder printer is this terminal's default (PDF files in a directory); its files are read back
with ``pdf_text`` so a test sees what a person opening the file would.
"""

from __future__ import annotations

from pathlib import Path

from models.orders import Order
from tests.tui.burst import scan_burst
from tests.tui.counter_data import JUICE, TEA
from tests.tui.counter_pilot import idle, login, open_sale
from tests.tui.hq_setup import until
from tests.tui.pdf_text import pdf_pages, read_pdf_text
from tests.tui.stock_pilot import choose
from tui.dialogs.confirm import ConfirmDialog
from tui.screens.intake import BLIND, IntakeScreen
from tui.widgets.message_line import MessageLine


def printing_section(tmp_path: Path) -> dict:
    return {"output_dir": str(tmp_path / "prints"), "queue": str(tmp_path / "print-queue.sqlite3")}


def printed(tmp_path: Path, prefix: str) -> list[Path]:
    folder = tmp_path / "prints"
    return sorted(folder.glob(f"{prefix}*.pdf")) if folder.exists() else []


async def sell_juice(pilot) -> str:
    await open_sale(pilot)
    await scan_burst(pilot, f"{JUICE}\r{TEA}")
    await pilot.press("f10")
    await idle(pilot)
    await pilot.press("enter")
    await idle(pilot)
    return Order.get().number


async def test_receipt_of_a_sale_is_printed_and_reprinted(make_app, tmp_path):
    app = make_app(printing=printing_section(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        number = await sell_juice(pilot)
        await until(pilot, lambda: len(printed(tmp_path, f"receipt-{number}")) == 1, what="the receipt file")
        [receipt] = printed(tmp_path, f"receipt-{number}")
        text = read_pdf_text(receipt)
        assert number in text and "Apple juice 1L" in text and "Green tea" in text and "€5.70" in text
        assert not (tmp_path / "data" / "receipts").exists()  # printed: no text copy
        assert "sent to the printer" in str(app.screen.query_one("#sale-last").render())
        await pilot.press("f11")
        await idle(pilot)
        await until(pilot, lambda: len(printed(tmp_path, f"receipt-{number}")) == 2, what="the reprint")
        first, second = printed(tmp_path, f"receipt-{number}")
        assert first.read_bytes() == second.read_bytes()
        assert "again" in str(app.screen.query_one("#sale-message").render())


async def test_printing_failure_keeps_the_receipt_as_text(make_app, tmp_path):
    # A route to a printer that does not exist: the config is refused when printing starts.
    app = make_app(printing={"routes": {"receipt": "nowhere"}, "queue": str(tmp_path / "q.sqlite3")})
    async with app.run_test(size=(100, 30)) as pilot:
        number = await sell_juice(pilot)
        receipt = tmp_path / "data" / "receipts" / f"{number}.txt"
        assert number in receipt.read_text(encoding="utf-8")
        assert "printing failed" in str(app.screen.query_one("#sale-last").render())
        assert Order.get().number == number  # the sale stands whatever the printer did


async def test_reprint_without_a_printer_is_refused(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_sale(pilot)
        await pilot.press("f11")
        await idle(pilot)
        assert app.bells == 1 and "No printer" in str(app.screen.query_one("#sale-message").render())


async def book_in(pilot, codes: str) -> IntakeScreen:
    await login(pilot)
    await pilot.press("f5")
    await choose(pilot, BLIND)
    await scan_burst(pilot, codes)
    await pilot.press("f10")
    await idle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IntakeScreen)
    return screen


async def test_intake_prints_one_label_per_unit_booked_in(make_app, tmp_path):
    app = make_app(printing=printing_section(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await book_in(pilot, f"3*{JUICE}\r{TEA}")
        await pilot.press("f7")
        await idle(pilot)
        await until(pilot, lambda: len(printed(tmp_path, "product_label-")) == 2, what="two label jobs")
        juice = printed(tmp_path, "product_label-JUICE1")[0].read_bytes()
        tea = printed(tmp_path, "product_label-TEA1")[0].read_bytes()
        assert (pdf_pages(juice), pdf_pages(tea)) == (3, 1)
        assert "Apple juice 1L" in read_pdf_text(printed(tmp_path, "product_label-JUICE1")[0])
        assert "4 labels sent" in screen.query_one(MessageLine).text


async def test_a_big_label_run_asks_first_and_no_means_nothing_printed(make_app, tmp_path):
    app = make_app(printing=printing_section(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await book_in(pilot, f"60*{JUICE}")
        await pilot.press("f7")
        await idle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "60 labels" in str(app.screen.query_one("#question").render())
        await pilot.press("n")
        await idle(pilot)
        assert printed(tmp_path, "product_label-") == []


async def test_labels_before_booking_in_are_refused(make_app, tmp_path):
    app = make_app(printing=printing_section(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f5")
        await choose(pilot, BLIND)
        await pilot.press("f7")
        await idle(pilot)
        assert "Book goods in first" in app.screen.query_one(MessageLine).text


async def test_lookup_prints_a_shelf_label_for_the_shown_product(make_app, tmp_path):
    app = make_app(printing=printing_section(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f4")
        await idle(pilot)
        await scan_burst(pilot, JUICE)
        await until(pilot, lambda: app.screen.card is not None, what="the product card")
        await pilot.press("f6")
        await idle(pilot)
        await until(pilot, lambda: len(printed(tmp_path, "shelf_label-JUICE1")) == 1, what="the shelf label")
        assert "2.50" in read_pdf_text(printed(tmp_path, "shelf_label-JUICE1")[0])
