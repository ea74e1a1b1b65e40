"""Batch intake: orders from a CSV file, one row per line (`counter hq import orders FILE --channel X`).

Columns (header row, any order; only the first four are required):

    channel_order_id, sku or gtin, quantity, unit_price, currency, customer_name, email, phone,
    ship_name, street, street2, city, postcode, country, service_level, promised_at, placed_at,
    payment_status

Rows with the same channel_order_id are one order; its header columns (currency, customer,
address, ...) are taken from its first row and must not disagree in the others. Each order is taken
or refused on its own, through the same door as `POST /v1/orders` (the same checks, the same
idempotency: an order already taken is reported as such, not taken twice). `dry_run` checks every
order, reviews and brokers it as it would, and then rolls everything back.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from models.db import db
from models.errors import DomainError

from .document import read_document
from .intake import take_order
from .tables import Channel

HEADER_COLUMNS = ("currency", "customer_name", "email", "phone", "ship_name", "street", "street2", "city",
                  "postcode", "country", "service_level", "promised_at", "placed_at", "payment_status")
LINE_COLUMNS = ("sku", "gtin", "quantity", "unit_price")
MAX_BYTES = 200 * 1024 * 1024


@dataclass
class OrderImport:
    taken: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)  # {channel_order_id, rows, reason}
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "taken": len(self.taken), "already_taken": len(self.already),
                "refused": self.refused, "orders": self.taken}


def _document(rows: list[tuple[int, dict[str, str]]]) -> dict:
    first = rows[0][1]
    for number, row in rows[1:]:
        for column in HEADER_COLUMNS:
            if row.get(column) and row.get(column) != first.get(column):
                raise DomainError("Row {n}: {column} is {value!r} here but {first!r} on the order's first row.",
                                  n=number, column=column, value=row[column][:40], first=first.get(column, "")[:40])
    doc: dict = {"channel_order_id": first["channel_order_id"], "currency": first.get("currency", "").upper(),
                 "lines": [{k: row[k] for k in LINE_COLUMNS if row.get(k)} for _, row in rows]}
    customer = {k: first[c] for k, c in (("name", "customer_name"), ("email", "email"), ("phone", "phone"))
                if first.get(c)}
    address = {k: first[c] for k, c in (("name", "ship_name"), ("street", "street"), ("street2", "street2"),
                                        ("city", "city"), ("postcode", "postcode"), ("country", "country"))
               if first.get(c)}
    if customer:
        doc["customer"] = customer
    if address:
        doc["ship_to"] = address
    for column in ("service_level", "promised_at", "placed_at", "payment_status"):
        if first.get(column):
            doc[column] = first[column]
    return doc


def read_rows(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
    if path.stat().st_size > MAX_BYTES:
        raise DomainError("{file} is over 200 MB: split it into several files.", file=path.name)
    orders: dict[str, list[tuple[int, dict[str, str]]]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
        missing = [c for c in ("channel_order_id", "quantity", "unit_price") if c not in columns]
        if missing or not columns & {"sku", "gtin"}:
            raise DomainError("{file} needs the columns channel_order_id, sku (or gtin), quantity and unit_price; "
                              "missing: {missing}.", file=path.name, missing=", ".join(missing) or "sku or gtin")
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
            if not any(row.values()):
                continue
            orders.setdefault(row.get("channel_order_id", ""), []).append((number, row))
    return orders


def import_orders(channel: Channel, path: str | Path, *, dry_run: bool = False, by: str = "") -> OrderImport:
    try:
        orders = read_rows(Path(path))
    except UnicodeDecodeError:
        raise DomainError("{file} is not UTF-8 text: save it as CSV UTF-8.", file=Path(path).name) from None
    result = OrderImport(dry_run=dry_run)
    with db.atomic() as everything:
        for order_id, rows in orders.items():
            where = ", ".join(str(n) for n, _ in rows[:5]) + (" ..." if len(rows) > 5 else "")
            try:
                with db.atomic():
                    taken = take_order(channel, read_document(_document(rows)), by=by or "import")
            except DomainError as exc:
                result.refused.append({"channel_order_id": order_id, "rows": where, "reason": str(exc)})
                continue
            (result.taken if taken.created else result.already).append(taken.order.number)
        if dry_run:
            everything.rollback()
    return result
