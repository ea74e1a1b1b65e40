"""Building blocks for tests: a store with a location, a terminal, users and products."""

from __future__ import annotations

from decimal import Decimal

from models.catalog import Barcode, Price, Product
from models.context import Actor
from models.money import Money
from models.people import CLERK, SUPERVISOR, User, create_user
from models.places import Location
from models.store import ensure_terminal


def ean13(body12: str) -> str:
    """Append the GS1 mod-10 check digit (independent of the code under test)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


_users: dict[str, User] = {}


def user(code: str = "C1", role: str = CLERK, pin: str = "1234") -> User:
    found = User.get_or_none(User.code == code)
    return found or create_user(code, f"{role.title()} {code}", pin, role)


def actor(terminal: str = "T01", location: str = "STORE1", kind: str = "store", user_code: str = "C1",
          role: str = CLERK, currency: str = "EUR") -> Actor:
    term = ensure_terminal(terminal, location, kind=kind, currency=currency)
    return Actor(term, user(user_code, role))


def supervisor() -> User:
    return user("S1", SUPERVISOR, "9999")


def product(sku: str = "P1", *, price: str = "2.50", currency: str = "EUR", barcode: str | None = None,
            unit: str = "pcs", precision: int = 0, pack: tuple[str, int] | None = None, **flags) -> Product:
    p = Product.create(sku=sku, name=f"Product {sku}", unit=unit, unit_precision=precision, **flags)
    Price.create(product=p, amount=Decimal(price), currency=currency)
    if barcode:
        Barcode.create(code=barcode.zfill(14), product=p)
    if pack:
        Barcode.create(code=pack[0].zfill(14), product=p, pack_qty=Decimal(pack[1]))
    return p


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def location(code: str) -> Location:
    return Location.get(Location.code == code)
