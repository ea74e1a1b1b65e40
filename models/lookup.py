"""What the counter's lookup screen shows: find products fast, and one product's stock picture.

`find_products` answers an exact code (barcode or SKU, both indexed) before the catalogue search,
so a scan never waits for a name search over the whole catalogue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from peewee import fn

from .catalog import Barcode, Product, current_price, find_by_code, search_products
from .errors import NotFound
from .hq import last_pull, remote_levels
from .ledger import StockLevel
from .money import Money
from .places import Location
from .shelves import lot_expiries


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
    name_zh: str = ""

    def display_name(self, lang: str = "en") -> str:
        return self.name_zh if lang.startswith("zh") and self.name_zh else self.name


@dataclass
class ProductCard:
    product: Product
    price: Money | None
    here: Decimal
    lots: list[LotLine] = field(default_factory=list)
    elsewhere: list[ElsewhereLine] = field(default_factory=list)
    elsewhere_as_of: dt.datetime | None = None  # the last pull; None: never synced (this store's own books)
    codes: list[tuple[str, Decimal]] = field(default_factory=list)  # (barcode, units it stands for)


def product_card(product: Product, location: Location) -> ProductCard:
    """Price, stock here by bin/lot with expiry, and stock at the other locations this store knows of."""
    try:
        price: Money | None = current_price(product, location.currency)
    except NotFound:
        price = None
    levels = list(StockLevel.select(StockLevel, Location).join(Location).where(StockLevel.product == product)
                  .order_by(Location.code, StockLevel.bin, StockLevel.lot))
    here_levels = [lv for lv in levels if lv.location_id == location.id]
    expiries = lot_expiries(location, product, {lv.lot for lv in here_levels if lv.lot})
    lots = [LotLine(lv.bin, lv.lot, lv.on_hand, expiries.get(lv.lot)) for lv in here_levels
            if lv.on_hand or lv.lot]
    elsewhere, as_of = _elsewhere(product, location, levels)
    return ProductCard(
        product=product, price=price, here=sum((lv.on_hand for lv in here_levels), Decimal(0)),
        lots=lots, elsewhere=elsewhere, elsewhere_as_of=as_of,
        codes=list(Barcode.select(Barcode.code, Barcode.pack_qty).where(Barcode.product == product)
                   .order_by(Barcode.pack_qty, Barcode.code).tuples()),
    )


def _elsewhere(product: Product, location: Location,
               levels: list[StockLevel]) -> tuple[list[ElsewhereLine], dt.datetime | None]:
    """Other locations' stock as head office reported it, as of the last pull (a pull brings every
    level that changed, so what it did not bring still stands); before any sync, this store's own
    (partial) books of them, with no time."""
    names = {code: (name, name_zh) for code, name, name_zh in
             Location.select(Location.code, Location.name, Location.name_zh).tuples()}

    def line(code: str, on_hand: Decimal) -> ElsewhereLine:
        name, name_zh = names.get(code, (code, ""))
        return ElsewhereLine(code, name, on_hand, name_zh)

    synced = last_pull()
    remote = [r for r in remote_levels(product.sku) if r.location_code != location.code]
    if synced is not None or remote:
        return [line(r.location_code, r.on_hand) for r in remote if r.on_hand], synced or max(r.as_of for r in remote)
    totals: dict[str, Decimal] = {}
    for lv in levels:
        if lv.location_id != location.id:
            totals[lv.location.code] = totals.get(lv.location.code, Decimal(0)) + lv.on_hand
    return [line(code, qty) for code, qty in totals.items()], None


def categories() -> list[tuple[str, str]]:
    """The product categories in use, (English, Chinese) in English order, for choosing what to count."""
    rows = (Product.select(Product.category, fn.MAX(Product.category_zh)).where(Product.category != "")
            .group_by(Product.category).order_by(Product.category).tuples())
    return [(category, category_zh or "") for category, category_zh in rows]


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
