"""Adjustments: stock found, damaged, stolen; always with a reason."""

from __future__ import annotations

from decimal import Decimal

from ..catalog import Product
from ..context import Actor
from ..db import db
from ..errors import DomainError, InsufficientStock
from ..ledger import ADJUSTMENT, on_hand
from .recording import put_stock, take_stock


def adjust(actor: Actor, product: Product, change: Decimal, reason: str, *, bin: str = "", lot: str = "") -> list:
    """Stock found (+) or lost (-), with a reason; without a bin it goes by `models.shelves`."""
    change = product.quantity(change)
    if change == 0:
        raise DomainError("An adjustment of zero changes nothing.")
    if not reason.strip():
        raise DomainError("An adjustment needs a reason (damaged, found, theft, ...).")
    location = actor.location
    with db.atomic():
        if change < 0 and not location.may_sell_below_zero:
            have = on_hand(location, product, bin=bin or None, lot=lot or None)
            if have + change < 0:
                raise InsufficientStock("{sku}: {have} on hand, cannot take out {quantity}.", sku=product.sku, have=have, quantity=-change)
        if change > 0:
            return [put_stock(actor, product, change, ADJUSTMENT, reason=reason.strip(), bin=bin, lot=lot)]
        return take_stock(actor, product, -change, ADJUSTMENT, reason=reason.strip(), bin=bin, lot=lot)
