"""ESC/POS bytes: golden files, Chinese through GB18030 Chinese mode, no stdout chatter."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from printing.config import PrinterConfig
from printing.documents import Money, Receipt, ReceiptLine, ShopHeader, Tender
from printing.errors import DoesNotFit, InvalidDocument, UnsupportedDocument
from printing.renderers import render
from printing.renderers.escpos import CHINESE_OFF, CHINESE_ON, INIT
from printing.renderers.options import RenderOptions
from printing.testpage import render_test_page
from tests.printing.golden_util import check_golden


def test_golden_receipt(receipt):
    check_golden("receipt_80mm.escpos", render(receipt, "escpos").data)


def test_golden_test_page():
    printer = PrinterConfig("till", "cups", "TM", "escpos")
    check_golden("test_page.escpos", render_test_page(printer, now=datetime(2025, 1, 1)).data)


def test_nothing_is_written_to_stdout(receipt, capfd):
    render(receipt, "escpos")
    render_test_page(PrinterConfig("till", "cups", "TM", "escpos"))
    out, _ = capfd.readouterr()
    assert out == ""  # python-escpos's "Using hardware barcode renderer" would corrupt a Textual screen


def test_receipt_starts_with_init_and_ends_with_cut(receipt):
    data = render(receipt, "escpos").data
    assert data.startswith(INIT)
    assert data.endswith(b"\x1dV\x00")  # GS V 0: full cut


def test_chinese_runs_use_chinese_mode_and_gb18030(receipt):
    data = render(receipt, "escpos").data
    assert CHINESE_ON + "小店".encode("gb18030") + CHINESE_OFF in data
    assert CHINESE_ON + "牛奶".encode("gb18030") + CHINESE_OFF in data
    assert "谢谢惠顾".encode("gb18030") in data
    # Latin text next to Chinese stays in the code page: é is CP437 0x82, not GB18030.
    assert b"Cr\x8ame br\x96l\x82e" in data
    assert data.count(CHINESE_ON) == data.count(CHINESE_OFF)


def test_order_number_is_code128_for_returns(receipt):
    data = render(receipt, "escpos").data
    payload = b"{BS-T01-000123"
    assert b"\x1dkI" + bytes([len(payload)]) + payload in data


def test_printer_without_chinese_refuses_chinese_receipt(receipt):
    with pytest.raises(InvalidDocument, match="without Chinese"):
        render(receipt, "escpos", RenderOptions(escpos_cjk="none"))


def test_amount_too_wide_for_58mm_paper_is_refused():
    huge = Money(Decimal("123456789012345.00"), "EUR")
    receipt = Receipt(ShopHeader("Shop"), "S-T01-000001", datetime(2025, 1, 1),
                      (ReceiptLine("Thing", Decimal(1), huge),), tenders=(Tender("Card", huge),), paper_width_mm=58)
    with pytest.raises(DoesNotFit, match="58 mm"):
        render(receipt, "escpos")


def test_copies_repeat_the_whole_receipt(receipt):
    one = render(receipt, "escpos").data
    assert render(receipt, "escpos", RenderOptions(copies=2)).data == one * 2


def test_labels_are_not_escpos_documents(product_label):
    with pytest.raises(UnsupportedDocument):
        render(product_label, "escpos")
