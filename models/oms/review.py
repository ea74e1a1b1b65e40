"""Review (审核): the rules that put an order on hold, evaluated against what is known of it.

An operator keeps a list of rules, each with an id, a place in the order of evaluation and an
on/off switch. Every rule that matches adds a hold with its reason (an order may carry several);
an order no rule holds is approved at once. The kinds:

| kind                  | holds an order when                                           | params        |
|-----------------------|---------------------------------------------------------------|---------------|
| amount_above          | its total, in the reporting currency, is above `limit`         | limit         |
| new_customer_above    | it is a customer's first order and above `limit`               | limit         |
| address_incomplete    | the shipping address lacks name, street, city, postcode or country |           |
| payment_not_captured  | its payment is not captured yet                                |               |
| likely_duplicate      | the same customer ordered the same items within `minutes`      | minutes       |
| risky_channel         | its channel is flagged risky                                   |               |
| item_not_on_channel   | a line's product is not sold on its channel                    |               |
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..errors import DomainError
from ..limits import MAX_AMOUNT

AMOUNT_ABOVE, NEW_CUSTOMER_ABOVE, ADDRESS_INCOMPLETE, PAYMENT_NOT_CAPTURED, LIKELY_DUPLICATE, RISKY_CHANNEL, \
    ITEM_NOT_ON_CHANNEL = ("amount_above", "new_customer_above", "address_incomplete", "payment_not_captured",
                           "likely_duplicate", "risky_channel", "item_not_on_channel")
# Holds placed by hand or by fulfilment, not by a rule.
MANUAL, OUT_OF_STOCK = "manual", "out_of_stock"

# kind -> {param: type}
RULE_KINDS: dict[str, dict[str, type]] = {
    AMOUNT_ABOVE: {"limit": Decimal},
    NEW_CUSTOMER_ABOVE: {"limit": Decimal},
    ADDRESS_INCOMPLETE: {},
    PAYMENT_NOT_CAPTURED: {},
    LIKELY_DUPLICATE: {"minutes": int},
    RISKY_CHANNEL: {},
    ITEM_NOT_ON_CHANNEL: {},
}

CAPTURED = "captured"
PAYMENT_STATES = ("pending", "authorized", CAPTURED, "refunded", "voided")
ADDRESS_PARTS = ("name", "street", "city", "postcode", "country")


@dataclass(frozen=True)
class Rule:
    kind: str
    params: dict[str, object] = field(default_factory=dict)
    id: int = 0
    position: int = 0
    enabled: bool = True


def read_params(kind: str, params: dict[str, object] | str | None) -> dict[str, object]:
    """The params of a rule of `kind`, checked and typed; a clear refusal otherwise."""
    if kind not in RULE_KINDS:
        raise DomainError("{kind!r} is not a review rule: use one of {kinds}.", kind=kind, kinds=", ".join(RULE_KINDS))
    if isinstance(params, str):
        try:
            params = json.loads(params or "{}")
        except ValueError:
            raise DomainError("Rule params are JSON, e.g. {example}.", example='{"limit": "500"}') from None
    params = dict(params or {})
    wanted = RULE_KINDS[kind]
    unknown = sorted(set(params) - set(wanted))
    if unknown:
        raise DomainError("A {kind} rule takes {takes}, not {unknown}.", kind=kind,
                          takes=", ".join(wanted) or "no params", unknown=", ".join(unknown))
    typed: dict[str, object] = {}
    for name, kind_of in wanted.items():
        if name not in params:
            raise DomainError("A {kind} rule needs {name}.", kind=kind, name=name)
        typed[name] = _typed(kind, name, params[name], kind_of)
    return typed


def _typed(kind: str, name: str, value: object, kind_of: type) -> object:
    try:
        if kind_of is int:
            number = int(str(value))
            if not 1 <= number <= 7 * 24 * 60:
                raise ValueError
            return number
        amount = Decimal(str(value))
        if not amount.is_finite() or not 0 <= amount <= MAX_AMOUNT:
            raise ValueError
        return amount
    except (ValueError, InvalidOperation):
        what = "minutes from 1 to 10080" if kind_of is int else f"an amount from 0 to {MAX_AMOUNT:,.0f}"
        raise DomainError("{kind}: {name} must be {what}, not {value!r}.", kind=kind, name=name, what=what,
                          value=str(value)[:40]) from None


@dataclass(frozen=True)
class Facts:
    """What review needs to know of an order (head office gathers it; the rules only read it)."""

    amount: Decimal  # the order's total in the reporting currency
    placed_at: dt.datetime
    payment_status: str = CAPTURED
    address: dict[str, str] = field(default_factory=dict)
    customer_known: bool = False  # has this customer ordered before?
    items: tuple[tuple[str, Decimal], ...] = ()  # (sku, quantity), sorted
    earlier: tuple[tuple[dt.datetime, tuple[tuple[str, Decimal], ...]], ...] = ()  # the customer's recent orders
    channel_risky: bool = False
    not_on_channel: tuple[str, ...] = ()  # skus the channel does not sell


@dataclass(frozen=True)
class Hold:
    reason: str
    detail: str
    rule_id: int = 0


def evaluate(rules: list[Rule], facts: Facts, reporting_currency: str = "EUR") -> list[Hold]:
    """The holds the enabled rules put on an order, in their order of evaluation."""
    holds = []
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        if rule.enabled and (detail := _matches(rule, facts, reporting_currency)):
            holds.append(Hold(rule.kind, detail, rule.id))
    return holds


def _matches(rule: Rule, facts: Facts, currency: str) -> str:
    params = read_params(rule.kind, rule.params)
    if rule.kind == AMOUNT_ABOVE and facts.amount > params["limit"]:
        return f"Total {facts.amount:f} {currency} is above the review limit of {params['limit']:f} {currency}."
    if rule.kind == NEW_CUSTOMER_ABOVE and not facts.customer_known and facts.amount > params["limit"]:
        return (f"First order of a new customer, {facts.amount:f} {currency}: above "
                f"{params['limit']:f} {currency}.")
    if rule.kind == ADDRESS_INCOMPLETE:
        missing = [part for part in ADDRESS_PARTS if not str(facts.address.get(part, "")).strip()]
        if missing:
            return "The shipping address has no " + ", ".join(missing) + "."
    if rule.kind == PAYMENT_NOT_CAPTURED and facts.payment_status != CAPTURED:
        return f"Payment is {facts.payment_status}, not captured."
    if rule.kind == LIKELY_DUPLICATE:
        window = dt.timedelta(minutes=int(params["minutes"]))  # type: ignore[call-overload]
        for at, items in facts.earlier:
            if items == facts.items and abs(facts.placed_at - at) <= window:
                return f"The same customer ordered the same items at {at:%Y-%m-%d %H:%M} UTC."
    if rule.kind == RISKY_CHANNEL and facts.channel_risky:
        return "The channel is flagged risky."
    if rule.kind == ITEM_NOT_ON_CHANNEL and facts.not_on_channel:
        return "Not sold on this channel: " + ", ".join(facts.not_on_channel) + "."
    return ""


def approval_role(amount: Decimal, manager_above: Decimal | None) -> str:
    """Who may approve an order of `amount` (reporting currency): above the limit, only a manager."""
    return "manager" if manager_above is not None and amount > manager_above else "operator"
