"""Products as documents, both ways: head office writes them into pull pages, a terminal applies
them; a terminal that had a catalogue of its own before it enrolled sends its products once, and
head office takes in the ones it does not know (`hq/push.py`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee

from models import bulk, clock
from models.catalog import Barcode, Price, Product

_PRODUCT_FIELDS = ("name", "name_zh", "category", "category_zh", "unit", "unit_precision", "track_lot", "track_serial",
                   "track_expiry", "weight_priced", "active")


def _opt_time(value: str | None) -> dt.datetime | None:
    return clock.parse(value) if value else None


_EPOCH = dt.datetime(2000, 1, 1)


def _stored(field: peewee.Field, value: object) -> object:
    # The value as it reads back from the store, so in-memory states compare like re-read ones.
    return field.python_value(field.db_value(value))


def _same(field: peewee.Field, value: object) -> object:
    return value


def _wanted_row(doc: dict, stored: bool = True) -> dict[str, object]:
    """The product's columns from its document; `stored=False` skips the round trip through the
    column types (only needed to compare with what the store holds; a new product compares nothing)."""
    values: dict[str, object] = {name: doc[name] for name in _PRODUCT_FIELDS if name in doc}
    values["tax_rate"] = Decimal(doc.get("tax_rate", "0"))
    if doc.get("updated_at"):
        values["updated_at"] = clock.parse(doc["updated_at"])
    if not stored:
        return values
    return {name: _stored(Product._meta.fields[name], value) for name, value in values.items()}


def _wanted_barcodes(doc: dict, stored: bool = True) -> dict[str, Decimal]:
    as_stored = _stored if stored else _same
    return {b["code"]: as_stored(Barcode.pack_qty, Decimal(b.get("pack_qty", "1"))) for b in doc.get("barcodes", [])}


def _wanted_prices(doc: dict, stored: bool = True) -> list[tuple]:
    as_stored = _stored if stored else _same
    prices = [(as_stored(Price.amount, Decimal(p["amount"])), p["currency"],
               as_stored(Price.valid_from, clock.parse(p["valid_from"]) if p.get("valid_from") else _EPOCH),
               as_stored(Price.valid_to, _opt_time(p.get("valid_to"))))
              for p in doc["prices"]]
    return sorted(prices, key=_price_order)


def _price_order(price: tuple) -> tuple:
    return (price[2], price[0], price[1], price[3] or dt.datetime.max)


def _state(row: dict, barcodes: dict[str, Decimal], prices: list[tuple]) -> tuple:
    """What counts as a change to a product a terminal shows: not `updated_at`."""
    return (tuple(row.get(f) for f in _PRODUCT_FIELDS), row.get("tax_rate"), tuple(sorted(barcodes.items())),
            tuple(prices))


_COLUMNS = [Product._meta.fields[name] for name in (*_PRODUCT_FIELDS, "tax_rate", "updated_at")]
_BARCODE_COLUMNS = [Barcode.code, Barcode.product, Barcode.pack_qty]
_PRICE_COLUMNS = [Price.product, Price.amount, Price.currency, Price.valid_from, Price.valid_to]


def _move_code(query: peewee.Insert) -> peewee.Insert:
    # A code another product had moves to this one, as head office says.
    return query.on_conflict(conflict_target=[Barcode.code], update={
        Barcode.product: peewee.EXCLUDED.product_id, Barcode.pack_qty: peewee.EXCLUDED.pack_qty})


def apply_products(docs: list[dict]) -> list[str]:
    """Upsert a page's products with their barcodes and prices in a few bulk statements.

    Reads the page's existing products, barcodes and prices once, compares them in memory with the
    documents and writes only what differs: new products in bulk, changed rows one by one,
    barcodes and prices replaced per product that needs it. A document applied again writes
    nothing. Returns the SKUs of products that existed and changed (not counting `updated_at`).
    """
    by_sku = {doc["sku"]: doc for doc in docs}  # a later document for the same SKU wins
    if not by_sku:
        return []
    names = [f.name for f in _COLUMNS]
    existing = {row[1]: dict(zip(["id", "sku", *names], row, strict=True))
                for row in bulk.select_in([Product.id, Product.sku, *_COLUMNS], Product.sku, list(by_sku))}

    defaults = {f.name: f.default() if callable(f.default) else f.default for f in _COLUMNS}
    wanted = {sku: _wanted_row(doc, stored=sku in existing) for sku, doc in by_sku.items()}
    new = [sku for sku in by_sku if sku not in existing]
    bulk.insert_rows("product", [Product.sku, *_COLUMNS],
                     [[sku, *(defaults | wanted[sku]).values()] for sku in new])
    ids = {sku: row["id"] for sku, row in existing.items()}
    ids.update((sku, pid) for sku, pid in bulk.select_in([Product.sku, Product.id], Product.sku, new))

    have_codes: dict[int, dict[str, tuple[int, Decimal]]] = {}
    have_prices: dict[int, list[tuple]] = {}
    old_ids = list(ids[sku] for sku in existing)
    for bid, pid, code, pack in bulk.select_in([Barcode.id, Barcode.product, Barcode.code, Barcode.pack_qty],
                                               Barcode.product, old_ids):
        have_codes.setdefault(pid, {})[code] = (bid, pack)
    for pid, *price in bulk.select_in(_PRICE_COLUMNS, Price.product, old_ids):
        have_prices.setdefault(pid, []).append(tuple(price))

    changed: list[str] = []
    drop_codes: list[int] = []
    put_codes: dict[str, tuple[int, Decimal]] = {}
    reprice: list[int] = []
    new_prices: list[tuple] = []
    for sku, doc in by_sku.items():
        old = existing.get(sku)
        # A new product has nothing to compare with: its values go in as they are.
        pid, want_row, want_codes = ids[sku], wanted[sku], _wanted_barcodes(doc, stored=old is not None)
        codes = {code: pack for code, (_, pack) in have_codes.get(pid, {}).items()}
        prices = sorted(have_prices.get(pid, []), key=_price_order)
        want_prices = _wanted_prices(doc, stored=old is not None) if "prices" in doc else prices
        if old is not None:
            if any(old[name] != value for name, value in want_row.items()):
                Product.update(**want_row).where(Product.id == pid).execute()
            if _state(old, codes, prices) != _state(old | want_row, want_codes, want_prices):
                changed.append(sku)
        drop_codes += [bid for code, (bid, _) in have_codes.get(pid, {}).items() if code not in want_codes]
        put_codes.update({code: (pid, pack) for code, pack in want_codes.items() if codes.get(code) != pack})
        if want_prices != prices:
            if old is not None:
                reprice.append(pid)
            new_prices += [(pid, *price) for price in want_prices]

    bulk.delete_in(Barcode.id, drop_codes)
    bulk.insert_rows("barcode_upsert", _BARCODE_COLUMNS,
                     [(code, pid, pack) for code, (pid, pack) in put_codes.items()], _move_code)
    bulk.delete_in(Price.product, reprice)
    bulk.insert_rows("price", _PRICE_COLUMNS, new_prices)
    return changed
