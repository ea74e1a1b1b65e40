"""Building printable documents from the domain (the only printing module that imports models).

Renderers never see the database; this adapter reads a product once and hands over a frozen
document.
"""

from __future__ import annotations

from decimal import Decimal

from models.money import Money
from printing.barcodes import Barcode, gtin_check_digit_ok
from printing.documents import ProductLabel, ShelfLabel
from printing.errors import InvalidDocument


def _primary_barcode(product: object, sku: str) -> Barcode:
    # Prefer a single-unit GTIN (what the till scans); fall back to the SKU as Code 128.
    codes = sorted(
        product.barcodes,  # type: ignore[attr-defined]
        key=lambda b: (Decimal(b.pack_qty) != 1, b.code),
    )
    for row in codes:
        code = row.code.lstrip("0").rjust(13, "0") if row.code.isdigit() and len(row.code) == 14 else row.code
        if code.isdigit() and len(code) in (8, 12, 13) and gtin_check_digit_ok(code):
            return Barcode.gtin(code)
    return Barcode.code128(sku)


def _label_data(sku: str, lang: str, currency: str | None) -> tuple[str, Money, Barcode, str]:
    import models.catalog as catalog

    product = catalog.product_by_sku(sku)
    return (product.display_name(lang), catalog.current_price(product, currency), _primary_barcode(product, sku),
            product.sku)


def product_label_for_sku(sku: str, *, lang: str = "en", locale: str = "en_US",
                          currency: str | None = None) -> ProductLabel:
    """A product label priced in `currency` (the shop's; None: the newest price in any)."""
    name, price, barcode, sku = _label_data(sku, lang, currency)
    return ProductLabel(name=name, price=price, barcode=barcode, sku=sku, locale=locale)


def shelf_label_for_sku(sku: str, *, lang: str = "en", locale: str = "en_US",
                        currency: str | None = None) -> ShelfLabel:
    name, price, barcode, sku = _label_data(sku, lang, currency)
    if not name:
        raise InvalidDocument(f"product {sku} has no name")
    return ShelfLabel(name=name, price=price, barcode=barcode, sku=sku, locale=locale)
