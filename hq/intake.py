"""The push door: every item a terminal sends is read into a typed document before anything is done
with it, one item at a time.

The types carry the constraints of the columns behind them: lengths, event ids that are UUIDs,
codes without control characters, NUL bytes or lone surrogates, decimals that are finite and within
`models.limits` (and the scale of the column: thousandths of a unit, ten-thousandths of money),
times within the window of `limits.Limits` around head office's clock. An item that does not read
is refused with the field and the reason (a short excerpt, never the whole input), and the rest of
the batch goes on: one bad item never blocks a terminal's outbox.

The credential decides who writes: `claims` refuses an item that names another terminal or
another location than the credential's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo

from models import clock
from models.errors import DomainError
from models.ledger import KINDS, LOCATION_SCOPE, EventData
from models.limits import MAX_AMOUNT, MAX_QUANTITY
from models.orders import RETURN_ORDER, SALE_ORDER, STATUSES

from .limits import Limits

EXCERPT = 80  # characters of a bad value shown back in a reason


def excerpt(value: object) -> str:
    text = repr(value)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "..."


def clean_text(value: str) -> str:
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("control characters, NUL bytes and lone surrogates are not allowed")
    return value


def text_field(size: int, *, required: bool = False) -> Any:
    return Annotated[str, Field(min_length=1 if required else 0, max_length=size), AfterValidator(clean_text)]


def _event_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("an event id is a UUID such as 0190a0b0-0000-7000-8000-000000000001") from None


def scaled(places: int, limit: Decimal) -> Any:
    def check(value: Decimal) -> Decimal:
        if abs(value) > limit:
            raise ValueError(f"more than {limit:,.0f} either way")
        if value != value.quantize(Decimal(1).scaleb(-places)):
            raise ValueError(f"more than {places} decimal places")
        return value
    return Annotated[Decimal, Field(allow_inf_nan=False), AfterValidator(check)]


def _in_window(value: dt.datetime, info: ValidationInfo) -> dt.datetime:
    """A time within the window of head office's clock (naive UTC, as every document writes it)."""
    now: dt.datetime = (info.context or {}).get("now") or clock.now()
    limits: Limits = (info.context or {}).get("limits") or Limits()
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if value < now - limits.past or value > now + limits.future:
        raise ValueError(f"{value:%Y-%m-%d %H:%M} is outside head office's window ({limits.past.days} days back, "
                         f"{limits.future.total_seconds() / 3600:g} hours ahead of {now:%Y-%m-%d %H:%M} UTC)")
    return value


def _sane_date(value: dt.date) -> dt.date:
    if not dt.date(1990, 1, 1) <= value <= dt.date(2200, 1, 1):
        raise ValueError("a date between 1990 and 2200")
    return value


Code = text_field(32, required=True)
Sku = text_field(64, required=True)
Number = text_field(64, required=True)
Quantity = scaled(3, MAX_QUANTITY)
Amount = scaled(4, MAX_AMOUNT)
When = Annotated[dt.datetime, AfterValidator(_in_window)]
Day = Annotated[dt.date, AfterValidator(_sane_date)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Document(BaseModel):
    """A pushed document of some kind, read with the constraints of the columns behind it."""

    # Extra fields are ignored: a newer terminal may send more than this head office reads.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class StockEventDoc(Document):
    id: Annotated[str, AfterValidator(_event_id)]
    location: Code
    sku: Sku
    bin: text_field(32) = ""
    lot: text_field(64) = ""
    expiry: Day | None = None
    quantity: Quantity
    kind: Literal[KINDS]  # type: ignore[valid-type]
    reason: text_field(255) = ""
    occurred_at: When
    terminal: text_field(16) = ""
    user: text_field(32) = ""
    reference: text_field(64) = ""
    scope: Literal["", LOCATION_SCOPE] = ""


class OrderLineDoc(Document):
    sku: Sku
    name: text_field(255) = ""
    quantity: Quantity
    unit_price: Amount = Decimal(0)
    discount: Amount = Decimal(0)
    total: Amount = Decimal(0)
    lot: text_field(64) = ""
    reason: text_field(255) = ""
    condition: text_field(32) = ""


class TenderDoc(Document):
    kind: text_field(16, required=True)
    amount: Amount
    reference: text_field(64) = ""
    change: Amount = Decimal(0)


class OrderDoc(Document):
    number: Number
    kind: Literal[SALE_ORDER, RETURN_ORDER] = SALE_ORDER
    channel: text_field(32) = "counter"
    location: Code | None = None
    terminal: text_field(16) = ""
    user: text_field(32) = ""
    currency: Currency
    subtotal: Amount = Decimal(0)
    discount: Amount = Decimal(0)
    tax: Amount = Decimal(0)
    total: Amount = Decimal(0)
    status: Literal[STATUSES] = STATUSES[0]  # type: ignore[valid-type]
    created_at: When | None = None
    customer: text_field(64) | None = None
    original: Number | None = None
    lines: list[OrderLineDoc] = Field(default_factory=list, max_length=1000)
    tenders: list[TenderDoc] = Field(default_factory=list, max_length=50)


class TransferLineDoc(Document):
    sku: Sku
    lot: text_field(64) = ""
    expiry: Day | None = None
    quantity: Quantity
    received: Quantity | None = None


class TransferDoc(Document):
    number: Number
    source: Code
    destination: Code
    status: Literal["sent", "received"] = "sent"
    sent_at: When | None = None
    sent_by: text_field(32) = ""
    received_at: When | None = None
    lines: list[TransferLineDoc] = Field(default_factory=list, max_length=1000)


class BarcodeDoc(Document):
    code: text_field(64, required=True)
    pack_qty: Quantity = Decimal(1)


class PriceDoc(Document):
    amount: Amount
    currency: Currency
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None


class ProductDoc(Document):
    sku: Sku
    name: text_field(255, required=True)
    name_zh: text_field(255) = ""
    category: text_field(255) = ""
    category_zh: text_field(255) = ""
    unit: text_field(8) = "pcs"
    unit_precision: Annotated[int, Field(ge=0, le=3)] = 0
    track_lot: bool = False
    track_serial: bool = False
    track_expiry: bool = False
    weight_priced: bool = False
    tax_rate: Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False)] = Decimal(0)
    active: bool = True
    updated_at: dt.datetime | None = None
    barcodes: list[BarcodeDoc] = Field(default_factory=list, max_length=100)
    prices: list[PriceDoc] = Field(default_factory=list, max_length=100)


