"""Checking each row on its own (no database needed).

A row yields either a typed record or the reasons it is refused; every problem of a row is listed.
An empty optional cell means "not given": it never overwrites what the store already has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..limits import MAX_QUANTITY, MAX_UNIT_PRICE
from . import values
from .columns import CUSTOMERS, PRICES, PRODUCTS, STOCK, HeaderMap
from .reading import RawRow, Table

MAX_MONEY_PLACES = 4  # MoneyField keeps 1/10000
MAX_QTY_PLACES = 3  # QuantityField keeps thousandths


@dataclass
class ProductRecord:
    line: int
    sku: str
    fields: dict[str, Any]  # Product attributes given in the file
    barcodes: dict[str, Decimal] = field(default_factory=dict)  # stored code -> pack quantity


@dataclass
class PriceRecord:
    line: int
    sku: str
    amount: Decimal
    currency: str | None  # None: the local location's currency
    valid_from: dt.datetime | None  # None: from now, unless the current price is already this one


@dataclass
class StockRecord:
    line: int
    location: str | None  # None: the importing terminal's location
    sku: str
    quantity: Decimal
    bin: str = ""
    lot: str = ""


@dataclass
class CustomerRecord:
    line: int
    code: str
    fields: dict[str, Any]


Record = ProductRecord | PriceRecord | StockRecord | CustomerRecord


@dataclass
class Rejection:
    line: int
    reasons: list[str]
    cells: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


class _Row:
    """Cell access for one row; problems are collected, not raised, so a row reports all of them."""

    def __init__(self, raw: RawRow, header: HeaderMap, table: Table) -> None:
        self.raw = raw
        cells, width = raw.cells, len(raw.cells)
        # Every cell is asked for once or twice: strip each once.
        self._texts = {name: cells[at].strip() for name, at in header.index.items() if at < width}
        self.decimal_comma = table.decimal_comma
        self.problems: list[str] = []

    def text(self, name: str) -> str:
        return self._texts.get(name, "")

    def required(self, name: str) -> str:
        value = self.text(name)
        if not value:
            self.problems.append(f"{name} is empty")
        return value

    def parse(self, name: str, parser: Callable[..., Any], *args: Any) -> Any:
        """`parser(cell, *args)`, or None if the cell is empty or bad (a bad one is noted as a problem)."""
        text = self._texts.get(name)
        if not text:
            return None
        try:
            return parser(text, *args)
        except ValueError as exc:
            self.problems.append(str(exc))
            return None

    def number(self, name: str, *, max_places: int, limit: Decimal, label: str | None = None) -> Decimal | None:
        label = label or name

        def parse(text: str) -> Decimal:
            value = values.decimal(text, label, decimal_comma=self.decimal_comma)
            if value < 0:
                raise ValueError(f"{label} {text!r} is negative")
            if value > limit:
                raise ValueError(f"{label} {text!r} is more than {limit:,.0f}: check the number")
            if values.places(value) > max_places:
                raise ValueError(f"{label} {text!r} has more than {max_places} decimals")
            return value

        return self.parse(name, parse)

    def code(self, name: str, value: str) -> str:
        if values.looks_mangled(value):
            self.problems.append(values.mangled_reason(name, value))
        return value


_FLAGS = ("weight_priced", "track_lot", "track_serial", "track_expiry", "active")


def _one_barcode(_cell: str, part: str) -> str:
    return values.barcode(part)


def _product(row: _Row) -> ProductRecord:
    sku = row.code("sku", row.required("sku"))
    name = row.required("name")
    given: dict[str, Any] = {"name": name} if name else {}
    for text_field in ("name_zh", "category", "category_zh", "unit"):
        if row.text(text_field):
            given[text_field] = row.text(text_field)
    if len(given.get("unit", "")) > 8:
        row.problems.append(f"unit {given['unit']!r} is longer than 8 characters")
    parsed = {
        "unit_precision": row.parse("unit_precision", values.integer, "unit_precision", 0, 3),
        "tax_rate": row.parse("tax_rate", _tax, row.decimal_comma),
        **{flag: row.parse(flag, values.boolean, flag) for flag in _FLAGS},
    }
    given.update({k: v for k, v in parsed.items() if v is not None})
    codes: dict[str, Decimal] = {}
    for part in row.text("barcode").split("|"):
        if part.strip():
            code = row.parse("barcode", _one_barcode, part)
            if code:
                codes[code] = Decimal(1)
    pack_code = row.parse("pack_barcode", values.barcode)
    pack_qty = row.number("pack_qty", max_places=MAX_QTY_PLACES, limit=MAX_QUANTITY)
    if pack_code:
        if pack_qty is None or pack_qty == 0:
            if not row.text("pack_qty"):
                row.problems.append("pack_barcode is given without pack_qty")
            elif pack_qty == 0:
                row.problems.append("pack_qty must be more than 0")
        elif pack_code in codes:
            row.problems.append(f"barcode {row.text('pack_barcode')} is both a unit and a pack barcode")
        else:
            codes[pack_code] = pack_qty
    elif pack_qty is not None:
        row.problems.append("pack_qty is given without pack_barcode")
    return ProductRecord(row.raw.line, sku, given, codes)


def _tax(text: str, decimal_comma: bool) -> Decimal:
    value = values.decimal(text.strip().rstrip("%"), "tax_rate", decimal_comma=decimal_comma)
    if not 0 <= value <= 100:
        raise ValueError(f"tax_rate {text!r} must be a percentage from 0 to 100")
    return value


def _price(row: _Row) -> PriceRecord:
    sku = row.code("sku", row.required("sku"))
    if not row.text("price"):
        row.problems.append("price is empty")
    amount = row.number("price", max_places=MAX_MONEY_PLACES, limit=MAX_UNIT_PRICE)
    cur = row.parse("currency", values.currency)
    valid_from = row.parse("valid_from", values.moment, "valid_from")
    return PriceRecord(row.raw.line, sku, amount if amount is not None else Decimal(0), cur, valid_from)


def _stock(row: _Row) -> StockRecord:
    sku = row.code("sku", row.required("sku"))
    if not row.text("quantity"):
        row.problems.append("quantity is empty")
    qty = row.number("quantity", max_places=MAX_QTY_PLACES, limit=MAX_QUANTITY)
    return StockRecord(row.raw.line, row.text("location") or None, sku,
                       qty if qty is not None else Decimal(0), bin=row.text("bin"), lot=row.text("lot"))


def _customer(row: _Row) -> CustomerRecord:
    code = row.code("code", row.required("code"))
    name = row.required("name")
    given: dict[str, Any] = {"name": name} if name else {}
    email = row.text("email")
    if email:
        local, _, domain = email.partition("@")
        if not local or "." not in domain or " " in email:
            row.problems.append(f"email {email!r} is not an e-mail address")
        given["email"] = email
    phone = row.text("phone")
    if phone:
        if values.looks_mangled(phone):
            row.problems.append(values.mangled_reason("phone", phone))
        given["phone"] = phone
    if row.text("segment"):
        given["segment"] = row.text("segment")
    return CustomerRecord(row.raw.line, code, given)


_PARSERS: dict[str, Callable[[_Row], Record]] = {
    PRODUCTS: _product, PRICES: _price, STOCK: _stock, CUSTOMERS: _customer,
}


def key(record: Record, place: Callable[[str | None], str | None] | None = None) -> tuple:
    """What a row states something about: two rows of a file with the same key contradict each other.
    `place` turns a stock row's location cell into the location it names ("" and "STORE1" can be one)."""
    if isinstance(record, PriceRecord):
        return (record.sku, record.currency, record.valid_from)
    if isinstance(record, StockRecord):
        return ((place or (lambda code: code))(record.location), record.sku, record.bin, record.lot)
    if isinstance(record, CustomerRecord):
        return (record.code,)
    return (record.sku,)


