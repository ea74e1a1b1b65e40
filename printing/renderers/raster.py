"""Drawing a laid-out canvas with Pillow: the PNG preview and the bitmap for other formats."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from printing.barcodes import QUIET_ZONE, Barcode, matrix_modules
from printing.fonts import cjk_font, latin_font, needs_cjk
from printing.layout import Bars, Box, Canvas, Matrix, Text


@lru_cache(maxsize=256)
def _font(size: int, bold: bool, cjk: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font() if cjk else None
    path = path or latin_font(bold)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def draw_canvas(canvas: Canvas) -> Image.Image:
    image = Image.new("L", (canvas.width, canvas.height), 255)
    draw = ImageDraw.Draw(image)
    for item in canvas.items:
        if isinstance(item, Bars):
            _bars(draw, item)
        elif isinstance(item, Matrix):
            rows = item.rows
            m = item.module
            for r, row in enumerate(rows):
                for c, dark in enumerate(row):
                    if dark:
                        x, y = item.x + c * m, item.y + r * m
                        draw.rectangle((x, y, x + m - 1, y + m - 1), fill=0)
        elif isinstance(item, Box):
            draw.rectangle((item.x, item.y, item.x + item.width - 1, item.y + item.height - 1), fill=0)
        elif isinstance(item, Text):
            _text(draw, item)
    return image


def _bars(draw: ImageDraw.ImageDraw, item: Bars) -> None:
    m, x = item.module, item.x
    bottom = item.y + item.height - 1
    modules = item.modules
    i = 0
    while i < len(modules):
        j = i
        while j < len(modules) and modules[j] == modules[i]:
            j += 1
        if modules[i] == "1":
            draw.rectangle((x + i * m, item.y, x + j * m - 1, bottom), fill=0)
        i = j


def _text(draw: ImageDraw.ImageDraw, item: Text) -> None:
    cjk = needs_cjk(item.text)
    size = item.height
    font = _font(size, item.bold, cjk)
    length = draw.textlength(item.text, font=font)
    if length > item.width:  # the layout's estimate was optimistic for this font: shrink to fit
        size = max(6, int(size * item.width / length))
        font = _font(size, item.bold, cjk)
        length = draw.textlength(item.text, font=font)
    if item.align == "left":
        x = item.x
    elif item.align == "right":
        x = item.x + item.width - length
    else:
        x = item.x + (item.width - length) / 2
    draw.text((x, item.y), item.text, font=font, fill=0, anchor="lt")


def matrix_image(barcode: Barcode, module: int) -> Image.Image:
    """A 2D symbol alone (with quiet zone) as a bitmap, for printers that lack the symbology."""
    rows = matrix_modules(barcode)
    quiet = QUIET_ZONE[barcode.symbology][0]
    width = (len(rows[0]) + 2 * quiet) * module
    height = (len(rows) + 2 * quiet) * module
    canvas = Canvas(203, width, height, (Matrix(quiet * module, quiet * module, barcode, module),))
    return draw_canvas(canvas).convert("1")
