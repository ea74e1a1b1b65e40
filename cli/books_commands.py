"""`counter verify` and `counter export`: reading the books, never writing them (verify --repair
rewrites cached levels from the ledger, nothing else)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal

import click
import peewee

from models import clock
from models.catalog import Barcode, Product
from models.db import db
from models.importing.cells import neutralise
from models.ledger import StockEvent, StockLevel, verify_counts, verify_levels
from models.orders import Order
from models.people import Customer
from models.places import Location

from .common import domain_errors, emit, json_option, open_local

# --- verify --------------------------------------------------------------------------------------


@click.command()
@click.option("--repair", is_flag=True, help="Rewrite the wrong levels from the ledger.")
@json_option
@click.pass_context
@domain_errors
def verify(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Re-derive every stock level from the ledger and check every count in force still holds what was
    counted. Exit code 1 if anything differed (even if repaired)."""
    open_local(ctx)
    diffs = verify_levels(repair=repair)
    counts = verify_counts()
    data = {"ok": not diffs and not counts, "repaired": bool(diffs) and repair,
            "differences": [{"location": d.location, "sku": d.sku, "bin": d.bin, "lot": d.lot,
                             "cached": d.cached, "derived": d.derived} for d in diffs],
            "counts": [{"count": c.count_id, "location": c.location, "sku": c.sku, "bin": c.bin, "lot": c.lot,
                        "whole_location": c.whole_location, "counted": c.counted, "moved_since": c.moved_since,
                        "on_hand": c.on_hand} for c in counts]}

    def human(d: dict) -> str:
        lines = []
        if d["differences"]:
            rows = [f"  {x['location']} {x['sku']} bin={x['bin'] or '-'} lot={x['lot'] or '-'}: "
                    f"level {x['cached']}, ledger says {x['derived']}" for x in d["differences"]]
            verdict = "repaired from the ledger" if d["repaired"] else "run `counter verify --repair` to fix"
            lines += [f"{len(rows)} stock level(s) differ from the ledger ({verdict}):", *rows]
        else:
            lines.append("Every stock level matches the ledger.")
        if d["counts"]:
            rows = [f"  {x['location']} {x['sku']} " + ("all bins" if x["whole_location"] else f"bin={x['bin'] or '-'}")
                    + f" lot={x['lot'] or '-'}: counted {x['counted']}, moved since {x['moved_since']}, "
                    f"on hand {x['on_hand']}" for x in d["counts"]]
            lines += [f"{len(rows)} count(s) no longer hold what was counted:", *rows]
        else:
            lines.append("Every count in force holds what was counted.")
        return "\n".join(lines)

    emit(data, as_json, human)
    if diffs or counts:
        ctx.exit(1)


# --- export --------------------------------------------------------------------------------------

EXPORTS: dict[str, list[str]] = {
    "stock": ["location", "sku", "barcode", "name", "bin", "lot", "on_hand", "unit"],
    "events": ["id", "location", "sku", "bin", "lot", "expiry", "quantity", "kind", "reason", "occurred_at",
               "terminal", "user", "reference"],
    "orders": ["number", "kind", "channel", "status", "location", "terminal", "user", "customer", "currency",
               "subtotal", "discount", "tax", "total", "created_at"],
}


def export_rows(what: str) -> Iterator[tuple]:
    """The rows of an export, streamed from the database cursor (never all in memory)."""
    if what == "stock":
        # The product's unit barcode (the lowest code, if it has several): what a shelf scan reads.
        barcode = Barcode.select(peewee.fn.MIN(Barcode.code)).where(
            (Barcode.product == Product.id) & (Barcode.pack_qty == Decimal(1)))
        query = (StockLevel.select(Location.code, Product.sku, barcode, Product.name, StockLevel.bin, StockLevel.lot,
                                   StockLevel.on_hand, Product.unit)
                 .join(Location).switch(StockLevel).join(Product)
                 .order_by(Location.code, Product.sku, StockLevel.bin, StockLevel.lot))
    elif what == "events":
        # Ids are UUIDv7, so primary-key order is creation order and needs no sort.
        query = (StockEvent.select(StockEvent.id, Location.code, Product.sku, StockEvent.bin, StockEvent.lot,
                                   StockEvent.expiry, StockEvent.quantity, StockEvent.kind, StockEvent.reason,
                                   StockEvent.occurred_at, StockEvent.terminal, StockEvent.user,
                                   StockEvent.reference)
                 .join(Location).switch(StockEvent).join(Product).order_by(StockEvent.id))
    else:
        query = (Order.select(Order.number, Order.kind, Order.channel, Order.status, Location.code, Order.terminal,
                              Order.user, Customer.code, Order.currency, Order.subtotal, Order.discount, Order.tax,
                              Order.total, Order.created_at)
                 .join(Location, peewee.JOIN.LEFT_OUTER).switch(Order).join(Customer, peewee.JOIN.LEFT_OUTER)
                 .order_by(Order.id))
    yield from query.tuples().iterator()


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return clock.iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write(rows: Iterable[tuple], header: list[str], fmt: str, out, raw: bool = False) -> int:
    written = 0
    if fmt == "csv":
        cell = _text if raw else (lambda v: neutralise(_text(v)))
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(v) for v in row])
            written += 1
        return written
    out.write("[")
    for row in rows:
        out.write(",\n" if written else "\n")
        out.write(json.dumps({k: (None if v is None else _text(v)) for k, v in zip(header, row, strict=True)},
                             ensure_ascii=False))
        written += 1
    out.write("\n]\n")
    return written


@click.command()
@click.argument("what", type=click.Choice(list(EXPORTS)))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]),
              help="csv (with a header row) or json (an array of objects). Default csv; "
              "json when --json prints to stdout.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@click.option("--raw", is_flag=True, help="CSV cells exactly as stored: no apostrophe before a cell that a "
              "spreadsheet would run as a formula (=, +, -, @). Only for programs, never for a spreadsheet.")
@json_option
@click.pass_context
@domain_errors
def export(ctx: click.Context, what: str, fmt: str | None, output: str | None, raw: bool, as_json: bool) -> None:
    """Export stock levels, stock events or orders. Streams, so a million events are fine.

    CSV is safe to open in a spreadsheet: a text cell beginning with =, +, -, @, a tab or a carriage
    return gets an apostrophe in front (`counter import` takes it off again); --raw and JSON are exact."""
    open_local(ctx)
    # --json to stdout means JSON rows; with --output it means a JSON summary of what was written.
    fmt = fmt or ("json" if as_json and not output else "csv")
    header = EXPORTS[what]
    # One read transaction: a consistent snapshot even while the counter keeps selling.
    target = (open(output, "w", encoding="utf-8", newline="") if output  # noqa: SIM115
              else contextlib.nullcontext(click.get_text_stream("stdout")))
    with db.atomic(), target as out:
        written = _write(export_rows(what), header, fmt, out, raw)
    if output:
        emit({"what": what, "format": fmt, "rows": written, "output": output}, as_json,
             lambda d: f"Exported {d['rows']} {d['what']} rows to {d['output']} ({d['format']}).")