def describe(kind: str, key: tuple) -> str:
    if kind == STOCK:
        location, sku, bin_, lot = key
        where = " ".join(p for p in (f"bin {bin_}" if bin_ else "", f"lot {lot}" if lot else "") if p)
        return f"SKU {sku}" + (f" at {location}" if location else "") + (f" ({where})" if where else "")
    if kind == PRICES:
        sku, cur, start = key
        return f"price of SKU {sku}" + (f" in {cur}" if cur else "") + (f" from {start:%Y-%m-%d}" if start else "")
    if kind == CUSTOMERS:
        return f"customer code {key[0]}"
    return f"SKU {key[0]}"


def check(kind: str, raw: RawRow, header: HeaderMap, table: Table) -> tuple[Record, list[str]]:
    """The row as a typed record and its own problems (empty when it is good on its own). Whether
    its key or barcodes are on other lines too is the file's business (`importing.keys`)."""
    row = _Row(raw, header, table)
    width = len(table.header)
    extra = [c for c in raw.cells[width:] if c.strip()]
    if extra:
        row.problems.append(f"{len(raw.cells)} values but the header has {width} columns "
                            f"(a value with a {_name(table.delimiter)} that is not in quotes?)")
    return _PARSERS[kind](row), row.problems


def _name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[delimiter]


def shown(code: str) -> str:
    """A stored 14-digit GTIN as printed under the bars (EAN-13 form for the usual leading zero)."""
    return code[1:] if len(code) == 14 and code.isdigit() and code.startswith("0") else code
