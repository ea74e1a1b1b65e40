"""PDF pick lists and label sheets, SVG previews: sizes and content, CJK font handling."""

from __future__ import annotations

import re

import pytest

from printing.fonts import CJK_FONT_ENV, cjk_font
from printing.renderers import render
from printing.renderers.options import RenderOptions


def page_sizes_pt(pdf: bytes) -> list[tuple[float, float]]:
    """One (width, height) per page; fpdf2 writes the box once on /Pages when all pages match."""
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    boxes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    return boxes * pages if len(boxes) == 1 else boxes


def test_pick_list_is_a4_and_multi_page(pick_list):
    pdf = render(pick_list, "pdf").data
    assert pdf.startswith(b"%PDF")
    sizes = page_sizes_pt(pdf)
    assert len(sizes) >= 2  # 30 lines at 14 mm do not fit one page
    assert all(abs(w - 595.28) < 0.5 and abs(h - 841.89) < 0.5 for w, h in sizes)


def test_pick_list_letter(pick_list):
    from dataclasses import replace

    sizes = page_sizes_pt(render(replace(pick_list, page="Letter"), "pdf").data)
    assert all(abs(w - 612) < 0.5 and abs(h - 792) < 0.5 for w, h in sizes)


@pytest.mark.skipif(cjk_font() is None, reason="no CJK font installed (apt-get install fonts-wqy-microhei)")
def test_pick_list_embeds_a_cjk_font_when_available(pick_list):
    pdf = render(pick_list, "pdf").data
    assert b"MicroHei" in pdf or b"CJK" in pdf


def test_pick_list_degrades_visibly_without_cjk_font(pick_list, monkeypatch, caplog):
    monkeypatch.setenv(CJK_FONT_ENV, "")
    pdf = render(pick_list, "pdf").data
    assert b"MicroHei" not in pdf
    assert "No CJK font installed" in caplog.text


def test_label_pdf_page_is_the_label_size_and_sheet_tiles_copies(product_label):
    (size,) = page_sizes_pt(render(product_label, "pdf").data)
    assert size == pytest.approx((60 * 72 / 25.4, 40 * 72 / 25.4), abs=0.1)
    sheet = render(product_label, "pdf", RenderOptions(copies=40, pdf_sheet="A4")).data
    assert len(page_sizes_pt(sheet)) == 2  # 3 x 7 labels of 60x40 per A4 page


def test_svg_is_sized_in_mm_and_has_text(shelf_label):
    svg = render(shelf_label, "svg").data.decode()
    assert 'width="70.00mm" height="40.00mm"' in svg
    assert "Café moulu 250 g" in svg and "12,80 € / kg" in svg
