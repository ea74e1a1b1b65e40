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
# A sale line above this many units is possible but unusual (a typo, most often): a supervisor
# approves it at the counter, the CLI wants --allow-large. Set per terminal: [limits] large_line.
LARGE_LINE = Decimal(1000)


def _text(value: Decimal) -> str:
    return f"{value:,.0f}"


def _subject(sku: str) -> str:
    return f"{sku}: " if sku else ""


def check_quantity(quantity: Decimal, unit: str = "", sku: str = "") -> Decimal:
    """`quantity` if finite and within MAX_QUANTITY either way, else a clear refusal."""
    if not quantity.is_finite():
        raise DomainError("{subject}{quantity} is not a quantity: type a number such as 3 or 1.250.",
                          subject=_subject(sku), quantity=quantity)
    if abs(quantity) > MAX_QUANTITY:
        raise DomainError("{subject}{quantity:f} {unit} is more than the {limit} {unit} one line may hold: "
                          "check the number typed.", subject=_subject(sku), quantity=quantity, unit=unit,
                          limit=_text(MAX_QUANTITY))
    return quantity


def check_amount(amount: Decimal, currency: str = "", sku: str = "", limit: Decimal = MAX_AMOUNT) -> Decimal:
    """`amount` if finite and within `limit` either way, else a clear refusal (`sku`: whose price)."""
    if not amount.is_finite():
        raise DomainError("{subject}{amount} is not an amount: type a number such as 12.50.",
                          subject=_subject(sku), amount=amount)
    if abs(amount) > limit:
        raise DomainError("{subject}{amount:f} {currency} is more than the {limit} {currency} allowed: "
                          "check the number typed.", subject=_subject(sku), amount=amount, currency=currency,
                          limit=_text(limit))
    return amount
