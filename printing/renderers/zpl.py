"""ZPL II for Zebra label printers (203 and 300 dpi).

Every job sets its own label size (^PW/^LL), home, orientation and UTF-8 (^CI28) so a label
printed after another application's job neither comes out at the wrong size nor turns accents
and Chinese into '?'. Barcodes use the printer's own symbologies; human-readable lines are
printed as text fields so they look the same as in the PNG/PDF previews.
"""

from __future__ import annotations

from printing.barcodes import Barcode, Symbology
from printing.documents import LabelSize
from printing.errors import InvalidDocument
from printing.fonts import needs_cjk
from printing.layout import Bars, Box, Canvas, Matrix, Text
from printing.renderers.options import RenderOptions

SUPPORTED_DPI = (203, 300)
FNC1 = object()  # marker in Code 128 token streams


def render_canvas(canvas: Canvas, options: RenderOptions) -> bytes:
    if canvas.dpi not in SUPPORTED_DPI:
        raise InvalidDocument(f"ZPL printers here are 203 or 300 dpi, not {canvas.dpi}")
    if not 1 <= options.copies <= 9999:
        raise InvalidDocument(f"copies must be 1..9999, got {options.copies}")
    out = [
        "^XA",
        "^CI28",  # UTF-8 field data
        f"^PW{canvas.width}",
        f"^LL{canvas.height}",
        "^LH0,0",
        "^PON",  # normal orientation, whatever the last job left
        "^FWN",
    ]
    for item in canvas.items:
        if isinstance(item, Text):
            out.append(_text(item, options))
        elif isinstance(item, Bars):
            out.append(_bars(item))
        elif isinstance(item, Matrix):
            out.append(_matrix(item))
        elif isinstance(item, Box):
            out.append(f"^FO{item.x},{item.y}^GB{item.width},{item.height},{min(item.width, item.height)}^FS")
    out.append(f"^PQ{options.copies},0,1,Y")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def size_commands(size: LabelSize, dpi: int) -> tuple[str, str]:
    """^PW/^LL for a label size, for callers that check configuration."""
    from printing.layout import mm

    return f"^PW{mm(size.width_mm, dpi)}", f"^LL{mm(size.height_mm, dpi)}"


def escape_field(text: str) -> str:
    """Field data for ^FH_: the caret, tilde and underscore would otherwise be commands/escapes."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _text(item: Text, options: RenderOptions) -> str:
    justify = {"left": "L", "center": "C", "right": "R"}[item.align]
    if needs_cjk(item.text) and options.zpl_cjk_font:
        font = f"^A@N,{item.height},{item.height},{options.zpl_cjk_font}"
    else:
        font = f"^A0N,{item.height},{item.height}"
    return f"^FO{item.x},{item.y}{font}^FB{item.width},1,0,{justify},0^FH_^FD{escape_field(item.text)}^FS"


def _bars(item: Bars) -> str:
    b = item.barcode
    head = f"^FO{item.x},{item.y}^BY{item.module},3,{item.height}"
    # Interpretation lines are off: the layout prints its own HRI text (GS1 brackets included).
    if b.symbology is Symbology.EAN13:
        return f"{head}^BEN,{item.height},N,N^FD{b.data[:12]}^FS"
    if b.symbology is Symbology.EAN8:
        return f"{head}^B8N,{item.height},N,N^FD{b.data[:7]}^FS"
    if b.symbology is Symbology.UPCA:
        return f"{head}^BUN,{item.height},N,N,Y^FD{b.data[:11]}^FS"
    return f"{head}^BCN,{item.height},N,N,N,N^FH_^FD{escape_field(code128_field(b))}^FS"


def code128_field(barcode: Barcode) -> str:
    """Code 128 field data for ^BC mode N with explicit subsets.

    GS1-128 starts ``>;>8`` (start C, FNC1) and puts ``>8`` after each variable-length field
    that is not last. Digit runs go in subset C (two digits per symbol), the rest in subset B.
    """
    tokens: list[object]
    if barcode.symbology is Symbology.GS1_128:
        tokens = [FNC1] + [FNC1 if c == "\x1d" else c for c in barcode.element_string()]
    else:
        tokens = list(barcode.data)
    return _plan(tokens)


def _digit_run(tokens: list[object], i: int) -> int:
    n = 0
    while i + n < len(tokens) and isinstance(tokens[i + n], str) and str(tokens[i + n]).isdigit():
        n += 1
    return n


def _plan(tokens: list[object]) -> str:
    first = 1 if tokens and tokens[0] is FNC1 else 0
    run = _digit_run(tokens, first)
    subset = "C" if run >= 4 or (run >= 2 and run == len(tokens) - first) or (first and run >= 2) else "B"
    out = [">;" if subset == "C" else ">:"]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token is FNC1:
            out.append(">8")
            i += 1
            continue
        run = _digit_run(tokens, i)
        if subset == "C":
            if run >= 2:
                pairs = run - run % 2
                out.append("".join(str(t) for t in tokens[i : i + pairs]))
                i += pairs
                continue
            out.append(">6")  # switch to subset B
            subset = "B"
        elif run >= 4:
            if run % 2:
                out.append(str(token))  # odd run: one digit in B, the rest in C
                i += 1
            out.append(">5")  # switch to subset C
            subset = "C"
            continue
        char = str(tokens[i])
        out.append("><" if char == ">" else char)
        i += 1
    return "".join(out)


def _matrix(item: Matrix) -> str:
    b = item.barcode
    if b.symbology is Symbology.QR:
        # Mode A (automatic) with error correction M; ^BQ ignores ^BY, its magnification is the module.
        return f"^FO{item.x},{item.y}^BQN,2,{min(item.module, 10)}^FDMA,{escape_field(b.data)}^FS"
    # GS1 DataMatrix: ECC 200, '_' as escape so '_1' is FNC1 (no ^FH on this field, it would clash).
    data = "_1" + b.element_string().replace("_", "_d095").replace("\x1d", "_1")
    return f"^FO{item.x},{item.y}^BXN,{item.module},200,0,0,6,_^FD{data}^FS"
