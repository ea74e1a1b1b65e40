"""Locale-aware money text, cached because labels are printed in batches of thousands."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache


@lru_cache(maxsize=8192)
def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    from babel.numbers import format_currency

    # Narrow/no-break spaces (fr_FR, de_CH...) are not in printer code pages; a plain space is.
    return format_currency(amount, currency, locale=locale).replace("\u202f", " ").replace("\xa0", " ")


def money_text(money: object, locale: str = "en_US") -> str:
    """`format_money` for a Money (anything with `amount` and `currency`)."""
    return format_money(money.amount, money.currency, locale)  # type: ignore[attr-defined]
