"""A thin facade between screens and the domain: turn scans into sale lines, write receipts,
read the status bar's numbers, find the optional sync hook. No SQL here either: only models.*."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from rich.cells import cell_len

from models import attention, catalog, hq, outbox
from models.errors import DomainError, NotFound
from models.money import Money
from models.ops.selling import SaleLine
from models.orders import Order, order_lines
from models.places import terminal_with_location
from models.scan import Scan

from .i18n import _


class UnknownCode(NotFound):
    """A scanned code names no product; ``code`` is what the clerk may link."""

    def __init__(self, code: str, cause: NotFound) -> None:
        super().__init__(cause.template, **cause.params)
        self.code = code


def scan_code(scan: Scan) -> str:
    """The code to look up: the item code of a scale label, the GTIN, else the text as typed."""
    if scan.kind == "variable_measure" and scan.item_code:
        return scan.item_code
    return scan.gtin or scan.data


def line_from_scan(scan: Scan, currency: str) -> SaleLine:
    """One sale line for a scan, priced now (the line keeps this price). Raises, changing nothing."""
    code = scan_code(scan)
    try:
        product, pack = catalog.find_by_code(code)
    except NotFound as exc:
        raise UnknownCode(code, exc) from None
    if not product.active:
        raise DomainError("{sku} {name} is no longer sold: set it aside and call a supervisor.", sku=product.sku, name=product.name)
    quantity = pack
    price: Money | None = None
    if scan.kind == "variable_measure":
        if scan.weight is not None:
            quantity = scan.weight
        elif scan.price is not None:
            # The scale printed the price: one line at that price, whatever the shelf price is.
            price = Money(scan.price, currency)
    elif scan.count:
        quantity = pack * scan.count
    elif product.weight_priced and scan.net_weight is not None:
        quantity = scan.net_weight
    if scan.quantity_prefix is not None:
        quantity = quantity * scan.quantity_prefix
    quantity = product.quantity(quantity)
    if price is None:
        price = catalog.current_price(product, currency)
    if price.currency != currency:
        raise DomainError("{sku} is priced in {currency}; this till takes {currency2}.", sku=product.sku, currency=price.currency, currency2=currency)
    lot = scan.lot or "" if product.track_lot else ""
    return SaleLine(product=product, quantity=quantity, unit_price=price, lot=lot)


def same_item(a: SaleLine, b: SaleLine) -> bool:
    """Scanning the same thing again adds to its line instead of a new one."""
    return (a.product.id == b.product.id and a.lot == b.lot and a.unit_price == b.unit_price
            and not a.discount and not b.discount and not a.product.weight_priced)


def qty_text(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f") if quantity == quantity.to_integral() else str(quantity)


# --- status bar -------------------------------------------------------------------------------


def terminal_place(terminal_code: str) -> tuple[str, str]:
    """(location code, location name) of this terminal, or ('?', '') if it is not set up."""
    terminal = terminal_with_location(terminal_code)
    if terminal is None:
        return "?", ""
    return terminal.location.code, terminal.location.name


def pending_events() -> int:
    return outbox.pending_count()


def attention_count() -> int:
    return attention.open_count()


def last_good_sync() -> dt.datetime | None:
    """When sync last reached head office, as the store remembers it (survives a restart)."""
    return hq.last_pull()


# --- receipts ---------------------------------------------------------------------------------

RECEIPT_WIDTH = 42


def _row(left: str, right: str, width: int = RECEIPT_WIDTH) -> str:
    gap = max(1, width - cell_len(left) - cell_len(right))
    return left + " " * gap + right


def receipt_text(order: Order, lang: str = "en") -> str:
    """A plain-text receipt (CJK names take two columns each, so padding counts cells)."""
    rule = "-" * RECEIPT_WIDTH
    out = [order.location.display_name(lang) if order.location else "", _row(order.number, order.created_at.strftime("%Y-%m-%d %H:%M")),
           _row(_("Terminal") + f" {order.terminal}", _("Clerk") + f" {order.user}"), rule]
    for line in order_lines(order):
        name = line.product.display_name(lang) if line.product_id else line.name
        out.append(name)
        out.append(_row(f"  {qty_text(line.quantity)} x {line.unit_price:.2f}", f"{line.total:.2f}"))
        if line.discount:
            out.append(_row("  " + _("Discount"), f"-{line.discount:.2f}"))
        if line.lot:
            out.append(f"  {_('Lot')} {line.lot}")
    out.append(rule)
    if order.discount:
        out.append(_row(_("Subtotal"), f"{order.subtotal:.2f}"))
        out.append(_row(_("Discount"), f"-{order.discount:.2f}"))
    out.append(_row(_("TOTAL"), f"{order.total:.2f} {order.currency}"))
    if order.tax:
        out.append(_row(_("incl. tax"), f"{order.tax:.2f}"))
    for tender in order.tenders:
        label = {"cash": _("Cash"), "card": _("Card"), "voucher": _("Voucher")}.get(tender.kind, tender.kind)
        ref = f" {tender.reference}" if tender.reference else ""
        out.append(_row(label + ref, f"{tender.amount:.2f}"))
        if tender.change:
            out.append(_row(_("Change"), f"{tender.change:.2f}"))
    out.append(rule)
    out.append(_("Thank you!"))
    return "\n".join(out) + "\n"


def save_receipt(order: Order, folder: Path, lang: str = "en") -> Path:
    """Write the receipt where the clerk (and the e2e test) can read it: <folder>/<number>.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{order.number}.txt"
    path.write_text(receipt_text(order, lang), encoding="utf-8")
    return path

