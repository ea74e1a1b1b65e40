"""Scriptable stock and sales commands over the domain operations: stock, receive, sell, count
(`counter verify` and `counter export`, which read the books, are in `books_commands.py`).

Who acts: a script has no PIN pad, so these commands act as a configured user named with
`--user CODE` (or the COUNTER_USER environment variable). Anyone who can run `counter` on this
machine can act as any active user: guard the shell account as you would the till.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import click

from models import clock
from models.catalog import Product, current_price, find_by_code
from models.context import Actor
from models.errors import DomainError, NotFound, PermissionDenied
from models.fields import to_decimal
from models.ledger import on_hand
from models.lookup import product_card
from models.money import Money
from models.ops.counting import CountedLine, record_count
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.selling import CARD, CASH, Payment, SaleLine, totals
from models.ops.selling import sell as sell_goods
from models.people import Customer
from models.places import Location, Terminal
from models.stock_docs import Delivery
from models.store import actor_for

from .common import domain_errors, emit, json_option, open_local
from .config import Config

user_option = click.option(
    "--user", "user_code", envvar="COUNTER_USER",
    help="User code this command acts as (env COUNTER_USER); a script acts as a configured user.")


# "-3" as a quantity reaches the domain's message instead of click's "no such option".
NEGATIVE_OK = {"ignore_unknown_options": True}


# --- shared helpers ------------------------------------------------------------------------------


def _here(cfg: Config) -> Location:
    terminal = Terminal.select(Terminal, Location).join(Location).where(Terminal.code == cfg.terminal).first()
    if terminal is None:
        raise NotFound(f"Terminal {cfg.terminal!r} is not set up here: run `counter init` first.")
    return terminal.location


def _actor(cfg: Config, user_code: str | None) -> Actor:
    if not user_code or not user_code.strip():
        raise DomainError("Say who is working: --user CODE, or set COUNTER_USER.")
    actor = actor_for(cfg.terminal, user_code.strip())
    if not actor.user.active:
        raise PermissionDenied(f"User {actor.user.code} is disabled.")
    return actor


def _number(text: str, what: str = "quantity") -> Decimal:
    try:
        value = to_decimal(text)
    except (InvalidOperation, ValueError):
        raise DomainError(f"{text!r} is not a {what}: type a number such as 3 or 1.250.") from None
    if not value.is_finite():
        raise DomainError(f"{text!r} is not a {what}: type a number such as 3 or 1.250.")
    return value


def _positive(text: str) -> Decimal:
    value = _number(text)
    if value <= 0:
        raise DomainError(f"Quantity {text} must be more than zero.")
    return value


def _units(product: Product, quantity: Decimal, pack_qty: Decimal) -> Decimal:
    """A quantity of scanned packs in the product's own unit (a case code counts its units)."""
    return product.quantity(quantity * pack_qty)


# --- stock ---------------------------------------------------------------------------------------


def stock_report(product: Product, location: Location, pack_qty: Decimal = Decimal(1)) -> dict:
    card = product_card(product, location)
    price = card.price
    return {
        "product": {
            "sku": product.sku, "name": product.name, "name_zh": product.name_zh, "category": product.category,
            "unit": product.unit, "weight_priced": product.weight_priced, "track_lot": product.track_lot,
            "track_expiry": product.track_expiry, "active": product.active, "needs_count": product.needs_count,
            "price": price.amount if price else None, "currency": price.currency if price else None,
            "barcodes": [{"code": code, "pack_qty": pack} for code, pack in card.codes],
        },
        "scanned_pack_qty": pack_qty,
        "location": location.code,
        "on_hand": card.here,
        "levels": [{"bin": line.bin, "lot": line.lot, "expiry": line.expiry, "on_hand": line.on_hand}
                   for line in card.lots],
        "elsewhere": [{"location": line.location, "on_hand": line.on_hand} for line in card.elsewhere],
        "elsewhere_as_of": card.elsewhere_as_of,
    }


