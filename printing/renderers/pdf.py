"""PDF (fpdf2): pick lists on A4/Letter, labels one per page or as an A4/Letter sheet.

TrueType fonts are embedded so accents always print. Chinese needs a CJK font on the machine
(fonts-noto-cjk or fonts-wqy-microhei); without one, CJK characters are replaced by '?' and the
page says so, because an office printer cannot substitute a font for us.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from fpdf import FPDF

from printing.barcodes import QUIET_ZONE, Barcode, linear_modules
from printing.documents import PAGE_SIZES, PickList
from printing.errors import UnsupportedDocument
from printing.fonts import cjk_font, is_wide, latin_font, needs_cjk
from printing.layout import Bars, Box, Canvas, Matrix, Text, dpmm
from printing.renderers.options import RenderOptions

log = logging.getLogger(__name__)

MISSING_CJK_NOTE = (
    "No CJK font installed (fonts-noto-cjk or fonts-wqy-microhei): Chinese text printed as '?'."
)
_PT_PER_MM = 72 / 25.4


class _Pdf(FPDF):
    def __init__(self, texts: Iterable[str], **kwargs: object) -> None:
        super().__init__(unit="mm", **kwargs)
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.cjk_missing = False
        regular, bold = latin_font(False), latin_font(True)
        if regular and bold:
            self.add_font("body", "", str(regular))
            self.add_font("body", "B", str(bold))
            self.body = "body"
        else:  # core font: Latin-1 only
            self.body = "helvetica"
        self.cjk: str | None = None
        if any(needs_cjk(t) for t in texts):
            path = cjk_font()
            if path is not None:
                self.add_font("cjk", "", str(path))
                self.cjk = "cjk"
            else:
                self.cjk_missing = True
                log.warning(MISSING_CJK_NOTE)

    def use_font(self, text: str, size_mm: float, bold: bool = False) -> str:
        """Select a font for ``text`` and return the text as it can be printed."""
        if needs_cjk(text):
            if self.cjk:
                self.set_font(self.cjk, "", size_mm * _PT_PER_MM)
                return text
            text = "".join("?" if is_wide(c) else c for c in text)
        self.set_font(self.body, "B" if bold else "", size_mm * _PT_PER_MM)
        if self.body == "helvetica":
            text = text.encode("latin-1", "replace").decode("latin-1")
        return text

    def text_box(
        self, x: float, y: float, w: float, size: float, text: str, bold=False, align="left"
    ) -> None:
        text = self.use_font(text, size, bold)
        width = self.get_string_width(text)
        if width > w:  # fonts differ a little from the layout's estimate: shrink rather than overflow
            size *= w / width
            text = self.use_font(text, size, bold)
            width = self.get_string_width(text)
        dx = {"left": 0, "center": (w - width) / 2, "right": w - width}[align]
        self.text(x + dx, y + size * 0.8, text)

    def bars(self, x: float, y: float, module: float, height: float, modules: str) -> None:
        i = 0
        while i < len(modules):
            j = i
            while j < len(modules) and modules[j] == modules[i]:
                j += 1
            if modules[i] == "1":
                self.rect(x + i * module, y, (j - i) * module, height, style="F")
            i = j


def _canvas_texts(canvases: Iterable[Canvas]) -> list[str]:
    return [item.text for c in canvases for item in c.items if isinstance(item, Text)]


def _draw_canvas(pdf: _Pdf, canvas: Canvas, ox: float, oy: float) -> None:
    k = 1 / dpmm(canvas.dpi)
    for item in canvas.items:
        if isinstance(item, Text):
            pdf.text_box(
                ox + item.x * k,
                oy + item.y * k,
                item.width * k,
                item.height * k,
                item.text,
                item.bold,
                item.align,
            )
        elif isinstance(item, Bars):
            pdf.bars(ox + item.x * k, oy + item.y * k, item.module * k, item.height * k, item.modules)
        elif isinstance(item, Matrix):
            m = item.module * k
            for r, row in enumerate(item.rows):
                for c, dark in enumerate(row):
                    if dark:
                        pdf.rect(ox + item.x * k + c * m, oy + item.y * k + r * m, m, m, style="F")
        elif isinstance(item, Box):
            pdf.rect(ox + item.x * k, oy + item.y * k, item.width * k, item.height * k, style="F")


def render_canvases(canvas: Canvas, options: RenderOptions) -> bytes:
    """One label per page at the label's size, or labels tiled on a sheet (``pdf_sheet``)."""
    # The real label size, not the canvas rounded to whole dots (60 mm is 708.66 dots at 300 dpi).
    size = options.size or canvas.size
    copies = max(1, options.copies)
    if options.pdf_sheet is None:
        pdf = _Pdf(_canvas_texts([canvas]), format=(size.width_mm, size.height_mm))
        for _ in range(copies):
            pdf.add_page()
            _draw_canvas(pdf, canvas, 0, 0)
        return bytes(pdf.output())
    sheet = PAGE_SIZES[options.pdf_sheet]
    margin = 8.0
    cols = int((sheet.width_mm - 2 * margin) // size.width_mm)
    rows = int((sheet.height_mm - 2 * margin) // size.height_mm)
    if cols < 1 or rows < 1:
        raise UnsupportedDocument(f"a {size} label does not fit on a {options.pdf_sheet} sheet")
    pdf = _Pdf(_canvas_texts([canvas]), format=(sheet.width_mm, sheet.height_mm))
    for n in range(copies):
        slot = n % (cols * rows)
        if slot == 0:
            pdf.add_page()
        x = margin + (slot % cols) * size.width_mm
        y = margin + (slot // cols) * size.height_mm
        pdf.set_draw_color(200)
        pdf.rect(x, y, size.width_mm, size.height_mm)  # cut guide
        _draw_canvas(pdf, canvas, x, y)
    return bytes(pdf.output())


# -- pick lists --------------------------------------------------------------------------------

_COLUMNS = (("Bin", 22.0), ("SKU", 28.0), ("Item", 62.0), ("Qty", 14.0), ("Order", 28.0))


def render_pick_list(pick: PickList, options: RenderOptions) -> bytes:
    page = pick.size
    texts = [pick.title, pick.picker] + [t for line in pick.lines for t in (line.name, line.bin, line.sku)]
    pdf = _Pdf(texts, format=(page.width_mm, page.height_mm))
    margin, row_h = 12.0, 14.0
    barcode_w = page.width_mm - 2 * margin - sum(w for _, w in _COLUMNS)
    # Walk the shop in bin order, then by order so one order's items stay together in a bin.
    lines = sorted(pick.lines, key=lambda line: (line.bin, line.order_number, line.sku))
    pages = 0

    def header() -> float:
        nonlocal pages
        pages += 1
        pdf.add_page()
        pdf.text_box(margin, margin, page.width_mm - 2 * margin, 6, pick.title, bold=True)
        meta = f"{pick.created_at:%Y-%m-%d %H:%M}   Orders: {', '.join(pick.orders)}"
        if pick.picker:
            meta += f"   Picker: {pick.picker}"
        pdf.text_box(margin, margin + 8, page.width_mm - 2 * margin - 20, 3.2, meta)
        pdf.text_box(page.width_mm - margin - 20, margin + 8, 20, 3.2, f"Page {pages}", align="right")
        y = margin + 15
        x = margin
        for title, width in (*_COLUMNS, ("Barcode", barcode_w)):
            pdf.text_box(x, y, width - 2, 3.5, title, bold=True)
            x += width
        pdf.rect(margin, y + 5, page.width_mm - 2 * margin, 0.3, style="F")
        return y + 7

    y = header()
    for line in lines:
        if y + row_h > page.height_mm - margin - 8:
            y = header()
        qty = format(line.quantity.normalize(), "f")
        x = margin
        for (_, width), value in zip(
            _COLUMNS, (line.bin, line.sku, line.name, qty, line.order_number), strict=True
        ):
            pdf.text_box(x, y + 3, width - 2, 4 if value is qty else 3.5, value, bold=value is line.bin)
            x += width
        barcode = line.barcode or _sku_barcode(line.sku)
        if barcode is not None:
            _pick_barcode(pdf, barcode, x, y, barcode_w, row_h - 2)
        pdf.set_draw_color(180)
        pdf.line(margin, y + row_h, page.width_mm - margin, y + row_h)
        y += row_h
    if pdf.cjk_missing:
        pdf.text_box(margin, page.height_mm - margin, page.width_mm - 2 * margin, 3, MISSING_CJK_NOTE)
    return bytes(pdf.output())


def _sku_barcode(sku: str) -> Barcode | None:
    try:
        return Barcode.code128(sku) if sku else None
    except Exception:
        return None


def _pick_barcode(pdf: _Pdf, barcode: Barcode, x: float, y: float, width: float, height: float) -> None:
    modules = linear_modules(barcode)
    left, right = QUIET_ZONE[barcode.symbology]
    module = min(0.33, width / (len(modules) + left + right))
    if module < 0.19:  # office laser printers and handheld scanners: below this it will not scan
        pdf.text_box(x, y + 3, width, 3, "(barcode too long)")
        return
    pdf.bars(x + left * module, y + 1, module, height - 4, modules)
    pdf.text_box(x, y + height - 2.5, width, 2.3, barcode.hri, align="center")
