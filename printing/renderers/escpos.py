"""ESC/POS bytes for receipt printers, encoded with python-escpos's ``Dummy`` printer.

python-escpos is used only as a byte encoder: it never talks to a device (our backends do)
and its stdout chatter ("Using hardware barcode renderer") is swallowed, because it would
corrupt a Textual screen.

Chinese: rows containing CJK characters are sent in the printer's Chinese mode (FS & ... FS .)
encoded as GB18030. GB18030 is a superset of GBK/GB2312, which is what the Chinese firmware of
Epson/Xprinter/Rongta receipt printers reads; characters outside GBK (rare, 4-byte GB18030)
will not print on such firmware. Rows without CJK use python-escpos's code-page encoder, so
accented Latin text prints on any printer. A printer without Chinese firmware should be
configured with ``escpos_cjk = "none"``: a Chinese receipt is then refused instead of printing
garbage.
"""

from __future__ import annotations

import contextlib
import io
import threading

from printing.barcodes import Barcode, Symbology
from printing.documents import Receipt, TestPage
from printing.errors import InvalidDocument, UnsupportedDocument
from printing.fonts import is_wide, needs_cjk
from printing.receipt_format import COLUMNS, Row, receipt_rows, row_text
from printing.renderers.options import RenderOptions

INIT = b"\x1b@"  # ESC @: reset modes left over by a previous (possibly interrupted) job
CHINESE_ON = b"\x1c&"  # FS &
CHINESE_OFF = b"\x1c."  # FS .

_stdout_lock = threading.Lock()


def render(document: Receipt | TestPage, options: RenderOptions) -> bytes:
    if not 1 <= options.copies <= 20:
        raise InvalidDocument(f"copies must be 1..20 for receipts, got {options.copies}")
    if isinstance(document, Receipt):
        one = _receipt(document, options)
    elif isinstance(document, TestPage):
        one = _test_page(document, options)
    else:
        raise UnsupportedDocument(
            f"ESC/POS printers print receipts and test pages, not {type(document).__name__}"
        )
    return one * options.copies


@contextlib.contextmanager
def _printer():
    from escpos.printer import Dummy

    with _stdout_lock, contextlib.redirect_stdout(io.StringIO()):
        printer = Dummy()
        printer._raw(INIT)
        yield printer


def _receipt(receipt: Receipt, options: RenderOptions) -> bytes:
    columns = COLUMNS[int(receipt.paper_width_mm)]
    with _printer() as p:
        for row in receipt_rows(receipt):
            if row.kind == "barcode":
                p.set(align="center", bold=False, normal_textsize=True)
                p.textln()
                _barcode(p, receipt.barcode)
                continue
            _row(p, row, columns, options)
        p.set(align="left", bold=False, normal_textsize=True)
        p.cut()
        return bytes(p.output)


def _row(p, row: Row, columns: int, options: RenderOptions) -> None:
    if row.big:
        p.set(align=row.align, bold=True, double_width=True, double_height=True)
        text = row_text(row, columns // 2)
    else:
        p.set(align=row.align, bold=row.bold, normal_textsize=True)
        text = row_text(row, columns)
    _text_line(p, text, options)


def _text_line(p, text: str, options: RenderOptions) -> None:
    if not needs_cjk(text):
        p.text(text + "\n")
        return
    if options.escpos_cjk != "gb18030":
        raise InvalidDocument(f"this receipt printer is configured without Chinese support: {text!r}")
    # Only the wide (CJK) runs go through Chinese mode: symbols like ¥ or é are not in GBK but
    # are in the printer's code pages, which python-escpos selects for the other runs.
    for wide, run in _runs(text):
        if wide:
            p._raw(CHINESE_ON + run.encode("gb18030", errors="replace") + CHINESE_OFF)
        else:
            p.text(run)
    p.text("\n")


def _runs(text: str) -> list[tuple[bool, str]]:
    runs: list[tuple[bool, str]] = []
    for char in text:
        wide = is_wide(char)
        if runs and runs[-1][0] == wide:
            runs[-1] = (wide, runs[-1][1] + char)
        else:
            runs.append((wide, char))
    return runs


def _barcode(p, barcode: Barcode) -> None:
    s = barcode.symbology
    if s is Symbology.CODE128:
        p.barcode(
            "{B" + barcode.data.replace("{", "{{"),
            "CODE128",
            height=80,
            width=2,
            pos="BELOW",
            function_type="B",
        )
    elif s is Symbology.GS1_128:
        p.barcode(
            gs1_128_data(barcode), "CODE128", height=80, width=2, pos="OFF", function_type="B", check=False
        )
        p.textln(barcode.hri)
    elif s in (Symbology.EAN13, Symbology.EAN8, Symbology.UPCA):
        name = {Symbology.EAN13: "EAN13", Symbology.EAN8: "EAN8", Symbology.UPCA: "UPC-A"}[s]
        # Send without the check digit: the printer computes it, and we validated ours already.
        p.barcode(barcode.data[:-1], name, height=80, width=3, pos="BELOW", function_type="B")
    elif s is Symbology.QR:
        p.set(align="center")
        p.qr(barcode.data, native=True, size=6)
    else:  # GS1 DataMatrix: no ESC/POS command for it, print it as an image
        from printing.renderers.raster import matrix_image

        p.image(matrix_image(barcode, module=6), center=True)
    p.set(align="left")


def gs1_128_data(barcode: Barcode) -> str:
    """Epson ``GS k`` Code 128 data: ``{C`` subset C (a byte per digit pair), ``{B`` subset B, ``{1`` FNC1."""
    from printing.renderers.zpl import FNC1, _digit_run

    tokens: list[object] = [FNC1] + [FNC1 if c == "\x1d" else c for c in barcode.element_string()]
    out, subset, i = ["{C"], "C", 0
    while i < len(tokens):
        if tokens[i] is FNC1:
            out.append("{1")
            i += 1
            continue
        run = _digit_run(tokens, i)
        if run >= 2 and (subset == "C" or run >= 4):
            if subset != "C":
                out.append("{C")
                subset = "C"
            pairs = run - run % 2
            out.extend(chr(int(str(tokens[k]) + str(tokens[k + 1]))) for k in range(i, i + pairs, 2))
            i += pairs
            continue
        if subset != "B":
            out.append("{B")
            subset = "B"
        char = str(tokens[i])
        out.append("{{" if char == "{" else char)
        i += 1
    return "".join(out)


def _test_page(page: TestPage, options: RenderOptions) -> bytes:
    with _printer() as p:
        p.set(align="center", bold=True, double_width=True, double_height=True)
        p.text(f"TEST {page.printer_name}\n")
        p.set(align="left", bold=False, normal_textsize=True)
        p.text(f"{page.created_at:%Y-%m-%d %H:%M}\n")
        for sample in page.text_samples:
            _text_line(p, sample, options)
        for barcode in page.barcodes:
            p.set(align="left", bold=True)
            p.text(f"\n{str(barcode.symbology).upper()}\n")
            p.set(bold=False)
            _barcode(p, barcode)
        p.cut()
        return bytes(p.output)
