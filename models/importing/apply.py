"""Writing a plan: upserts for products, prices and customers; count events for stock.

The caller holds the transaction: an import is written whole or not at all.
"""

from __future__ import annotations

import secrets

from .. import clock
from ..bulk import insert_values
from ..catalog import Barcode, Price, Product
from ..context import Actor
from ..errors import NotFound
from ..people import Customer, User, hash_pin
from ..places import Terminal
from ..store import actor_for
from .columns import CUSTOMERS, PRICES, PRODUCTS, STOCK
from .plan import CREATED, UPDATED, Change, Plan
from .rows import CustomerRecord, PriceRecord, ProductRecord, StockRecord

SYSTEM_USER = "import"


def import_actor(terminal_code: str, user_code: str = SYSTEM_USER) -> Actor:
    """Who stock imports are booked to. The `import` user is made on first use: it cannot log in
    (inactive, random PIN); it only names the import in the ledger."""
    if Terminal.get_or_none(Terminal.code == terminal_code) is None:
        raise NotFound("Terminal {terminal_code!r} is not set up here: run `counter init` first.", terminal_code=terminal_code)
    if user_code == SYSTEM_USER and User.get_or_none(User.code == SYSTEM_USER) is None:
        User.create(code=SYSTEM_USER, name="Data import", pin_hash=hash_pin(str(secrets.randbelow(10**12)).zfill(12)),
                    active=False, discount_limit_pct=0)
    return actor_for(terminal_code, user_code)


def _product(change: Change) -> None:
    record: ProductRecord = change.record  # type: ignore[assignment]
    if change.action == CREATED:
        product = Product.create(sku=record.sku, **record.fields)
    else:
        product = change.target
        for name, value in record.fields.items():
            setattr(product, name, value)
        product.updated_at = clock.now()
        product.save()
    for code, qty in record.barcodes.items():
        # Barcodes are added or re-sized, never removed: an old label on the shelf must still scan.
        updated = Barcode.update(pack_qty=qty).where((Barcode.code == code) & (Barcode.product == product)).execute()
        if not updated:
            Barcode.create(code=code, product=product, pack_qty=qty)


def _price(change: Change) -> None:
    record: PriceRecord = change.record  # type: ignore[assignment]
    if change.action == UPDATED:
        Price.update(amount=record.amount).where(Price.id == change.target.id).execute()
    else:
        Price.create(product=change.target, amount=record.amount, currency=record.currency,
                     valid_from=record.valid_from or clock.now())


def _customer(change: Change) -> None:
    record: CustomerRecord = change.record  # type: ignore[assignment]
    if change.action == CREATED:
        Customer.create(code=record.code, **record.fields)
    else:
        Customer.update(**record.fields).where(Customer.id == change.target.id).execute()


def _stock(changes: list[Change], digest: str, terminal_code: str, user_code: str) -> None:
    from ..ops.counting import CountedLine, record_count

    now = clock.now()
    lines = []
    for change in changes:
        record: StockRecord = change.record  # type: ignore[assignment]
        location, product, event_id = change.target
        lines.append(CountedLine(product, record.quantity, now, bin=record.bin, lot=record.lot,
                                 location=location, event_id=event_id))
    if lines:
        record_count(import_actor(terminal_code, user_code), lines, reference=f"IMPORT-{digest[:12]}")


def _new_products(changes: list[Change]) -> None:
    """Created products in bulk: one statement per 500 rows for the products, then their barcodes
    (100,000 rows one by one took minutes; grouped by the columns the file gave)."""
    groups: dict[tuple[str, ...], list[ProductRecord]] = {}
    for change in changes:
        record: ProductRecord = change.record  # type: ignore[assignment]
        groups.setdefault(tuple(sorted(record.fields)), []).append(record)
    ids: dict[str, int] = {}
    for names, records in groups.items():
        fields = [Product.sku, *(getattr(Product, name) for name in names)]
        rows = [(r.sku, *(r.fields[name] for name in names)) for r in records]
        ids.update(insert_values(fields, rows, returning=(Product.sku, Product.id)))
    codes = [(code, ids[r.sku], qty) for change in changes
             for r in [change.record] for code, qty in r.barcodes.items()]  # type: ignore[union-attr]
    insert_values([Barcode.code, Barcode.product, Barcode.pack_qty], codes)


def _new_prices(changes: list[Change]) -> None:
    now = clock.now()
    rows = []
    for change in changes:
        record: PriceRecord = change.record  # type: ignore[assignment]
        rows.append((change.target, record.amount, record.currency, record.valid_from or now))  # a product id
    insert_values([Price.product, Price.amount, Price.currency, Price.valid_from], rows)


def apply(kind: str, plan: Plan, *, digest: str, terminal_code: str, user_code: str) -> None:
    todo = [c for c in plan.changes if c.action in (CREATED, UPDATED)]
    if kind == STOCK:
        _stock(todo, digest, terminal_code, user_code)
        return
    bulk = {PRODUCTS: _new_products, PRICES: _new_prices}.get(kind)
    if bulk is not None:
        bulk([c for c in todo if c.action == CREATED])
        todo = [c for c in todo if c.action == UPDATED]
    write = {PRODUCTS: _product, PRICES: _price, CUSTOMERS: _customer}[kind]
    for change in todo:
        write(change)