def _stock_text(d: dict) -> str:
    p = d["product"]
    price = f"{p['price']:.2f} {p['currency']}" if p["price"] is not None else "no price"
    lines = [f"{p['sku']}  {p['name']}" + (f" / {p['name_zh']}" if p["name_zh"] else ""),
             f"{p['category']}  {price} per {p['unit']}"
             + ("  (needs a count)" if p["needs_count"] else "")]
    if p["barcodes"]:
        lines.append("Barcodes: " + ", ".join(
            b["code"] if b["pack_qty"] == 1 else f"{b['code']} (case of {b['pack_qty'].normalize():f})"
            for b in p["barcodes"]))
    lines.append(f"On hand at {d['location']}: {d['on_hand']} {p['unit']}")
    for row in d["levels"]:
        where = "  ".join(filter(None, [f"bin {row['bin']}" if row["bin"] else "no bin",
                                        f"lot {row['lot']}" if row["lot"] else "",
                                        f"exp {row['expiry']}" if row["expiry"] else ""]))
        lines.append(f"  {where}: {row['on_hand']}")
    as_of = d["elsewhere_as_of"]
    source = f"as of the last sync, {as_of:%Y-%m-%d %H:%M}" if as_of else "as known here, never synced"
    for row in d["elsewhere"]:
        lines.append(f"At {row['location']} ({source}): {row['on_hand']}")
    return "\n".join(lines)


@click.command()
@click.argument("code")
@json_option
@click.pass_context
@domain_errors
def stock(ctx: click.Context, code: str, as_json: bool) -> None:
    """Show the product behind CODE (SKU or barcode) and its stock here, per bin and lot, and elsewhere."""
    cfg = open_local(ctx)
    product, pack_qty = find_by_code(code)
    emit(stock_report(product, _here(cfg), pack_qty), as_json, _stock_text)


# --- receive -------------------------------------------------------------------------------------


@click.command(context_settings=NEGATIVE_OK)
@click.argument("code")
@click.argument("quantity")
@click.option("--lot", default="", help="Lot or batch number (required for lot-tracked products).")
@click.option("--expiry", type=click.DateTime(formats=["%Y-%m-%d"]), help="Expiry date, YYYY-MM-DD.")
@click.option("--bin", "bin_code", default="", help="Bin the goods go to.")
@click.option("--delivery", "delivery_number", help="Book against this expected delivery.")
@click.option("--close", is_flag=True, help="Close the delivery after this line and report what differs.")
@user_option
@json_option
@click.pass_context
@domain_errors
def receive(ctx: click.Context, code: str, quantity: str, lot: str, expiry: dt.datetime | None, bin_code: str,
            delivery_number: str | None, close: bool, user_code: str | None, as_json: bool) -> None:
    """Book QUANTITY of CODE in (a case barcode counts its units: 2 cases of 12 are 24)."""
    cfg = open_local(ctx)
    actor = _actor(cfg, user_code)
    product, pack_qty = find_by_code(code)
    units = _units(product, _positive(quantity), pack_qty)
    delivery = None
    if delivery_number:
        delivery = Delivery.get_or_none(Delivery.number == delivery_number.strip())
        if delivery is None:
            raise NotFound(f"No expected delivery {delivery_number}: check the number on the delivery note.")
    line = ReceivedLine(product, units, lot=lot.strip(), expiry=expiry.date() if expiry else None,
                        bin=bin_code.strip())
    result = receive_goods(actor, [line], delivery=delivery, close=close)
    data = {
        "reference": result.reference, "sku": product.sku, "name": product.name, "quantity": units,
        "unit": product.unit, "lot": line.lot, "expiry": line.expiry, "bin": line.bin,
        "on_hand": on_hand(actor.location, product), "location": actor.location.code,
        "event_ids": [e.id for e in result.events],
        "discrepancies": [{"sku": d.sku, "name": d.name, "expected": d.expected, "received": d.received}
                          for d in result.discrepancies] if close else [],
    }

    def human(d: dict) -> str:
        text = (f"Received {d['quantity']} {d['unit']} {d['sku']} {d['name']} ({d['reference']}); "
                f"on hand at {d['location']}: {d['on_hand']}")
        return "\n".join([text] + [f"  {x['sku']}: expected {x['expected']}, received {x['received']}"
                                   for x in d["discrepancies"]])

    emit(data, as_json, human)


# --- sell ----------------------------------------------------------------------------------------

_ITEM_RE = re.compile(r"^(?P<code>.+?)[xX](?P<qty>\d+(?:[.,]\d+)?)$")


def _parse_item(item: str) -> tuple[Product, Decimal]:
    """CODE or CODExQTY: the product and the quantity in its unit."""
    item = item.strip()
    match = _ITEM_RE.match(item)
    if match:
        try:
            product, pack_qty = find_by_code(match["code"])
            return product, _units(product, _positive(match["qty"]), pack_qty)
        except NotFound:
            pass  # a code that itself ends in x<digits>
    product, pack_qty = find_by_code(item)
    return product, _units(product, Decimal(1), pack_qty)


@click.command()
@click.argument("items", nargs=-1, required=True)
@click.option("--cash", help="Cash handed over, e.g. 20 or 20.00.")
@click.option("--card", "card_ref", help="Card payment of the whole total: the reference on the card slip.")
@click.option("--customer", "customer_code", help="Customer code, if the customer is known.")
@click.option("--allow-large", is_flag=True, help="Take a line above [limits] large_line units (default 1000), "
              "which the counter app asks a supervisor for.")