DOCUMENTS: dict[str, type[Document]] = {"stock_event": StockEventDoc, "order": OrderDoc, "transfer": TransferDoc,
                                    "product": ProductDoc}


class Item(BaseModel):
    """One pushed item as the wire carries it (the payload is read by its kind's document)."""

    kind: text_field(16, required=True)
    ref: text_field(64)
    payload: dict[str, Any]


def field_problems(error: ValidationError, limit: int, *, whole: str = "item",
                   extra: str = "not a field of this document") -> list[dict[str, str]]:
    """The first `limit` problems of a refused document as {field, reason}, each reason with a
    short excerpt of what was sent."""
    found = []
    for problem in error.errors(include_url=False)[:limit]:
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = extra
        elif "input" in problem and problem["type"] != "missing":
            message += f" (sent {excerpt(problem['input'])})"
        found.append({"field": ".".join(str(p) for p in problem["loc"]) or whole, "reason": message})
    return found


def reason(error: ValidationError) -> str:
    """The first problems of a refused item, by field, with a short excerpt of what was sent."""
    parts = [f"{p['field']}: {p['reason']}" for p in field_problems(error, 3)]
    more = error.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def read_item(raw: object, *, now: dt.datetime, limits: Limits) -> tuple[str, str, Document]:
    """(kind, ref, document) of a pushed item, or a DomainError that says what is wrong with it."""
    try:
        item = Item.model_validate(raw)
    except ValidationError as exc:
        raise DomainError("Unreadable item: {why}.", why=reason(exc)) from None
    model = DOCUMENTS.get(item.kind)
    if model is None:
        raise DomainError("Unknown outbox kind {kind!r}: this head office takes {kinds}.", kind=item.kind,
                          kinds=", ".join(DOCUMENTS))
    try:
        doc = model.model_validate(item.payload, context={"now": now, "limits": limits})
    except ValidationError as exc:
        raise DomainError("Refused {kind} {ref}: {why}.", kind=item.kind, ref=item.ref, why=reason(exc)) from None
    return item.kind, item.ref, doc


def claims(kind: str, doc: Document, terminal: str, location: str) -> None:
    """Refuse an item written for another terminal or location than the credential's."""
    if kind == "stock_event":
        assert isinstance(doc, StockEventDoc)
        if doc.location != location:
            raise DomainError("Terminal {terminal} belongs to {mine} and may not write stock for {other}.",
                              terminal=terminal, mine=location, other=doc.location)
        if doc.terminal and doc.terminal != terminal:
            raise DomainError("Terminal {terminal} may not write as terminal {other}.", terminal=terminal,
                              other=doc.terminal)
    elif kind == "order":
        assert isinstance(doc, OrderDoc)
        if doc.location != location:
            raise DomainError("Terminal {terminal} belongs to {mine}: an order for {other} is not its to send.",
                              terminal=terminal, mine=location, other=doc.location or "no location")
        if doc.terminal and doc.terminal != terminal:
            raise DomainError("Terminal {terminal} may not send orders as terminal {other}.", terminal=terminal,
                              other=doc.terminal)
    elif kind == "transfer":
        assert isinstance(doc, TransferDoc)
        if location not in (doc.source, doc.destination):
            raise DomainError("Terminal {terminal} belongs to {mine}: transfer {number} goes {source} -> "
                              "{destination}.", terminal=terminal, mine=location, number=doc.number,
                              source=doc.source, destination=doc.destination)


def event_data(doc: StockEventDoc) -> EventData:
    """The ledger's event straight from its read document (no second parse of the wire form)."""
    return EventData(id=doc.id, location=doc.location, sku=doc.sku, bin=doc.bin, lot=doc.lot, expiry=doc.expiry,
                     quantity=doc.quantity, kind=doc.kind, reason=doc.reason, occurred_at=doc.occurred_at,
                     terminal=doc.terminal, user=doc.user, reference=doc.reference, scope=doc.scope)


def wire(doc: Document) -> dict:
    """The document back in wire form (strings for decimals and times), for the code that applies it."""
    return doc.model_dump(mode="json")
