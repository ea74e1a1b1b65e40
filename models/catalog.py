"""The catalogue: products, the barcodes that name them, and their prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import peewee

from . import clock
from .db import BaseModel
from .errors import Conflict, DomainError, NotFound, PermissionDenied
from .fields import MoneyField, QuantityField
from .limits import check_quantity
from .money import Money
from .people import SUPERVISOR, User
from .statements import Slot, Statement, as_model


class Product(BaseModel):
    sku = peewee.CharField(unique=True, max_length=64)
    name = peewee.CharField()
    name_zh = peewee.CharField(default="")
    category = peewee.CharField(default="", index=True)
    category_zh = peewee.CharField(default="")  # migration 0006
    unit = peewee.CharField(max_length=8, default="pcs")
    unit_precision = peewee.SmallIntegerField(default=0)  # decimal places a quantity may carry
    track_lot = peewee.BooleanField(default=False)
    track_serial = peewee.BooleanField(default=False)
    track_expiry = peewee.BooleanField(default=False)
    weight_priced = peewee.BooleanField(default=False)
    tax_rate = QuantityField(default=Decimal(0))  # percent, included in the price
    active = peewee.BooleanField(default=True)
    needs_count = peewee.BooleanField(default=False)  # set when a store sold below zero
    updated_at = peewee.DateTimeField(default=clock.now)

    def quantity(self, value: Decimal | int | str) -> Decimal:
        """A quantity in this product's unit, refused if it has more places than the unit allows or
        is beyond what one line may hold (`models.limits`)."""
        try:
            qty = Decimal(value)
        except ArithmeticError:
            raise DomainError("{sku}: {value!r} is not a quantity: type a number such as 3 or 1.250.", sku=self.sku, value=value) from None
        check_quantity(qty, self.unit, self.sku)
        places = Decimal(1).scaleb(-self.unit_precision)
        if qty != qty.quantize(places):
            if self.unit_precision == 0:
                raise DomainError("{sku} is counted in whole {unit}", sku=self.sku, unit=self.unit)
            raise DomainError("{sku} takes at most {places} decimals of {unit}", sku=self.sku,
                              places=self.unit_precision, unit=self.unit)
        return qty.quantize(places)

    def display_name(self, lang: str = "en") -> str:
        return self.name_zh if lang.startswith("zh") and self.name_zh else self.name

    def display_category(self, lang: str = "en") -> str:
        return self.category_zh if lang.startswith("zh") and self.category_zh else self.category


class Barcode(BaseModel):
    """A code printed on goods. GTINs are kept as 14 digits; a pack barcode stands for `pack_qty` units."""

    code = peewee.CharField(unique=True, max_length=64)
    product = peewee.ForeignKeyField(Product, backref="barcodes", on_delete="CASCADE")
    pack_qty = QuantityField(default=Decimal(1))


class Price(BaseModel):
    product = peewee.ForeignKeyField(Product, backref="prices", on_delete="CASCADE")
    amount = MoneyField()
    currency = peewee.CharField(max_length=3)
    valid_from = peewee.DateTimeField(default=dt.datetime(2000, 1, 1))
    valid_to = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("product", "valid_from"), False),)

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


def lines_with_products(parent: peewee.ForeignKeyField, key: object, order: peewee.Field) -> list:
    """The lines of one document (a delivery, a count, an order...: `parent == key`) with their
    products in the same query, in `order`."""
    line = parent.model
    return list(line.select(line, Product).join(Product).where(parent == key).order_by(order))


def normalize_code(code: str) -> str:
    """GTINs compare as 14 digits; other codes (internal labels, SKUs) as typed."""
    code = code.strip()
    if code.isdigit() and len(code) in (8, 12, 13, 14):
        return code.zfill(14)
    return code


def product_by_sku(sku: str) -> Product:
    try:
        return Product.get(Product.sku == sku)
    except Product.DoesNotExist:
        raise NotFound("No product with SKU {sku!r}. Check the code or search by name.", sku=sku) from None


def find_by_code(code: str) -> tuple[Product, Decimal]:
    """The product a scanned or typed code names, and how many units it stands for."""
    cursor = _by_barcode.execute(code=normalize_code(code))
    row = cursor.fetchone()
    if row is not None:
        return as_model(Product, cursor, row), Barcode.pack_qty.python_value(row[-1])
    product = Product.get_or_none(Product.sku == code.strip())
    if product is not None:
        return product, Decimal(1)
    raise NotFound("Unknown code {code}: search the product by name, or ask a supervisor to link the code.", code=code)


def current_price(product: Product, currency: str | None = None, at: dt.datetime | None = None) -> Money:
    """The price in force now (or `at`): in `currency` when given (a till's, a shop's), else the
    newest in any. A product priced in several currencies is sold in each at its own price."""
    at = at or clock.now()
    if currency is None:
        row = _price_at.execute(product=product.id, at=at).fetchone()
    else:
        row = _price_in.execute(product=product.id, at=at, currency=currency).fetchone()
    if row is None:
        others = sorted({c for (c,) in Price.select(Price.currency).where(
            (Price.product == product.id) & (Price.valid_from <= at)
            & (Price.valid_to.is_null() | (Price.valid_to > at))).tuples()} - {currency})
        if currency is not None and others:
            raise NotFound("{sku} {name} has no {currency} price (it is priced in {priced_in}): ask a manager to price it in {currency} before selling.", sku=product.sku, name=product.name, currency=currency, priced_in=', '.join(others))
        raise NotFound("{sku} {name} has no price. Ask a manager to price it before selling.", sku=product.sku, name=product.name)
    return Money(Price.amount.python_value(row[0]), row[1])


# The scan path's two reads, compiled once (see models/statements.py).
_by_barcode = Statement(lambda: Product.select(*Product._meta.sorted_fields, Barcode.pack_qty)
                        .join_from(Product, Barcode).where(Barcode.code == Slot("code")))
_price_at = Statement(lambda: Price.select(Price.amount, Price.currency).where(
    (Price.product == Slot("product", Price.product))
    & (Price.valid_from <= Slot("at", Price.valid_from))
    & (Price.valid_to.is_null() | (Price.valid_to > Slot("at", Price.valid_to)))
).order_by(Price.valid_from.desc()).limit(1))


_price_in = Statement(lambda: Price.select(Price.amount, Price.currency).where(
    (Price.product == Slot("product", Price.product)) & (Price.currency == Slot("currency"))
    & (Price.valid_from <= Slot("at", Price.valid_from))
    & (Price.valid_to.is_null() | (Price.valid_to > Slot("at", Price.valid_to)))
).order_by(Price.valid_from.desc()).limit(1))


def search_products(text: str, limit: int = 50) -> list[Product]:
    """Products whose SKU starts with, or whose name contains, the text (case-insensitive)."""
    text = text.strip()
    if not text:
        return []
    query = Product.select().where(
        (Product.sku.startswith(text)) | (Product.name.contains(text)) | (Product.name_zh.contains(text))
    )
    return list(query.order_by(Product.sku).limit(limit))


def link_barcode(product: Product, code: str, approver: User | None, pack_qty: Decimal | int = 1) -> Barcode:
    """Teach the catalogue a code found on goods; only a supervisor (or higher) may do it."""
    if approver is None or not approver.at_least(SUPERVISOR):
        raise PermissionDenied("Only a supervisor may link a barcode to a product: ask for their PIN.")
    key = normalize_code(code)
    if not key:
        raise DomainError("The code is empty: scan the barcode on the goods.")
    existing = Barcode.select(Barcode, Product).join(Product).where(Barcode.code == key).first()
    if existing is not None:
        raise Conflict("Code {key} already belongs to {sku} {name}.", key=key, sku=existing.product.sku, name=existing.product.name)
    barcode = Barcode.create(code=key, product=product, pack_qty=Decimal(pack_qty))
    Product.update(updated_at=clock.now()).where(Product.id == product.id).execute()
    return barcode
