"""ZPL output: golden bytes plus the field problems (size, orientation, UTF-8, GS1 FNC1)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from printing.config import PrinterConfig
from printing.documents import LabelSize, Money, ProductLabel
from printing.errors import DoesNotFit, InvalidDocument, LabelSizeMismatch
from printing.renderers import render
from printing.renderers.options import RenderOptions
from printing.testpage import render_test_page
from tests.printing.golden_util import check_golden


def zpl(document, **options) -> str:
    return render(document, "zpl", RenderOptions(**options)).data.decode("utf-8")


@pytest.mark.parametrize("dpi", [203, 300])
def test_golden_product_label(product_label, dpi):
    check_golden(f"product_label_{dpi}.zpl", render(product_label, "zpl", RenderOptions(dpi=dpi)).data)


@pytest.mark.parametrize("dpi", [203, 300])
def test_golden_tracked_label(tracked_label, dpi):
    check_golden(f"tracked_label_{dpi}.zpl", render(tracked_label, "zpl", RenderOptions(dpi=dpi)).data)


def test_golden_shipping_label(shipping_label):
    check_golden("shipping_label_203.zpl", render(shipping_label, "zpl", RenderOptions(dpi=203)).data)


def test_golden_test_page():
    printer = PrinterConfig("zebra", "tcp", "127.0.0.1", "zpl", dpi=203, label=LabelSize(100, 150))
    check_golden("test_page_203.zpl", render_test_page(printer, now=datetime(2025, 1, 1)).data)


@pytest.mark.parametrize(("size", "dpi", "pw", "ll"), [
    (LabelSize(60, 40), 203, 480, 320),
    (LabelSize(60, 40), 300, 709, 472),
    (LabelSize(100, 150), 203, 799, 1199),
    (LabelSize(40, 60), 203, 320, 480),  # portrait stock: width and height are not swapped
])
def test_label_size_and_orientation_are_set_every_job(product_label, size, dpi, pw, ll):
    from dataclasses import replace

    out = zpl(replace(product_label, size=size), dpi=dpi)
    assert f"^PW{pw}\n" in out and f"^LL{ll}\n" in out
    assert "^PON" in out and "^LH0,0" in out  # a previous job's orientation/home does not leak in
    # Nothing is placed outside the label.
    for x, y in re.findall(r"\^FO(\d+),(\d+)", out):
        assert int(x) < pw and int(y) < ll


def test_document_size_must_match_loaded_media(product_label):
    with pytest.raises(LabelSizeMismatch, match="60x40 mm"):
        zpl(product_label, size=LabelSize(50, 30))


def test_label_without_size_takes_the_media_size(product_label):
    from dataclasses import replace

    out = zpl(replace(product_label, size=None), size=LabelSize(50, 30))
    assert "^PW400" in out and "^LL240" in out
    with pytest.raises(InvalidDocument, match="no label size"):
        zpl(replace(product_label, size=None))


def test_utf8_accents_and_chinese_are_sent_as_utf8_with_ci28(shelf_label):
    from dataclasses import replace

    out = render(replace(shelf_label, name="Café 咖啡 moulu"), "zpl", RenderOptions()).data
    assert b"^CI28" in out
    assert "Café 咖啡 moulu".encode() in out
    assert b"?" not in out.replace(b"^FH_^FD", b"")  # nothing degraded to '?'


def test_chinese_uses_configured_printer_font(product_label):
    from dataclasses import replace

    out = zpl(replace(product_label, name="有机燕麦奶"), zpl_cjk_font="E:SIMSUN.FNT")
    assert "^A@N,32,32,E:SIMSUN.FNT" in out
    assert "^A0N" in out  # the price still uses the built-in font


def test_gs1_128_uses_start_c_fnc1_and_fnc1_after_lot(tracked_label):
    out = zpl(tracked_label)
    field = re.search(r"\^BCN,\d+,N,N,N,N\^FH_\^FD(.*?)\^FS", out).group(1)
    assert field.startswith(">;>8")
    assert field == ">;>8010950110153000310>6LOT42>8>517271231"


def test_ean13_uses_be_with_12_digits_and_whole_dot_modules(product_label):
    out = zpl(product_label, dpi=300)
    assert "^BEN," in out and "^FD400638133393^FS" in out
    module = int(re.search(r"\^BY(\d+),", out).group(1))
    assert module >= 2  # 0.17 mm or more at 300 dpi, an integer number of dots


def test_copies_use_pq(product_label):
    assert "^PQ12,0,1,Y" in zpl(product_label, copies=12)


def test_special_characters_are_hex_escaped_not_interpreted(product_label):
    from dataclasses import replace

    out = zpl(replace(product_label, name="A^B~C_D"))
    assert "^FDA_5EB_7EC_5FD^FS" in out


def test_price_too_wide_for_label_is_refused():
    label = ProductLabel("Gold bar", Money.of("123456789.99", "EUR"),
                         __import__("printing.barcodes").barcodes.Barcode.gtin("96385074"),
                         size=LabelSize(25, 30))
    with pytest.raises(DoesNotFit, match="price"):
        zpl(label)


def test_gs1_128_too_long_for_narrow_label_is_refused(tracked_label):
    from dataclasses import replace

    with pytest.raises(DoesNotFit, match="DataMatrix"):
        zpl(replace(tracked_label, size=LabelSize(40, 40)), dpi=300)
