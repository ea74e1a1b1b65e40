"""Transactions that decide on stock: no two may promise the same unit.

SQLite: a write transaction begins IMMEDIATE, so it holds the one write lock from its first read
(two deferred transactions that read and then both write would fail, not wait). PostgreSQL: the
product rows are locked (FOR NO KEY UPDATE), in id order so two transactions never wait on each other in a
circle; an allocation reads on hand and reservations only after that lock, so the check and the
reservation are one step (the oversell the notes' trackers describe came from doing them apart).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from models.catalog import Product
from models.db import db, is_postgres
from models.statements import AnyOf, Statement

# NO KEY UPDATE: an order line inserted beside it takes KEY SHARE on the product (its foreign key),
# which FOR UPDATE would wait on, and two intakes would deadlock on each other.
_lock = Statement(lambda: Product.select(Product.id).where(AnyOf(Product.id, "ids")).order_by(Product.id)
                  .for_update("FOR NO KEY UPDATE"))


def write_transaction() -> contextlib.AbstractContextManager:
    """A transaction that may decide on stock; inside one already open, that one (a savepoint
    would cost two round trips, and a refusal aborts the whole of it anyway)."""
    if db.in_transaction():
        return contextlib.nullcontext()
    return db.atomic() if is_postgres() else db.atomic("IMMEDIATE")


def lock_products(product_ids: Iterable[int]) -> None:
    ids = sorted(set(product_ids))
    if ids and is_postgres():
        _lock.execute(ids=ids).fetchall()
