"""How big a number may be: the one place that bounds quantities and amounts.

Every door checks against these (the counter app and the CLI through the domain operations, CSV
import, head office's intake), so a typo such as `99999999999999999999*` or a cash amount of
1e25 is refused with a message instead of overflowing a column. The bounds are far above any real
line or order, and far below what the scaled 64-bit columns hold (`models.fields`).
"""

from __future__ import annotations

from decimal import Decimal

from .errors import DomainError

MAX_QUANTITY = Decimal(10_000_000)  # units of a product's own unit, in one line or one movement
MAX_UNIT_PRICE = Decimal(10_000_000)  # one unit's price, in the currency's major unit
MAX_AMOUNT = Decimal(10_000_000_000)  # a line, an order, a tender or a refund


def _text(value: Decimal) -> str:
    return f"{value:,.0f}"


def check_quantity(quantity: Decimal, unit: str = "", what: str = "A quantity") -> Decimal:
    """`quantity` if finite and within MAX_QUANTITY either way, else a clear refusal."""
    if not quantity.is_finite():
        raise DomainError(f"{what} must be a number, not {quantity}.")
    if abs(quantity) > MAX_QUANTITY:
        raise DomainError(f"{what} of {quantity:f} is more than the {_text(MAX_QUANTITY)} {unit}".rstrip()
                          + " one line may hold: check the number typed.")
    return quantity


def check_amount(amount: Decimal, currency: str = "", what: str = "An amount",
                 limit: Decimal = MAX_AMOUNT) -> Decimal:
    """`amount` if finite and within `limit` either way, else a clear refusal."""
    if not amount.is_finite():
        raise DomainError(f"{what} must be a number, not {amount}.")
    if abs(amount) > limit:
        raise DomainError(f"{what} of {amount:f} {currency}".rstrip() + f" is more than {_text(limit)} "
                          f"{currency}".rstrip() + ": check the number typed.")
    return amount
