"""Filing the orders a terminal pushed: new ones in bulk (one statement per table), the rest (a
resend, a status change) one by one, each compared with what head office already has."""

from __future__ import annotations

from decimal import Decimal

from models import clock
from models.bulk import in_list, insert_values
from models.catalog import Product, product_by_sku
from models.db import db
from models.errors import Conflict, DomainError
from models.ops.selling import order_document
from models.orders import CANCELLED, Order, OrderLine, OrderStatusChange, Tender, order_by_number, set_status
from models.people import Customer
from models.places import Location
from models.statements import chunks

from . import hqclock
from .models import TerminalCredential


def _order_fingerprint(doc: dict) -> tuple:
    """What may not change once an order exists: its kind, place, money and lines (not its status)."""
    def dec(value: object) -> Decimal:
        return Decimal(str(value or 0)).normalize()
    lines = sorted((str(li.get("sku")), dec(li.get("quantity")), dec(li.get("total")), str(li.get("lot") or ""))
                   for li in doc.get("lines", []))
    return (doc.get("kind"), doc.get("location"), doc.get("currency"), dec(doc.get("total")), tuple(lines))


def apply_order(doc: dict, cred: TerminalCredential) -> None:
    number = str(doc.get("number") or "")
    if not number:
        raise DomainError("An order without a number cannot be filed.")
    existing = order_by_number(number)
    if existing is not None:
        if _order_fingerprint(order_document(existing)) != _order_fingerprint(doc):
            raise Conflict(f"Order {number} was already recorded with different lines or totals.")
        status = doc.get("status")
        if status and status != existing.status:
            if existing.status == CANCELLED:
                raise Conflict(f"Order {number} was cancelled at head office; its status {status!r} was not applied.")
            set_status(existing, status, by=str(doc.get("user") or ""), note=f"from terminal {cred.code}")
        return
    location = Location.get_or_none(Location.code == doc.get("location")) if doc.get("location") else None
    original = order_by_number(doc["original"]) if doc.get("original") else None
    customer = Customer.get_or_none(Customer.code == doc["customer"]) if doc.get("customer") else None
    created_at = clock.parse(doc["created_at"]) if doc.get("created_at") else hqclock.now()
    order = Order.create(
        number=number, kind=doc.get("kind", "sale"), channel=doc.get("channel", "counter"), location=location,
        terminal=str(doc.get("terminal") or cred.code), user=str(doc.get("user") or ""), customer=customer,
        status=doc.get("status", "ordered"), currency=doc["currency"], subtotal=Decimal(doc.get("subtotal", 0)),
        discount=Decimal(doc.get("discount", 0)), tax=Decimal(doc.get("tax", 0)), total=Decimal(doc.get("total", 0)),
        original=original, created_at=created_at,
    )
    for position, line in enumerate(doc.get("lines", []), 1):
        OrderLine.create(
            order=order, position=position, product=product_by_sku(line["sku"]), sku=line["sku"],
            name=line.get("name", ""), quantity=Decimal(line["quantity"]), unit_price=Decimal(line.get("unit_price", 0)),
            discount=Decimal(line.get("discount", 0)), total=Decimal(line.get("total", 0)), lot=line.get("lot", ""),
            reason=line.get("reason", ""), condition=line.get("condition", ""))
    for tender in doc.get("tenders", []):
        Tender.create(order=order, kind=tender["kind"], amount=Decimal(tender["amount"]),
                      reference=tender.get("reference", ""), change=Decimal(tender.get("change", 0)))
    OrderStatusChange.create(order=order, status=order.status, at=created_at, by=order.user,
                             note=f"received from terminal {cred.code}")


_ORDER_FIELDS = (Order.number, Order.kind, Order.channel, Order.location, Order.terminal, Order.user,
                 Order.customer, Order.status, Order.currency, Order.subtotal, Order.discount, Order.tax,
                 Order.total, Order.original, Order.created_at)
_LINE_FIELDS = (OrderLine.order, OrderLine.position, OrderLine.product, OrderLine.sku, OrderLine.name,
                OrderLine.quantity, OrderLine.unit_price, OrderLine.discount, OrderLine.total, OrderLine.lot,
                OrderLine.reason, OrderLine.condition)
_TENDER_FIELDS = (Tender.order, Tender.kind, Tender.amount, Tender.reference, Tender.change)
_HISTORY_FIELDS = (OrderStatusChange.order, OrderStatusChange.status, OrderStatusChange.at, OrderStatusChange.by,
                   OrderStatusChange.note)