@user_option
@json_option
@click.pass_context
@domain_errors
def sell(ctx: click.Context, items: tuple[str, ...], cash: str | None, card_ref: str | None,
         customer_code: str | None, allow_large: bool, user_code: str | None, as_json: bool) -> None:
    """Sell ITEMS (CODE or CODExQTY, e.g. 4006381333931x2 FRU-0003x0.750), paid --cash or --card."""
    if (cash is None) == (card_ref is None):
        raise click.UsageError("Take one payment: --cash AMOUNT or --card REFERENCE.")
    cfg = open_local(ctx)
    actor = _actor(cfg, user_code)
    currency = actor.location.currency
    lines = []
    for item in items:
        product, quantity = _parse_item(item)
        lines.append(SaleLine(product, quantity, current_price(product, actor.location.currency)))
    customer = None
    if customer_code:
        customer = Customer.get_or_none(Customer.code == customer_code.strip())
        if customer is None:
            raise NotFound(f"No customer {customer_code}: check the code on the card.")
    if cash is not None:
        payment = Payment(CASH, Money(_number(cash, "cash amount"), currency))
    else:
        payment = Payment(CARD, totals(lines, None, currency).total.rounded(), card_ref or "")
    # The shell has no supervisor to ask: the flag is the approval, decided here once.
    large = cfg.large_line()
    if not allow_large and any(line.quantity > large for line in lines):
        raise DomainError("A line of more than {limit} units: check the number, or add --allow-large if it is "
                          "right.", limit=large)
    order = sell_goods(actor, lines, [payment], customer=customer, large_line=None)
    change = sum((t.change for t in order.tenders), Decimal(0))
    data = {
        "order": order.number, "currency": order.currency, "subtotal": order.subtotal,
        "discount": order.discount, "tax": order.tax, "total": order.total,
        "paid": payment.amount.amount, "tender": payment.kind, "change": change,
        "lines": [{"sku": line.product.sku, "name": line.product.name, "quantity": line.quantity,
                   "unit_price": line.unit_price.amount, "total": line.net.amount} for line in lines],
    }

    def human(d: dict) -> str:
        rows = [f"  {x['quantity']} x {x['sku']} {x['name']} @ {x['unit_price']:.2f} = {x['total']:.2f}"
                for x in d["lines"]]
        return "\n".join([f"Order {d['order']}", *rows,
                          f"Total {d['total']:.2f} {d['currency']}  (tax {d['tax']:.2f})",
                          f"Paid {d['paid']:.2f} by {d['tender']}  Change {d['change']:.2f}"])

    emit(data, as_json, human)


# --- count ---------------------------------------------------------------------------------------


@click.command(context_settings=NEGATIVE_OK)
@click.argument("code")
@click.argument("quantity")
@click.option("--bin", "bin_code", default="",
              help="The bin counted; without one QUANTITY is the product's whole stock at this location.")
@click.option("--lot", default="", help="The lot counted, for lot-tracked products (default: every lot).")
@user_option
@json_option
@click.pass_context
@domain_errors
def count(ctx: click.Context, code: str, quantity: str, bin_code: str, lot: str, user_code: str | None,
          as_json: bool) -> None:
    """Post a physical count: QUANTITY of CODE is what is there now, in that bin (and lot) or, with
    no --bin, at the whole location."""
    cfg = open_local(ctx)
    actor = _actor(cfg, user_code)
    product, pack_qty = find_by_code(code)
    counted = _number(quantity)
    if counted < 0:
        raise DomainError(f"{product.sku}: a count cannot be negative: count again.")
    units = _units(product, counted, pack_qty)
    events = record_count(actor, [CountedLine(product, units, clock.now(), bin=bin_code.strip(), lot=lot.strip())])
    counted_bin = events[0].bin
    data = {"reference": events[0].reference, "sku": product.sku, "counted": units, "bin": counted_bin,
            "whole_location": not bin_code.strip(), "lot": lot.strip(), "location": actor.location.code,
            "on_hand_here": on_hand(actor.location, product, bin=bin_code.strip() or None, lot=lot.strip() or None),
            "on_hand": on_hand(actor.location, product)}
    emit(data, as_json, lambda d: (
        f"Counted {d['counted']} of {d['sku']} ({d['reference']}) "
        + (f"at {d['location']}, all bins" if d["whole_location"] else f"in bin {d['bin']}")
        + f"; on hand at {d['location']}: {d['on_hand']}"))
