"""PNG previews of labels, receipts and test pages (Pillow), at the printer's resolution."""

from __future__ import annotations

import io

from printing.layout import Canvas
from printing.renderers.raster import draw_canvas


def render_canvas(canvas: Canvas) -> bytes:
    image = draw_canvas(canvas)
    buffer = io.BytesIO()
    # compress_level=1: previews are written often and read rarely; speed beats a few KB.
    image.save(buffer, "PNG", dpi=(canvas.dpi, canvas.dpi), compress_level=1)
    return buffer.getvalue()
