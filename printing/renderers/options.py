"""Per-printer settings a renderer needs besides the document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from printing.documents import LabelSize


@dataclass(frozen=True)
class RenderOptions:
    dpi: int = 203
    size: LabelSize | None = None  # media size; documents without their own size use it
    copies: int = 1
    #: ZPL font for CJK text, e.g. "E:SIMSUN.FNT" or "E:ANMDJ.TTF"; Zebra's font 0 has no CJK glyphs.
    zpl_cjk_font: str = ""
    #: How ESC/POS prints Chinese: "gb18030" uses the printer's Chinese mode (FS &), "none" refuses.
    escpos_cjk: Literal["gb18030", "none"] = "gb18030"
    #: PDF labels: None = one page per label at the label size; "A4"/"Letter" = a sheet of labels.
    pdf_sheet: Literal["A4", "Letter"] | None = None
