"""Exact numbers in any engine.

SQLite has no exact decimal type: a DECIMAL column stores a float, and SUM() drifts. Quantities and
money are therefore stored as scaled integers (exact in every engine, summable in SQL) and come back
as `Decimal`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import peewee

from .errors import DomainError

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
QTY_SCALE = 1000  # thousandths: grams of a kilogram, millilitres of a litre
MONEY_SCALE = 10000  # four places covers every ISO 4217 currency


class ScaledDecimalField(peewee.BigIntegerField):
    """A Decimal stored as an integer count of 1/scale units."""

    scale = 1

    def db_value(self, value: object) -> int | None:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("use Decimal, not float, for quantities and money")
        number = Decimal(value)
        if not number.is_finite():
            raise DomainError("{value} is not a number that can be stored.", value=value)
        scaled = int((number * self.scale).to_integral_value(ROUND_HALF_EVEN))
        if not _INT64_MIN <= scaled <= _INT64_MAX:
            # The domain bounds every number it takes (models.limits); this is the last guard, so an
            # unchecked door fails with a message instead of the driver's OverflowError.
            raise DomainError("{value} is too large to store: check the number.", value=value)
        return scaled

    def python_value(self, value: object) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)) / self.scale


class QuantityField(ScaledDecimalField):
    scale = QTY_SCALE


class MoneyField(ScaledDecimalField):
    scale = MONEY_SCALE


def to_decimal(value: object) -> Decimal:
    """Read a number a person typed or a file held: accepts `1,5` as well as `1.5`."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("use Decimal, not float")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return Decimal(text)
