"""Money: a Decimal amount with its ISO 4217 currency. Never a float."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision

from .errors import DomainError


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money takes a Decimal, not a float")
        if not Decimal(self.amount).is_finite():
            raise DomainError("An amount must be a finite number, not {amount}.", amount=self.amount)
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise DomainError("Currency {currency!r} is not an ISO 4217 code such as EUR or CNY.", currency=self.currency)
        object.__setattr__(self, "amount", Decimal(self.amount))

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        """Money from text or a whole number as well as a Decimal ("2.50", 3); never from a float."""
        if isinstance(amount, float):
            raise TypeError("build Money from a str or Decimal, not a float")
        return cls(Decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise DomainError("Cannot combine {currency} with {other}.", currency=self.currency, other=other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def scaled(self, factor: Decimal) -> Money:
        """This amount times `factor`, rounded down to the minor unit (a discount scaled with its
        line never grows past the share it was)."""
        return Money((self.amount * factor).quantize(_minor_unit(self.currency), rounding=ROUND_DOWN), self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def rounded(self) -> Money:
        """Round to the currency's minor unit (2 places for EUR, 0 for JPY)."""
        return Money(round_to_minor(self.amount, self.currency), self.currency)

    def format(self, locale: str = "en") -> str:
        return format_currency(self.amount, self.currency, locale=locale)

    def __str__(self) -> str:
        return f"{self.rounded().amount} {self.currency}"


@functools.cache
def _minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(currency))


def round_to_minor(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half up to the currency's minor unit: sums over many lines stay in
    Decimals and become ``Money`` once."""
    return amount.quantize(_minor_unit(currency), rounding=ROUND_HALF_UP)
