"""The order document a channel sends to `POST /v1/orders` (and a CSV import row group builds).

Read with the constraints of the columns behind it (hq/intake.py's types): codes without control
characters, quantities and amounts finite and bounded, at most 500 lines. Unknown fields are
refused, not ignored: a misspelt `qty` would otherwise become an order of nothing. What needs the
catalogue (does the SKU exist, may the product be sold in this quantity) is checked when the order
is taken (`intake.take_order`), and each refusal names its line.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.errors import DomainError
from models.oms.review import PAYMENT_STATES

from ..intake import Amount, Currency, Quantity, field_problems, text_field

SERVICE_LEVELS = ("standard", "express", "next_day", "economy", "pickup")
MAX_LINES = 500


def _when(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if not dt.datetime(2000, 1, 1) <= value <= dt.datetime(2200, 1, 1):
        raise ValueError("a time between 2000 and 2200")
    return value


When = Annotated[dt.datetime, AfterValidator(_when)]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Customer(_Doc):
    name: text_field(200) = ""
    email: text_field(254) = ""
    phone: text_field(40) = ""


class Address(_Doc):
    name: text_field(200) = ""
    street: text_field(200) = ""
    street2: text_field(200) = ""
    city: text_field(100) = ""
    postcode: text_field(16) = ""
    country: Annotated[str, Field(pattern=r"^([A-Z]{2})?$", description="ISO 3166 alpha-2, e.g. DE")] = ""
    phone: text_field(40) = ""
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None = None


class Line(_Doc):
    sku: text_field(64) = ""
    gtin: Annotated[str, Field(pattern=r"^(\d{8}|\d{12,14})?$")] = ""
    quantity: Quantity
    unit_price: Amount

    @model_validator(mode="after")
    def _named(self) -> Line:
        if not self.sku and not self.gtin:
            raise ValueError("a line names its product by sku or gtin")
        if self.quantity <= 0:
            raise ValueError(f"quantity must be more than 0, not {self.quantity}")
        if self.unit_price < 0:
            raise ValueError(f"unit_price cannot be negative ({self.unit_price})")
        return self


class OrderDocument(_Doc):
    """An order as a channel sends it."""

    channel_order_id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^\s\x00-\x1f]+$",
                                           description="The channel's own id of the order: one order per id.")]
    currency: Currency
    lines: list[Line] = Field(min_length=1, max_length=MAX_LINES)
    customer: Customer = Field(default_factory=Customer)
    ship_to: Address = Field(default_factory=Address)
    service_level: Literal[SERVICE_LEVELS] = "standard"  # type: ignore[valid-type]
    promised_at: When | None = None
    placed_at: When | None = None
    payment_status: Literal[PAYMENT_STATES] = "captured"  # type: ignore[valid-type]


EXAMPLE = {
    "channel_order_id": "1001",
    "currency": "EUR",
    "placed_at": "2026-12-01T09:30:00Z",
    "customer": {"name": "Mia Wagner", "email": "mia@example.com", "phone": "+49 30 1234567"},
    "ship_to": {"name": "Mia Wagner", "street": "Torstrasse 1", "city": "Berlin", "postcode": "10119",
                "country": "DE"},
    "service_level": "standard",
    "promised_at": "2026-12-04T18:00:00Z",
    "payment_status": "captured",
    "lines": [{"sku": "TEA-0001", "quantity": "2", "unit_price": "4.50"},
              {"gtin": "4006381333931", "quantity": "1", "unit_price": "12.00"}],
}


class Refused(DomainError):
    """An order refused as a whole, with each problem by field (`errors`: [{field, reason}])."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        self.errors = errors
        summary = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:3])
        more = f"; and {len(errors) - 3} more" if len(errors) > 3 else ""
        super().__init__("Order refused, nothing stored: {summary}{more}", summary=summary, more=more)


def read_document(raw: object) -> OrderDocument:
    try:
        return OrderDocument.model_validate(raw)
    except ValidationError as exc:
        raise Refused(field_problems(exc, 20, whole="order",
                                     extra="not a field of the order document (see /docs)")) from None
