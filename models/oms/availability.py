"""Available to promise: what a location, or a channel across locations, may still sell.

    ATP(location, product)          = on hand - reserved - safety stock           (never below 0)
    ATP(channel, product)           = sum over the channel's locations of ATP - the channel's buffer

Reserved is what live allocations hold (reserved, released, picking): the allocation *is* the
reservation, so there is no second count to drift from it. Safety stock is kept back per location
and product (a location-wide default where a product has none). A channel's online buffer keeps
back a few more units from what that channel may sell, so a web shop that lags behind the stock
does not sell the last unit twice.
"""

from __future__ import annotations

from decimal import Decimal


def location_atp(on_hand: Decimal, reserved: Decimal, safety: Decimal = Decimal(0)) -> Decimal:
    return max(on_hand - reserved - safety, Decimal(0))


def channel_atp(per_location: list[Decimal], buffer: Decimal = Decimal(0)) -> Decimal:
    return max(sum(per_location, Decimal(0)) - buffer, Decimal(0))
