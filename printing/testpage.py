"""A test page with every barcode kind we print, in the format of a given printer."""

from __future__ import annotations

from datetime import date, datetime

from printing.barcodes import Barcode, Symbology
from printing.config import PrinterConfig
from printing.documents import TestPage
from printing.renderers import Rendered, render

#: Known-good sample values (GS1's own examples), so a scan of the page can be checked by eye.
SAMPLE_GTIN = "09501101530003"


def test_barcodes() -> tuple[Barcode, ...]:
    gs1 = Barcode.gs1(SAMPLE_GTIN, lot="LOT42", expiry=date(2027, 12, 31))
    return (
        Barcode(Symbology.EAN13, "4006381333931"),
        Barcode(Symbology.EAN8, "96385074"),
        Barcode(Symbology.UPCA, "036000291452"),
        Barcode(Symbology.CODE128, "S-T01-000123"),
        gs1,
        Barcode(Symbology.QR, "https://id.gs1.org/01/09501101530003/10/LOT42"),
        Barcode(Symbology.GS1_DATAMATRIX, gs1.data),
    )


def build_test_page(printer: PrinterConfig, now: datetime | None = None) -> TestPage:
    kwargs = {"created_at": now} if now else {}
    return TestPage(printer.name, test_barcodes(), size=printer.label, **kwargs)


def render_test_page(printer: PrinterConfig, now: datetime | None = None) -> Rendered:
    """The test page rendered for ``printer``'s format, dpi and label size."""
    return render(build_test_page(printer, now), printer.format, printer.render_options())


build_test_page.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
render_test_page.__test__ = False  # type: ignore[attr-defined]
test_barcodes.__test__ = False  # type: ignore[attr-defined]
