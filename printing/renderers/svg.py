"""SVG previews: same geometry as the printers (dots), sized in millimetres for viewers."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from printing.documents import LabelSize
from printing.layout import Bars, Box, Canvas, Matrix, Text, dpmm

_FONT = "DejaVu Sans, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


def render_canvas(canvas: Canvas, size: LabelSize | None = None) -> bytes:
    """``size`` is the label's real size; the canvas itself is rounded to whole dots."""
    if size is not None and size.height_mm * dpmm(canvas.dpi) >= canvas.height - 1:
        w_mm, h_mm = size.width_mm, size.height_mm
    else:  # receipts and test pages grow with their content
        w_mm, h_mm = canvas.width / dpmm(canvas.dpi), canvas.height / dpmm(canvas.dpi)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w_mm:.2f}mm" height="{h_mm:.2f}mm" '
        f'viewBox="0 0 {canvas.width} {canvas.height}" shape-rendering="crispEdges">',
        f'<rect width="{canvas.width}" height="{canvas.height}" fill="#fff"/>',
    ]
    for item in canvas.items:
        if isinstance(item, Bars):
            out.append(_bars(item))
        elif isinstance(item, Matrix):
            m = item.module
            path = "".join(
                f"M{item.x + c * m},{item.y + r * m}h{m}v{m}h-{m}z"
                for r, row in enumerate(item.rows)
                for c, dark in enumerate(row)
                if dark
            )
            out.append(f'<path d="{path}" fill="#000"/>')
        elif isinstance(item, Box):
            out.append(
                f'<rect x="{item.x}" y="{item.y}" width="{item.width}" height="{item.height}" fill="#000"/>'
            )
        elif isinstance(item, Text):
            x = {"left": item.x, "center": item.x + item.width // 2, "right": item.x + item.width}[item.align]
            anchor = {"left": "start", "center": "middle", "right": "end"}[item.align]
            weight = ' font-weight="bold"' if item.bold else ""
            out.append(
                f'<text x="{x}" y="{item.y}" font-size="{item.height}" font-family={quoteattr(_FONT)}{weight} '
                f'text-anchor="{anchor}" dominant-baseline="hanging">'
                f"{escape(item.text)}</text>"
            )
    out.append("</svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _bars(item: Bars) -> str:
    m, modules = item.module, item.modules
    parts, i = [], 0
    while i < len(modules):
        j = i
        while j < len(modules) and modules[j] == modules[i]:
            j += 1
        if modules[i] == "1":
            parts.append(f"M{item.x + i * m},{item.y}h{(j - i) * m}v{item.height}h-{(j - i) * m}z")
        i = j
    return f'<path d="{"".join(parts)}" fill="#000"/>'