def apply_new_orders(entries: list[tuple[int, dict]], cred: TerminalCredential,
                     ) -> tuple[set[int], dict[int, DomainError]]:
    """File the batch's new orders with one statement per table instead of ~10 per order.

    Writes exactly what `apply_order` writes for a new order. Returns the indexes left to
    `apply_order` (orders head office has already, a number twice in the batch, a return of an order
    in this batch, or all of them if the bulk insert is refused), and the refusals (unknown product).
    """
    if not entries:
        return set(), {}
    numbers = {str(doc.get("number") or "") for _, doc in entries}
    found = _ids_by_code({
        "order": sorted(numbers | {str(doc["original"]) for _, doc in entries if doc.get("original")}),
        "location": sorted({doc["location"] for _, doc in entries if doc.get("location")}),
        "customer": sorted({doc["customer"] for _, doc in entries if doc.get("customer")}),
        "product": sorted({str(line.get("sku")) for _, doc in entries for line in doc.get("lines", [])}),
    })
    originals, locations, customers, products = (found["order"], found["location"], found["customer"],
                                                  found["product"])
    known = numbers & set(originals)

    rest: set[int] = set()
    errors: dict[int, DomainError] = {}
    taken: set[str] = set()
    new: list[tuple[int, dict, tuple]] = []
    for index, doc in entries:
        number = str(doc.get("number") or "")
        original = doc.get("original")
        if (not number or number in known or number in taken
                or (original and (original in numbers or original not in originals))):
            rest.add(index)
            continue
        try:
            row = _new_order_row(doc, cred, locations, customers, originals, products)
        except DomainError as exc:
            errors[index] = exc
            continue
        taken.add(number)
        new.append((index, doc, row))
    if new:
        # One filed meanwhile by another request (a resend crossing its first attempt) is left out
        # of the insert, and the slow path compares it item by item.
        filed = _insert_orders(new, products, cred)
        rest.update(index for index, _, row in new if row[0] not in filed)
    return rest, errors


# table -> its code column, for `_ids_by_code`
_CODES = {"order": (Order, Order.number), "location": (Location, Location.code),
          "customer": (Customer, Customer.code), "product": (Product, Product.sku)}


def _ids_by_code(wanted: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Ids by code for several tables in one statement (a push batch asks all of them every time)."""
    found: dict[str, dict[str, int]] = {table: {} for table in wanted}
    parts, params = [], []
    for table, codes in wanted.items():
        if not codes:
            continue
        model, column = _CODES[table]
        for chunk_ in chunks(codes):
            condition, values = in_list(column.column_name, chunk_)
            parts.append(f"SELECT '{table}', {column.column_name}, id FROM \"{model._meta.table_name}\" "
                         f"WHERE {condition}")
            params += values
    if parts:
        for table, code, ident in db.execute_sql(" UNION ALL ".join(parts), params).fetchall():
            found[table][code] = ident
    return found


def _new_order_row(doc: dict, cred: TerminalCredential, locations: dict[str, int], customers: dict[str, int],
                   originals: dict[str, int], products: dict[str, int]) -> tuple:
    for line in doc.get("lines", []):
        if line["sku"] not in products:
            product_by_sku(line["sku"])  # raises its NotFound
    location = locations.get(doc.get("location")) if doc.get("location") else None
    customer = customers.get(doc["customer"]) if doc.get("customer") else None
    original = originals.get(doc["original"]) if doc.get("original") else None
    created_at = clock.parse(doc["created_at"]) if doc.get("created_at") else hqclock.now()
    return (str(doc["number"]), doc.get("kind", "sale"), doc.get("channel", "counter"), location,
            str(doc.get("terminal") or cred.code), str(doc.get("user") or ""), customer,
            doc.get("status", "ordered"), doc["currency"], Decimal(doc.get("subtotal", 0)),
            Decimal(doc.get("discount", 0)), Decimal(doc.get("tax", 0)), Decimal(doc.get("total", 0)), original,
            created_at)


def _insert_orders(new: list[tuple[int, dict, tuple]], products: dict[str, int], cred: TerminalCredential,
                   ) -> set[str]:
    """Insert the orders with their lines, tenders and first history row; returns the numbers filed."""
    ids = dict(insert_values(_ORDER_FIELDS, [row for _, _, row in new], returning=(Order.number, Order.id),
                             skip_conflicts=True))
    lines, tenders, history = [], [], []
    for _, doc, row in new:
        order_id = ids.get(row[0])
        if order_id is None:
            continue
        lines += [(order_id, position, products[line["sku"]], line["sku"], line.get("name", ""),
                   Decimal(line["quantity"]), Decimal(line.get("unit_price", 0)), Decimal(line.get("discount", 0)),
                   Decimal(line.get("total", 0)), line.get("lot", ""), line.get("reason", ""),
                   line.get("condition", "")) for position, line in enumerate(doc.get("lines", []), 1)]
        tenders += [(order_id, tender["kind"], Decimal(tender["amount"]), tender.get("reference", ""),
                     Decimal(tender.get("change", 0))) for tender in doc.get("tenders", [])]
        history.append((order_id, row[7], row[14], row[5], f"received from terminal {cred.code}"))
    insert_values(_LINE_FIELDS, lines)
    insert_values(_TENDER_FIELDS, tenders)
    insert_values(_HISTORY_FIELDS, history)
    return set(ids)
