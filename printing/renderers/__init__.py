"""Turning a document into printer bytes. Renderers see documents only, never the database."""

from __future__ import annotations

from dataclasses import dataclass, replace

from printing.documents import LabelSize, PickList, Receipt, TestPage
from printing.errors import InvalidDocument, LabelSizeMismatch, UnsupportedDocument
from printing.renderers.options import RenderOptions

FORMATS = ("zpl", "escpos", "pdf", "png", "svg")
EXTENSIONS = {"zpl": "zpl", "escpos": "bin", "pdf": "pdf", "png": "png", "svg": "svg"}
#: Formats a printer interprets itself; CUPS must pass them through untouched (lp -o raw).
RAW_FORMATS = frozenset({"zpl", "escpos"})

#: Which documents each format can print.
SUPPORTED = {
    "zpl": {"product_label", "shelf_label", "shipping_label", "receipt", "test_page"},
    "escpos": {"receipt", "test_page"},
    "pdf": {"product_label", "shelf_label", "shipping_label", "receipt", "pick_list", "test_page"},
    "png": {"product_label", "shelf_label", "shipping_label", "receipt", "test_page"},
    "svg": {"product_label", "shelf_label", "shipping_label", "receipt", "test_page"},
}

DEFAULT_SIZES = {
    "product_label": LabelSize(60, 40),
    "shelf_label": LabelSize(70, 40),
    "shipping_label": LabelSize(100, 150),
    "test_page": LabelSize(100, 150),
}


@dataclass(frozen=True)
class Rendered:
    data: bytes
    format: str
    copies_included: bool  # False for previews: one image stands for all copies

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def raw(self) -> bool:
        return self.format in RAW_FORMATS


def resolve_size(document: object, media: LabelSize | None, strict: bool = True) -> LabelSize:
    """The document's size, checked against the media loaded in a label printer (``strict``).

    Previews and PDFs have no loaded media: there the document's size wins and the configured
    size, then a per-kind default, fill in.
    """
    own = getattr(document, "size", None)
    if isinstance(document, Receipt | PickList):
        return own
    if strict and own is not None and media is not None and own != media:
        raise LabelSizeMismatch(
            f"{type(document).__name__} is laid out for {own} labels but the printer has {media} loaded"
        )
    size = own or media
    if size is None and not strict:
        size = DEFAULT_SIZES.get(getattr(document, "kind", ""))
    if size is None:
        if isinstance(document, TestPage):
            return DEFAULT_SIZES["test_page"]
        raise InvalidDocument(f"{type(document).__name__} has no label size and the printer has none configured")
    return size


def render(document: object, fmt: str, options: RenderOptions | None = None) -> Rendered:
    """Render ``document`` for a printer speaking ``fmt``; raises PrintError before any output."""
    options = options or RenderOptions()
    if fmt not in FORMATS:
        raise UnsupportedDocument(f"unknown print format {fmt!r}; expected one of {', '.join(FORMATS)}")
    kind = getattr(document, "kind", None)
    if kind not in SUPPORTED[fmt]:
        raise UnsupportedDocument(f"a {fmt} printer cannot print a {kind or type(document).__name__}")
    if options.copies < 1:
        raise InvalidDocument(f"copies must be at least 1, got {options.copies}")

    if fmt == "escpos":
        from printing.renderers import escpos

        return Rendered(escpos.render(document, options), fmt, True)  # type: ignore[arg-type]
    if isinstance(document, PickList):
        from printing.renderers import pdf

        return Rendered(pdf.render_pick_list(document, options), fmt, True)

    from printing.layout import layout

    size = resolve_size(document, options.size, strict=fmt in RAW_FORMATS)
    canvas = layout(document, size, options.dpi)
    if fmt == "zpl":
        from printing.renderers import zpl

        return Rendered(zpl.render_canvas(canvas, options), fmt, True)
    if fmt == "pdf":
        from printing.renderers import pdf

        # Receipts and test pages grow with their content: their page is the canvas.
        page = size if canvas.height <= round(size.height_mm * options.dpi / 25.4) else None
        return Rendered(pdf.render_canvases(canvas, replace(options, size=page)), fmt, True)
    if fmt == "png":
        from printing.renderers import png

        return Rendered(png.render_canvas(canvas), fmt, False)
    from printing.renderers import svg

    return Rendered(svg.render_canvas(canvas, size), fmt, False)
