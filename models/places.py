"""Where stock lives and who works there: locations, their bins, the terminals at their counters."""

from __future__ import annotations

import peewee

from .db import BaseModel

STORE = "store"
WAREHOUSE = "warehouse"


class Location(BaseModel):
    code = peewee.CharField(unique=True, max_length=32)
    name = peewee.CharField()
    name_zh = peewee.CharField(default="")  # migration 0006
    kind = peewee.CharField(max_length=16, default=STORE)  # store | warehouse
    currency = peewee.CharField(max_length=3, default="EUR")
    address = peewee.TextField(default="")

    def display_name(self, lang: str = "en") -> str:
        return self.name_zh if lang.startswith("zh") and self.name_zh else self.name

    @property
    def may_sell_below_zero(self) -> bool:
        # A store hands the item over the counter whatever the books say; a warehouse cannot pick
        # what is not on the shelf.
        return self.kind == STORE


class Bin(BaseModel):
    location = peewee.ForeignKeyField(Location, backref="bins", on_delete="CASCADE")
    code = peewee.CharField(max_length=32)

    class Meta:
        indexes = ((("location", "code"), True),)


class Terminal(BaseModel):
    code = peewee.CharField(unique=True, max_length=16)
    location = peewee.ForeignKeyField(Location, backref="terminals")
    name = peewee.CharField(default="")


def terminal_with_location(code: str) -> Terminal | None:
    """The terminal with this code and its location in one query, or None if it is not set up."""
    return Terminal.select(Terminal, Location).join(Location).where(Terminal.code == code).first()
