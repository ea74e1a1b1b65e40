"""Render 1,000 product labels to ZPL and to PNG; last line is a JSON object with the rates.

    python tests/bench/bench_printing.py

Goals: ZPL >= 2,000 labels/s, PNG >= 100 labels/s. Each label has its own GTIN and price, so
caches of barcode patterns and formatted prices do not make the figures look better than a
real batch of received goods.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from biip.checksums import gs1_standard_check_digit  # noqa: E402

from printing.barcodes import Barcode  # noqa: E402
from printing.documents import LabelSize, Money, ProductLabel  # noqa: E402
from printing.renderers import render  # noqa: E402
from printing.renderers.options import RenderOptions  # noqa: E402

N = 1000


def labels() -> list[ProductLabel]:
    out = []
    for i in range(N):
        body = f"400638{i:06d}"
        gtin = body + str(gs1_standard_check_digit(body))
        out.append(ProductLabel(f"Product number {i} 500 g", Money(Decimal(i) / 100 + Decimal("0.99"), "EUR"),
                                Barcode.gtin(gtin), sku=f"SKU-{i}", size=LabelSize(60, 40)))
    return out


def bench(fmt: str, dpi: int) -> float:
    docs = labels()  # built outside the timing: documents come from the domain
    options = RenderOptions(dpi=dpi)
    started = time.perf_counter()
    total = 0
    for doc in docs:
        total += len(render(doc, fmt, options).data)
    elapsed = time.perf_counter() - started
    print(f"{fmt} @ {dpi} dpi: {N} labels in {elapsed:.3f}s = {N / elapsed:,.0f} labels/s ({total / N:,.0f} bytes each)")
    return N / elapsed


def main() -> None:
    render(labels()[0], "png")  # warm up fonts and imports
    zpl = bench("zpl", 203)
    zpl300 = bench("zpl", 300)
    png = bench("png", 203)
    png300 = bench("png", 300)
    print(json.dumps({
        "zpl_labels_per_s": round(zpl, 1),
        "zpl_300dpi_labels_per_s": round(zpl300, 1),
        "png_labels_per_s": round(png, 1),
        "png_300dpi_labels_per_s": round(png300, 1),
        "labels": N,
        "goal_met": zpl >= 2000 and png >= 100,
    }))


if __name__ == "__main__":
    main()
