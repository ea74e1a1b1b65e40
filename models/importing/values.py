"""Reading one cell: numbers with either decimal mark, yes/no, barcodes, currencies, dates.

Each parser returns the value or raises `ValueError` whose message is the reason shown for the row.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.numbers import list_currencies

from ..catalog import normalize_code
from ..scan import is_valid_gtin

_TRUE = {"1", "y", "yes", "true", "t", "x", "on", "是", "√", "✓"}
_FALSE = {"0", "n", "no", "false", "f", "off", "否", "-"}
# Excel shows long digit strings as 4.00638E+12 and saves them so: the digits are gone for good.
_EXCEL_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SYMBOLS = "€$¥￥£"


def looks_mangled(text: str) -> bool:
    return bool(_EXCEL_SCIENTIFIC.match(text))


def mangled_reason(column: str, text: str) -> str:
    return (f"{column} {text!r} was turned into a number by a spreadsheet (digits are lost): "
            "format the column as text in the old system's export and export again")


def decimal(text: str, column: str, *, decimal_comma: bool) -> Decimal:
    """`1 234,50` / `1.234,50` / `1,234.50` / `12,5` (in a `;` file) / `€ 3.20` all read as numbers."""
    raw = text
    cleaned = text.strip().strip(_SYMBOLS).strip()
    for space in (" ", "\u00a0", "\u202f", "'"):  # thousands separators that are never decimal marks
        cleaned = cleaned.replace(space, "")
    if "," in cleaned and "." in cleaned:
        mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if mark == "," else ",", "").replace(",", ".")
    elif "," in cleaned:
        if decimal_comma and cleaned.count(",") == 1:
            cleaned = cleaned.replace(",", ".")
        elif re.fullmatch(r"-?\d{1,3}(,\d{3})+", cleaned):
            cleaned = cleaned.replace(",", "")
        else:
            raise ValueError(f"{column} {raw!r} is not a number (write it like 12.50)")
    elif cleaned.count(".") > 1:
        if not re.fullmatch(r"-?\d{1,3}(\.\d{3})+", cleaned):
            raise ValueError(f"{column} {raw!r} is not a number (write it like 12.50)")
        cleaned = cleaned.replace(".", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{column} {raw!r} is not a number (write it like 12.50)") from None
    if not value.is_finite():
        raise ValueError(f"{column} {raw!r} is not a number (write it like 12.50)")
    return value


def places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def boolean(text: str, column: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"{column} {text!r} is not yes/no (use 1/0, yes/no or true/false)")


def integer(text: str, column: str, low: int, high: int) -> int:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = None
    if value is None or value != value.to_integral_value() or not low <= value <= high:
        raise ValueError(f"{column} {text!r} must be a whole number from {low} to {high}")
    return int(value)


def barcode(text: str) -> str:
    """A barcode as stored: GTINs as 14 digits (check digit verified), other codes as typed."""
    code = text.strip().replace(" ", "")
    if looks_mangled(code):
        raise ValueError(mangled_reason("barcode", code))
    if code.isdigit():
        if len(code) not in (8, 12, 13, 14):
            hint = " (leading zeros lost in a spreadsheet?)" if len(code) in (7, 11) else ""
            raise ValueError(f"barcode {code} has {len(code)} digits; an EAN/UPC has 8, 12, 13 or 14{hint}")
        if not is_valid_gtin(code):
            raise ValueError(f"barcode {code} has a wrong check digit (mistyped or cut off?)")
    return normalize_code(code)


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def currency(text: str) -> str:
    code = text.strip().upper()
    if code in {"RMB", "¥", "￥"}:
        return "CNY"  # what Chinese systems commonly write for the yuan
    if code == "€":
        return "EUR"
    if code not in _currencies():
        raise ValueError(f"currency {text.strip()!r} is not an ISO 4217 code such as EUR or CNY")
    return code


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d.%m.%Y", "%Y%m%d")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")


def moment(text: str, column: str) -> dt.datetime:
    """A date (midnight) or date and time, UTC. Day/month order must be unambiguous."""
    value = text.strip().replace("T", " ")
    for fmt in _TIME_FORMATS + _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(f"{column} {text.strip()!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM-DD HH:MM)")
