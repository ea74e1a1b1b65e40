"""Every PNG a renderer makes is scanned back with zxing-cpp and its payload checked."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from printing.barcodes import Barcode
from printing.config import PrinterConfig
from printing.documents import LabelSize, Money, ProductLabel
from printing.renderers import render
from printing.renderers.options import RenderOptions
from printing.testpage import render_test_page, test_barcodes
from tests.printing.conftest import VALID


def scan(png: bytes) -> list[tuple[str, str, str]]:
    image = Image.open(io.BytesIO(png))
    return [(r.format.name, r.text, r.symbology_identifier) for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("dpi", [203, 300])
def test_product_label_ean13_reads_back(product_label, dpi):
    png = render(product_label, "png", RenderOptions(dpi=dpi)).data
    assert scan(png) == [("EAN13", "4006381333931", "]E0")]
    assert Image.open(io.BytesIO(png)).size == (round(60 / 25.4 * dpi), round(40 / 25.4 * dpi))


@pytest.mark.parametrize("code", VALID["ean8"] + VALID["upca"] + VALID["ean13"])
def test_all_sample_gtins_read_back(code):
    label = ProductLabel("Sample", Money.of("1.00", "EUR"), Barcode.gtin(code), size=LabelSize(60, 40))
    results = scan(render(label, "png").data)
    assert len(results) == 1
    # zxing reports UPC-A as EAN-13 with a leading zero, which is the same GTIN.
    assert results[0][1].lstrip("0") == code.lstrip("0")


@pytest.mark.parametrize("dpi", [203, 300])
def test_tracked_label_gs1_128_reads_back_with_application_identifiers(tracked_label, dpi):
    results = scan(render(tracked_label, "png", RenderOptions(dpi=dpi)).data)
    assert results == [("Code128", "(01)09501101530003(10)LOT42(17)271231", "]C1")]


def test_shelf_label_reads_back(shelf_label):
    assert scan(render(shelf_label, "png").data) == [("EAN13", "5901234123457", "]E0")]


def test_shipping_label_tracking_number_reads_back(shipping_label):
    assert scan(render(shipping_label, "png").data) == [("Code128", "6A12345678901", "]C0")]


def test_receipt_preview_order_number_reads_back(receipt):
    assert scan(render(receipt, "png").data) == [("Code128", "S-T01-000123", "]C0")]


@pytest.mark.parametrize("dpi", [203, 300])
def test_test_page_has_every_barcode_kind_readable(dpi):
    printer = PrinterConfig("preview", "folder", "/tmp", "png", dpi=dpi)
    found = {(fmt, text) for fmt, text, _ in scan(render_test_page(printer).data)}
    expected = {
        ("EAN13", "4006381333931"),
        ("EAN8", "96385074"),
        ("EAN13", "0036000291452"),  # the UPC-A, as zxing reports it
        ("Code128", "S-T01-000123"),
        ("Code128", "(01)09501101530003(10)LOT42(17)271231"),
        ("QRCode", "https://id.gs1.org/01/09501101530003/10/LOT42"),
        ("DataMatrix", "(01)09501101530003(10)LOT42(17)271231"),
    }
    assert found == expected
    assert len(test_barcodes()) == 7


def test_test_page_datamatrix_is_gs1():
    printer = PrinterConfig("preview", "folder", "/tmp", "png", dpi=300)
    image = Image.open(io.BytesIO(render_test_page(printer).data))
    dm = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.DataMatrix)
    assert [r.symbology_identifier for r in dm] == ["]d2"]  # GS1 DataMatrix, FNC1 first
