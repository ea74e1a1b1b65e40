"""What the counter's lookup screen shows: find products fast, and one product's stock picture.

`find_products` answers an exact code (barcode or SKU, both indexed) before the catalogue search,
so a scan never waits for a name search over the whole catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from .catalog import Barcode, Product, current_price, find_by_code, search_products
from .errors import NotFound
from .hq import remote_levels
from .ledger import StockEvent, StockLevel
from .money import Money
from .places import Location


def find_products(text: str, limit: int = 50, *, scanned: bool = False) -> list[Product]:
    """An exact code's product first, then the products whose SKU starts with or name contains text.

    `scanned`: the text came from a scanner, so an exact hit is the answer, and an unknown barcode
    (all digits) is not worth a name search over the whole catalogue.
    """
    text = text.strip()
    if not text:
        return []
    found: list[Product] = []
    try:
        product, _pack = find_by_code(text)
        found.append(product)
    except NotFound:
        pass
    if scanned and (found or text.isdigit()):
        return found
    seen = {p.id for p in found}
    found.extend(p for p in search_products(text, limit=limit) if p.id not in seen)
    return found[:limit]


@dataclass(frozen=True)
class LotLine:
    bin: str
    lot: str
    on_hand: Decimal
    expiry: dt.date | None


@dataclass(frozen=True)
class ElsewhereLine:
    location: str
    name: str
    on_hand: Decimal


@dataclass
class ProductCard:
    product: Product
    price: Money | None
    here: Decimal
    lots: list[LotLine] = field(default_factory=list)
    elsewhere: list[ElsewhereLine] = field(default_factory=list)
    elsewhere_as_of: dt.datetime | None = None  # None: never synced, levels are this store's own copy
    codes: list[str] = field(default_factory=list)


def product_card(product: Product, location: Location) -> ProductCard:
    """Price, stock here by bin/lot with expiry, and stock at the other locations this store knows of."""
    try:
        price: Money | None = current_price(product)
    except NotFound:
        price = None
    levels = list(StockLevel.select(StockLevel, Location).join(Location).where(StockLevel.product == product)
                  .order_by(Location.code, StockLevel.bin, StockLevel.lot))
    here_levels = [lv for lv in levels if lv.location_id == location.id]
    expiries = _expiries(product, location, {lv.lot for lv in here_levels if lv.lot})
    lots = [LotLine(lv.bin, lv.lot, lv.on_hand, expiries.get(lv.lot)) for lv in here_levels
            if lv.on_hand or lv.lot]
    elsewhere, as_of = _elsewhere(product, location, levels)
    return ProductCard(
        product=product, price=price, here=sum((lv.on_hand for lv in here_levels), Decimal(0)),
        lots=lots, elsewhere=elsewhere, elsewhere_as_of=as_of,
        codes=[b.code for b in Barcode.select(Barcode.code).where(Barcode.product == product)],
    )


def _elsewhere(product: Product, location: Location,
               levels: list[StockLevel]) -> tuple[list[ElsewhereLine], dt.datetime | None]:
    """Other locations' stock as head office last reported it; before any sync, this store's own
    (partial) books of them. The time is that of the oldest figure shown."""
    names = {loc.code: loc.name for loc in Location.select(Location.code, Location.name)}
    remote = [r for r in remote_levels(product.sku) if r.location_code != location.code]
    if remote:
        lines = [ElsewhereLine(r.location_code, names.get(r.location_code, r.location_code), r.on_hand)
                 for r in remote]
        return lines, min(r.as_of for r in remote)
    totals: dict[str, Decimal] = {}
    for lv in levels:
        if lv.location_id != location.id:
            totals[lv.location.code] = totals.get(lv.location.code, Decimal(0)) + lv.on_hand
    return [ElsewhereLine(code, names.get(code, code), qty) for code, qty in totals.items()], None


def _expiries(product: Product, location: Location, lots: set[str]) -> dict[str, dt.date]:
    """The expiry recorded for each lot: taken from the latest event of that lot that carried one."""
    if not lots:
        return {}
    rows = (StockEvent.select(StockEvent.lot, peewee.fn.MAX(StockEvent.expiry).alias("expiry"))
            .where((StockEvent.product == product) & (StockEvent.location == location)
                   & StockEvent.lot.in_(sorted(lots)) & StockEvent.expiry.is_null(False))
            .group_by(StockEvent.lot))
    return {row.lot: _as_date(row.expiry) for row in rows}


def _as_date(value: dt.date | str) -> dt.date:
    # An aggregate loses the field's conversion on SQLite, so MAX() comes back as text there.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def categories() -> list[str]:
    """The product categories in use, for choosing what to count."""
    rows = Product.select(Product.category).where(Product.category != "").distinct().order_by(Product.category)
    return [row.category for row in rows]


def open_counts(location: Location) -> list:
    """Counts started at this location and not posted yet (to resume one)."""
    from .stock_docs import OPEN, StockCount

    return list(StockCount.select().where((StockCount.location == location) & (StockCount.status == OPEN))
                .order_by(StockCount.started_at))


def other_locations(location: Location) -> list[Location]:
    """Where goods can be sent from here."""
    return list(Location.select().where(Location.id != location.id).order_by(Location.code))


def incoming_transfers(location: Location) -> list:
    """Transfers sent to this location and not booked in yet."""
    from .stock_docs import Transfer

    return list(Transfer.select().where((Transfer.destination == location) & (Transfer.status == "sent"))
                .order_by(Transfer.sent_at))
