"""Placing a document on a label, in printer dots, shared by the ZPL, PNG, SVG and PDF renderers.

Layout works in dots at the target resolution so barcode modules are whole dots (uneven bars
scan badly) and every renderer draws exactly the same geometry. Anything that would be cut off
raises ``DoesNotFit`` here, before a single byte is produced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from printing.barcodes import QUIET_ZONE, Barcode, linear_modules, matrix_modules
from printing.documents import (
    LabelSize,
    ProductLabel,
    Receipt,
    ShelfLabel,
    ShippingLabel,
    TestPage,
)
from printing.errors import DoesNotFit, UnsupportedDocument
from printing.fonts import is_wide
from printing.money_format import money_text
from printing.receipt_format import COLUMNS, receipt_rows, row_text

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    x: int
    y: int
    height: int  # em size in dots
    text: str
    width: int  # box width; the text is aligned inside it
    bold: bool = False
    align: Align = "left"


@dataclass(frozen=True)
class Bars:
    """A linear barcode; ``x`` is where the first bar starts (quiet zones are outside)."""

    x: int
    y: int
    barcode: Barcode
    module: int  # dots per module
    height: int

    @property
    def modules(self) -> str:
        return linear_modules(self.barcode)

    @property
    def width(self) -> int:
        return len(self.modules) * self.module


@dataclass(frozen=True)
class Matrix:
    x: int
    y: int
    barcode: Barcode
    module: int

    @property
    def rows(self) -> tuple[tuple[bool, ...], ...]:
        return matrix_modules(self.barcode)


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int


Item = Text | Bars | Matrix | Box


@dataclass(frozen=True)
class Canvas:
    dpi: int
    width: int
    height: int
    items: tuple[Item, ...]

    @property
    def size(self) -> LabelSize:
        return LabelSize(self.width / dpmm(self.dpi), self.height / dpmm(self.dpi))


def dpmm(dpi: int) -> float:
    return dpi / 25.4


def mm(value_mm: float, dpi: int) -> int:
    return round(value_mm * dpmm(dpi))


# Average advance per em; measured on DejaVu Sans (digits 0.64, bold 0.70) and rounded up so a
# text we accept also fits the printers' own, narrower, fonts.
_ADVANCE = {False: 0.64, True: 0.71}


def text_width(text: str, height: int, bold: bool = False) -> int:
    return math.ceil(sum(1.0 if is_wide(c) else _ADVANCE[bold] for c in text) * height)


def fit_height(text: str, width: int, wanted: int, minimum: int, bold: bool, what: str, dpi: int) -> int:
    """Largest height <= wanted at which ``text`` fits ``width``; DoesNotFit below ``minimum``."""
    per_em = text_width(text, 1000, bold) / 1000
    height = min(wanted, math.floor(width / per_em)) if per_em else wanted
    if height < minimum:
        raise DoesNotFit(
            f"{what} {text!r} does not fit a {width / dpmm(dpi):.1f} mm wide space "
            f"(needs {per_em * minimum / dpmm(dpi):.1f} mm at the smallest readable size)"
        )
    return height


def shrink_or_ellipsize(text: str, width: int, wanted: int, minimum: int, bold: bool = False) -> tuple[int, str]:
    """Names: shrink to ``minimum`` first, then cut with an ellipsis (a name may be long, a price not)."""
    per_em = text_width(text, 1000, bold) / 1000 or 1
    height = max(minimum, min(wanted, math.floor(width / per_em)))
    return height, ellipsize(text, width, height, bold)


def ellipsize(text: str, width: int, height: int, bold: bool = False) -> str:
    if text_width(text, height, bold) <= width:
        return text
    while text and text_width(text + "…", height, bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# Module widths: 0.33 mm is the nominal EAN X-dimension; below ~0.125 mm scanners struggle.
_MAX_MODULE_MM = 0.33
_MIN_MODULE_MM = 0.125
_MIN_BAR_HEIGHT_MM = 5.0


def linear_barcode(
    barcode: Barcode, x: int, y: int, width: int, height: int, dpi: int, what: str = "barcode"
) -> Bars:
    """Centre a linear barcode in a ``width`` box, with whole-dot modules and its quiet zones."""
    left_q, right_q = QUIET_ZONE[barcode.symbology]
    total = len(linear_modules(barcode)) + left_q + right_q
    min_module = max(1, math.ceil(_MIN_MODULE_MM * dpmm(dpi) - 1e-9))
    module = min(max(min_module, round(_MAX_MODULE_MM * dpmm(dpi))), width // total)
    if module < min_module:
        raise DoesNotFit(
            f"{what} {barcode.hri!r} ({barcode.symbology}) needs {total * min_module / dpmm(dpi):.1f} mm "
            f"but the label leaves {width / dpmm(dpi):.1f} mm; use a wider label"
            + (" or a GS1 DataMatrix" if barcode.symbology.is_gs1 else "")
        )
    if height < mm(_MIN_BAR_HEIGHT_MM, dpi):
        raise DoesNotFit(f"{what}: only {height / dpmm(dpi):.1f} mm left for the bars; use a taller label")
    bar_width = len(linear_modules(barcode)) * module
    return Bars(x + (width - bar_width) // 2, y, barcode, module, height)


def matrix_barcode(barcode: Barcode, x: int, y: int, side: int, dpi: int, what: str = "barcode") -> Matrix:
    rows = matrix_modules(barcode)
    quiet = QUIET_ZONE[barcode.symbology][0]
    module = side // (len(rows) + 2 * quiet)
    if module < max(1, math.ceil(0.25 * dpmm(dpi))):
        raise DoesNotFit(f"{what} {barcode.symbology} needs more than {side / dpmm(dpi):.1f} mm")
    module = min(module, mm(0.5, dpi))
    return Matrix(x + quiet * module, y + quiet * module, barcode, module)


def _barcode_with_hri(
    items: list[Item], barcode: Barcode, x: int, y: int, width: int, height: int, dpi: int, what: str
) -> None:
    hri_h = min(mm(2.5, dpi), fit_height(barcode.hri, width, mm(2.5, dpi), mm(1.5, dpi), False, what, dpi))
    bars = linear_barcode(barcode, x, y, width, height - hri_h - mm(0.5, dpi), dpi, what)
    items.append(bars)
    items.append(Text(x, y + bars.height + mm(0.5, dpi), hri_h, barcode.hri, width, align="center"))


# -- labels ------------------------------------------------------------------------------------


def layout(document: object, size: LabelSize, dpi: int) -> Canvas:
    """Lay any label-like document out on ``size`` at ``dpi``."""
    if isinstance(document, ProductLabel):
        return product_label(document, size, dpi)
    if isinstance(document, ShelfLabel):
        return shelf_label(document, size, dpi)
    if isinstance(document, ShippingLabel):
        return shipping_label(document, size, dpi)
    if isinstance(document, Receipt):
        return receipt_page(document, dpi)
    if isinstance(document, TestPage):
        return test_page(document, size, dpi)
    raise UnsupportedDocument(f"{type(document).__name__} cannot be laid out on a label")


def product_label(doc: ProductLabel, size: LabelSize, dpi: int) -> Canvas:
    width, height = mm(size.width_mm, dpi), mm(size.height_mm, dpi)
    margin = mm(1.5, dpi)
    inner = width - 2 * margin
    items: list[Item] = []
    y = margin
    name_h, name = shrink_or_ellipsize(doc.name, inner, min(mm(4, dpi), round(height * 0.12)), mm(2.5, dpi), True)
    items.append(Text(margin, y, name_h, name, inner, bold=True))
    y += round(name_h * 1.2)
    price = money_text(doc.price, doc.locale)
    price_h = fit_height(price, inner, min(mm(10, dpi), round(height * 0.22)), mm(3, dpi), True, "price", dpi)
    items.append(Text(margin, y, price_h, price, inner, bold=True, align="right"))
    y += round(price_h * 1.15)
    if doc.lot or doc.expiry:
        info = "  ".join(
            part
            for part in (
                f"LOT {doc.lot}" if doc.lot else "",
                f"EXP {doc.expiry:%Y-%m-%d}" if doc.expiry else "",
            )
            if part
        )
        info_h = fit_height(info, inner, mm(2.5, dpi), mm(1.5, dpi), False, "lot/expiry", dpi)
        items.append(Text(margin, y, info_h, info, inner))
        y += round(info_h * 1.2)
    _barcode_with_hri(items, doc.barcode, margin, y, inner, height - margin - y, dpi, "product barcode")
    return Canvas(dpi, width, height, tuple(items))


def shelf_label(doc: ShelfLabel, size: LabelSize, dpi: int) -> Canvas:
    width, height = mm(size.width_mm, dpi), mm(size.height_mm, dpi)
    margin = mm(1.5, dpi)
    inner = width - 2 * margin
    items: list[Item] = []
    y = margin
    name_h, name = shrink_or_ellipsize(doc.name, inner, min(mm(4.5, dpi), round(height * 0.11)), mm(2.5, dpi), True)
    items.append(Text(margin, y, name_h, name, inner, bold=True))
    y += round(name_h * 1.2)
    if doc.promo:
        promo_h = min(name_h, fit_height(doc.promo, inner, name_h, mm(2, dpi), True, "promotion", dpi))
        items.append(Text(margin, y, promo_h, doc.promo, inner, bold=True))
        y += round(promo_h * 1.2)
    price = money_text(doc.price, doc.locale)
    price_h = fit_height(price, inner, min(mm(14, dpi), round(height * 0.3)), mm(4, dpi), True, "price", dpi)
    items.append(Text(margin, y, price_h, price, inner, bold=True, align="right"))
    y += round(price_h * 1.1)
    if doc.unit_price is not None:
        unit = f"{money_text(doc.unit_price, doc.locale)} / {doc.unit}"
        unit_h = fit_height(unit, inner, mm(3, dpi), mm(2, dpi), False, "unit price", dpi)
        items.append(Text(margin, y, unit_h, unit, inner, align="right"))
        y += round(unit_h * 1.2)
    _barcode_with_hri(items, doc.barcode, margin, y, inner, height - margin - y, dpi, "shelf barcode")
    return Canvas(dpi, width, height, tuple(items))


def shipping_label(doc: ShippingLabel, size: LabelSize, dpi: int) -> Canvas:
    width, height = mm(size.width_mm, dpi), mm(size.height_mm, dpi)
    margin = mm(3, dpi)
    inner = width - 2 * margin
    items: list[Item] = []
    y = margin
    small, big = mm(2.8, dpi), mm(4.5, dpi)
    items.append(Text(margin, y, small, "FROM", inner, bold=True))
    y += round(small * 1.2)
    for line in doc.sender.text_lines():
        items.append(Text(margin, y, small, ellipsize(line, inner, small), inner))
        y += round(small * 1.15)
    items.append(Box(margin, y + mm(1, dpi), inner, max(1, mm(0.4, dpi))))
    y += mm(2.5, dpi)
    items.append(Text(margin, y, small, "TO", inner, bold=True))
    y += round(small * 1.2)
    for i, line in enumerate(doc.recipient.text_lines()):
        h = big if i == 0 else round(big * 0.85)
        items.append(Text(margin, y, h, ellipsize(line, inner, h, i == 0), inner, bold=i == 0))
        y += round(h * 1.15)
    items.append(Box(margin, y + mm(1, dpi), inner, max(1, mm(0.4, dpi))))
    y += mm(2.5, dpi)
    carrier = f"{doc.carrier} {doc.service}".strip()
    items.append(Text(margin, y, big, ellipsize(carrier, inner, big, True), inner, bold=True))
    y += round(big * 1.3)
    footer_h = small
    bottom = height - margin - round(footer_h * 1.3)
    bar_h = min(bottom - y, mm(30, dpi))
    _barcode_with_hri(items, doc.barcode, margin, y, inner, bar_h, dpi, "tracking barcode")
    items.append(Text(margin, height - margin - footer_h, footer_h, f"Order {doc.order_number}", inner))
    if doc.weight_kg is not None:
        items.append(
            Text(margin, height - margin - footer_h, footer_h, f"{doc.weight_kg} kg", inner, align="right")
        )
    return Canvas(dpi, width, height, tuple(items))


def receipt_page(doc: Receipt, dpi: int) -> Canvas:
    """A receipt drawn as a page (preview, PDF, or a label printer with continuous media)."""
    columns = COLUMNS[int(doc.paper_width_mm)]
    printable = mm(72 if doc.paper_width_mm == 80 else 48, dpi)
    width = mm(doc.paper_width_mm, dpi)
    margin = (width - printable) // 2
    char_h = math.floor(printable / columns / _ADVANCE[True])
    line_h = round(char_h * 1.25)
    items: list[Item] = []
    y = margin
    for row in receipt_rows(doc):
        if row.kind == "rule":
            items.append(Box(margin, y + line_h // 2, printable, max(1, mm(0.2, dpi))))
            y += line_h
        elif row.kind == "barcode":
            y += line_h // 2
            _barcode_with_hri(items, doc.barcode, margin, y, printable, mm(14, dpi), dpi, "order barcode")
            y += mm(14, dpi)
        else:
            h = char_h * 2 if row.big else char_h
            bold = row.bold or row.big
            if row.right:  # proportional fonts: align the amount column instead of padding with spaces
                right_w = text_width(row.right, h, bold)
                items.append(Text(margin, y, h, row.left, printable - right_w - char_h, bold=bold))
                items.append(Text(margin + printable - right_w, y, h, row.right, right_w, bold=bold, align="right"))
            else:
                text = row_text(row, columns // 2 if row.big else columns)
                items.append(Text(margin, y, h, text, printable, bold=bold, align=row.align))
            y += round(h * 1.25)
    return Canvas(dpi, width, y + margin, tuple(items))


def test_page(doc: TestPage, size: LabelSize, dpi: int) -> Canvas:
    width = mm(size.width_mm, dpi)
    margin = mm(2, dpi)
    inner = width - 2 * margin
    items: list[Item] = []
    y = margin
    small = mm(2.5, dpi)
    items.append(
        Text(
            margin,
            y,
            mm(3.5, dpi),
            ellipsize(f"Test page: {doc.printer_name}", inner, mm(3.5, dpi), True),
            inner,
            bold=True,
        )
    )
    y += mm(5, dpi)
    items.append(Text(margin, y, small, f"{size} at {dpi} dpi, {doc.created_at:%Y-%m-%d %H:%M}", inner))
    y += mm(4, dpi)
    for sample in doc.text_samples:
        items.append(Text(margin, y, small, ellipsize(sample, inner, small), inner))
        y += mm(4, dpi)
    for barcode in doc.barcodes:
        items.append(Text(margin, y, small, str(barcode.symbology).upper(), inner, bold=True))
        y += mm(3.5, dpi)
        if barcode.symbology.is_linear:
            _barcode_with_hri(items, barcode, margin, y, inner, mm(15, dpi), dpi, str(barcode.symbology))
            y += mm(17, dpi)
        else:
            side = min(inner, mm(25, dpi))
            items.append(
                matrix_barcode(barcode, margin + (inner - side) // 2, y, side, dpi, str(barcode.symbology))
            )
            y += side + mm(2, dpi)
    height = max(mm(size.height_mm, dpi), y + margin)
    return Canvas(dpi, width, height, tuple(items))
