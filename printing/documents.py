"""What can be printed, independent of any printer format and of the database.

Documents are frozen dataclasses validated on construction, so a bad one never reaches a
queue. Sizes are millimetres. Money is ``Decimal`` plus an ISO 4217 currency, never float.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from models.money import Money  # the domain's value type: Decimal and ISO currency, never float
from printing.barcodes import Barcode, Symbology
from printing.errors import InvalidDocument

# -- value objects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelSize:
    """Physical label size; width is across the print head, height along the feed."""

    width_mm: float
    height_mm: float

    def __post_init__(self) -> None:
        for name in ("width_mm", "height_mm"):
            value = getattr(self, name)
            if not isinstance(value, int | float | Decimal) or not 5 <= float(value) <= 1000:
                raise InvalidDocument(f"label {name} must be between 5 and 1000 mm, got {value!r}")
        object.__setattr__(self, "width_mm", float(self.width_mm))
        object.__setattr__(self, "height_mm", float(self.height_mm))

    def __str__(self) -> str:
        return f"{self.width_mm:g}x{self.height_mm:g} mm"


A4 = LabelSize(210, 297)
LETTER = LabelSize(215.9, 279.4)
PAGE_SIZES: dict[str, LabelSize] = {"A4": A4, "Letter": LETTER}


@dataclass(frozen=True)
class Address:
    name: str
    lines: tuple[str, ...]
    postal_code: str
    city: str
    country: str  # ISO 3166 alpha-2
    phone: str = ""

    def __post_init__(self) -> None:
        _require_text(self.name, "address name")
        object.__setattr__(self, "lines", tuple(self.lines))
        if not re.fullmatch(r"[A-Z]{2}", self.country or ""):
            raise InvalidDocument(f"country must be ISO 3166 alpha-2 like 'FR', got {self.country!r}")

    def text_lines(self) -> list[str]:
        return [self.name, *self.lines, f"{self.postal_code} {self.city}".strip(), self.country]


def _require_text(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidDocument(f"{what} must be non-empty text, got {value!r}")


def _quantity(value: object, what: str) -> Decimal:
    if isinstance(value, float) or not isinstance(value, int | Decimal):
        raise InvalidDocument(f"{what} must be an int or Decimal, got {value!r}")
    return Decimal(value)


def _same_currency(amounts: Sequence[Money | None]) -> None:
    currencies = {m.currency for m in amounts if m is not None}
    if len(currencies) > 1:
        raise InvalidDocument(f"a document cannot mix currencies: {sorted(currencies)}")


# -- labels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductLabel:
    """A sticker on the product: name, price and a barcode to scan at the till.

    Tracked goods carry a GS1-128 barcode with GTIN, lot (10) and expiry (17); see ``tracked``.
    ``size`` None means "the size of the media in the printer" (filled in when queued).
    """

    name: str
    price: Money
    barcode: Barcode
    sku: str = ""
    size: LabelSize | None = None
    locale: str = "en_US"

    kind = "product_label"

    def __post_init__(self) -> None:
        _require_text(self.name, "product name")

    @classmethod
    def tracked(
        cls,
        name: str,
        price: Money,
        gtin: str,
        *,
        lot: str,
        expiry: date,
        sku: str = "",
        size: LabelSize | None = None,
        locale: str = "en_US",
    ) -> ProductLabel:
        return cls(name, price, Barcode.gs1(gtin, lot=lot, expiry=expiry), sku, size, locale)

    @property
    def lot(self) -> str | None:
        return dict(self.barcode.elements).get("10")

    @property
    def expiry(self) -> date | None:
        raw = dict(self.barcode.elements).get("17")
        if raw is None:
            return None
        from calendar import monthrange

        year, month, day = 2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:])
        # In AI 17, day 00 means the last day of the month.
        return date(year, month, day or monthrange(year, month)[1])


@dataclass(frozen=True)
class ShelfLabel:
    """A shelf-edge label: name, price, optional comparison price per unit (per kg, per l)."""

    name: str
    price: Money
    barcode: Barcode
    unit_price: Money | None = None
    unit: str = ""  # "kg", "l", "100 g" ... shown as "EUR 3.20 / kg"
    sku: str = ""
    promo: str = ""
    size: LabelSize | None = None
    locale: str = "en_US"

    kind = "shelf_label"

    def __post_init__(self) -> None:
        _require_text(self.name, "product name")
        _same_currency([self.price, self.unit_price])
        if self.unit_price is not None and not self.unit:
            raise InvalidDocument("a unit price needs its unit (e.g. 'kg')")


@dataclass(frozen=True)
class ShippingLabel:
    sender: Address
    recipient: Address
    carrier: str
    tracking_number: str
    order_number: str
    service: str = ""
    weight_kg: Decimal | None = None
    size: LabelSize | None = None

    kind = "shipping_label"

    def __post_init__(self) -> None:
        _require_text(self.carrier, "carrier")
        _require_text(self.order_number, "order number")
        Barcode.code128(self.tracking_number)  # validates: tracking numbers print as Code 128

    @property
    def barcode(self) -> Barcode:
        return Barcode.code128(self.tracking_number)


# -- receipts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopHeader:
    name: str
    address_lines: tuple[str, ...] = ()
    tax_id: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        _require_text(self.name, "shop name")
        object.__setattr__(self, "address_lines", tuple(self.address_lines))


@dataclass(frozen=True)
class ReceiptLine:
    name: str
    quantity: Decimal
    unit_price: Money
    discount: Money | None = None  # a positive amount taken off this line

    def __post_init__(self) -> None:
        _require_text(self.name, "line name")
        object.__setattr__(self, "quantity", _quantity(self.quantity, "quantity"))
        _same_currency([self.unit_price, self.discount])

    @property
    def total(self) -> Money:
        gross = self.unit_price * self.quantity
        return gross - self.discount if self.discount else gross


@dataclass(frozen=True)
class TaxLine:
    label: str  # "VAT 20%"
    rate: Decimal
    amount: Money
    included: bool = True  # included in prices (EU VAT) or added on top (US sales tax)


@dataclass(frozen=True)
class Tender:
    method: str  # "cash", "card", ...
    amount: Money


@dataclass(frozen=True)
class Receipt:
    """A till receipt. ``order_number`` (e.g. ``S-T01-000123``) prints as Code 128 for returns."""

    shop: ShopHeader
    order_number: str
    created_at: datetime
    lines: tuple[ReceiptLine, ...]
    tenders: tuple[Tender, ...] = ()
    taxes: tuple[TaxLine, ...] = ()
    order_discount: Money | None = None
    clerk: str = ""
    footer: tuple[str, ...] = ()
    paper_width_mm: float = 80
    locale: str = "en_US"

    kind = "receipt"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "tenders", tuple(self.tenders))
        object.__setattr__(self, "taxes", tuple(self.taxes))
        object.__setattr__(self, "footer", tuple(self.footer))
        if not self.lines:
            raise InvalidDocument("a receipt needs at least one line")
        Barcode.code128(self.order_number)
        _same_currency(
            [line.unit_price for line in self.lines]
            + [t.amount for t in self.tenders]
            + [t.amount for t in self.taxes]
            + [self.order_discount]
        )
        if self.paper_width_mm not in (58, 80):
            raise InvalidDocument(f"receipt paper must be 58 or 80 mm wide, got {self.paper_width_mm}")

    @property
    def currency(self) -> str:
        return self.lines[0].unit_price.currency

    @property
    def subtotal(self) -> Money:
        total = Money(Decimal(0), self.currency)
        for line in self.lines:
            total = total + line.total
        return total

    @property
    def total(self) -> Money:
        total = self.subtotal
        if self.order_discount:
            total = total - self.order_discount
        for tax in self.taxes:
            if not tax.included:
                total = total + tax.amount
        return total

    @property
    def paid(self) -> Money:
        paid = Money(Decimal(0), self.currency)
        for tender in self.tenders:
            paid = paid + tender.amount
        return paid

    @property
    def change(self) -> Money:
        change = self.paid - self.total
        return change if change.amount > 0 else Money.zero(change.currency)

    @property
    def barcode(self) -> Barcode:
        return Barcode.code128(self.order_number)

    @property
    def size(self) -> LabelSize:
        # Height is a placeholder: receipt paper is continuous, renderers compute their length.
        return LabelSize(self.paper_width_mm, 100)


# -- pick lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickLine:
    order_number: str
    bin: str
    sku: str
    name: str
    quantity: Decimal
    barcode: Barcode | None = None

    def __post_init__(self) -> None:
        _require_text(self.name, "pick line name")
        object.__setattr__(self, "quantity", _quantity(self.quantity, "quantity"))
        if self.quantity <= 0:
            raise InvalidDocument(f"pick quantity must be positive, got {self.quantity}")


@dataclass(frozen=True)
class PickList:
    title: str
    created_at: datetime
    lines: tuple[PickLine, ...]
    page: Literal["A4", "Letter"] = "A4"
    picker: str = ""

    kind = "pick_list"

    def __post_init__(self) -> None:
        object.__setattr__(self, "lines", tuple(self.lines))
        if self.page not in PAGE_SIZES:
            raise InvalidDocument(f"pick list page must be A4 or Letter, got {self.page!r}")
        if not self.lines:
            raise InvalidDocument("a pick list needs at least one line")

    @property
    def size(self) -> LabelSize:
        return PAGE_SIZES[self.page]

    @property
    def orders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line.order_number for line in self.lines))


# -- test page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestPage:
    """Every barcode kind we print, to check a printer and its scanner in one go."""

    __test__ = False  # not a pytest class

    printer_name: str
    barcodes: tuple[Barcode, ...]
    text_samples: tuple[str, ...] = ("Crème brûlée à 3,50 €", "中文测试 条形码")
    size: LabelSize | None = None
    created_at: datetime = field(default_factory=datetime.now)

    kind = "test_page"


Document = ProductLabel | ShelfLabel | Receipt | PickList | ShippingLabel | TestPage

#: Document kinds a terminal can route to a printer.
DOCUMENT_KINDS: tuple[str, ...] = (
    "product_label",
    "shelf_label",
    "receipt",
    "pick_list",
    "shipping_label",
    "test_page",
)

__all__ = [
    "A4",
    "DOCUMENT_KINDS",
    "LETTER",
    "Address",
    "Barcode",
    "Document",
    "LabelSize",
    "Money",
    "PickLine",
    "PickList",
    "ProductLabel",
    "Receipt",
    "ReceiptLine",
    "ShelfLabel",
    "ShippingLabel",
    "ShopHeader",
    "Symbology",
    "TaxLine",
    "Tender",
    "TestPage",
]
