"""Brokering runs: place approved orders' unplaced quantities at locations and reserve them.

`broker_orders` works inside the caller's write transaction (intake and approval broker the one
order they just decided on); `run` brokers the backlog in chunks, each its own transaction. A run
is idempotent (it only places what is still unplaced, read under the lock) and safe to run twice at
once: on PostgreSQL a chunk skips the orders another run holds (SKIP LOCKED), and the product locks
(`locking.lock_products`) make the stock check and the reservation one step.

The work per chunk is a fixed number of queries whatever its size: stock, reservations, safety
stock and capacity are read once, plans are made in memory (each one lowering what the next may
take), and allocations, timeline entries and statuses are written in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import peewee

from models.bulk import among, insert_values
from models.catalog import Product
from models.db import is_postgres
from models.oms import brokering
from models.oms.lifecycle import (
    APPROVED,
    BACKORDERED,
    CANCELLING,
    GIVEN_BACK,
    PARTLY_ALLOCATED,
    PARTLY_CANCELLED,
    RESERVED,
    UNALLOCATED,
    UNFILLABLE,
    line_parts,
    rest_state,
    shown_status,
)
from models.orders import Order, OrderLine
from models.places import Location
from models.statements import AnyOf, Slot, Statement

from .. import hqclock
from . import timeline
from .locking import lock_products, write_transaction
from .stock import standings
from .tables import Allocation, AllocationRuleRow, ChannelOrder, LocationSetup

CHUNK = 500
BY = "brokering"
ALLOCATION_FIELDS = (Allocation.order, Allocation.line, Allocation.location, Allocation.product, Allocation.quantity,
                     Allocation.state, Allocation.created_at, Allocation.updated_at)
# Queues whose orders are never brokered; a backlog run also leaves unfillable ones parked (they are
# brokered when asked for by name, e.g. on approval).
NEVER_BROKERED = (CANCELLING, PARTLY_CANCELLED)
NOT_IN_BACKLOG = (UNFILLABLE, *NEVER_BROKERED)
WAITING = (UNALLOCATED, BACKORDERED, PARTLY_ALLOCATED)  # statuses of orders with something unplaced


@dataclass
class RunResult:
    orders: int = 0
    placed: int = 0  # orders that got at least one allocation
    backordered: int = 0
    unfillable: int = 0
    statuses: dict[int, str] = field(default_factory=dict)  # order id -> the status it now shows
    # order id -> what this run reserved for it: (line id, location code, quantity, state)
    reserved: dict[int, list[tuple[int, str, Decimal, str]]] = field(default_factory=lambda: defaultdict(list))


# Intake brokers every order it approves: these reads are compiled once (models/statements.py).
_rule_rows = Statement(lambda: AllocationRuleRow.select(
    AllocationRuleRow.channel, AllocationRuleRow.name, AllocationRuleRow.locations, AllocationRuleRow.split,
    AllocationRuleRow.split_min_value, AllocationRuleRow.when_unplaced, AllocationRuleRow.partial)
    .where(AllocationRuleRow.enabled & ((AllocationRuleRow.channel == Slot("channel")) | (AllocationRuleRow.channel == "")))
    .order_by(AllocationRuleRow.position, AllocationRuleRow.id))
_site_rows = Statement(lambda: Location.select(
    Location.id, Location.code, LocationSetup.country, LocationSetup.postcode, LocationSetup.lat, LocationSetup.lon,
    LocationSetup.daily_capacity, LocationSetup.fulfils)
    .join(LocationSetup, peewee.JOIN.LEFT_OUTER, on=(LocationSetup.location == Location.id)).order_by(Location.code))
_set_status = Statement(lambda: Order.update(status=Slot("status")).where(AnyOf(Order.id, "ids")))


def _rules(channel: str) -> list[brokering.AllocationRule]:
    rows = _rule_rows.tuples(channel=channel)
    own = [r for r in rows if r[0] == channel] or [r for r in rows if r[0] == ""]
    return [brokering.AllocationRule(name, tuple(locations or ()), split, split_min_value, when_unplaced, partial)
            for _, name, locations, split, split_min_value, when_unplaced, partial in own] \
        or list(brokering.DEFAULT_RULES)


def _sites(today: dt.datetime) -> list[brokering.Site]:
    rows = _site_rows.tuples()
    limited = [row[0] for row in rows if row[6] is not None]
    # Orders taken today only where a location has a daily capacity (most have none): the count
    # reads today's allocations of those locations through the (location, created_at) index.
    used = dict(Allocation.select(Allocation.location, peewee.fn.COUNT(peewee.fn.DISTINCT(Allocation.order)))
                .where(Allocation.location.in_(limited) & (Allocation.created_at >= today))
                .group_by(Allocation.location).tuples()) if limited else {}
    return [brokering.Site(loc_id, code, country or "", postcode or "", lat, lon,
                           None if capacity is None else max(capacity - used.get(loc_id, 0), 0))
            for loc_id, code, country, postcode, lat, lon, capacity, fulfils in rows if fulfils is not False]


def _atp(product_ids: set[int]) -> dict[tuple[int, int], Decimal]:
    return {key: standing.atp for key, standing in standings(product_ids).items()}


def broker_orders(order_ids: list[int], *, skip_locked: bool = False,
                  new: tuple[ChannelOrder, list[OrderLine]] | None = None) -> RunResult:
    """Place what is unplaced of these approved orders (inside the caller's write transaction).
    `new`: an order this transaction just took and approved, with its lines (nothing to read back)."""
    result = RunResult()
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    existing: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    if new is not None:
        heads = [new[0]]
        lines[new[0].order_id] = new[1]
    else:
        query = ChannelOrder.select(ChannelOrder, Order).join(Order).where(
            among(ChannelOrder.order, order_ids) & (ChannelOrder.state == APPROVED))
        if is_postgres():
            query = query.for_update(of=ChannelOrder, skip_locked=skip_locked or None)
        heads = [h for h in query if h.queue not in NEVER_BROKERED]
        if not heads:
            return result
        ids = [h.order_id for h in heads]
        for line in OrderLine.select().where(among(OrderLine.order, ids)).order_by(OrderLine.order, OrderLine.position):
            lines[line.order_id].append(line)
        for line_id, state, qty in Allocation.select(Allocation.line, Allocation.state, Allocation.quantity).where(
                among(Allocation.order, ids)).tuples():
            existing[line_id].append((state, qty))
    lock_products({line.product_id for group in lines.values() for line in group})
    now = hqclock.now()
    sites = _sites(dt.datetime.combine(now.date(), dt.time()))
    capacity = {s.id: s.capacity_left for s in sites}
    atp = _atp({line.product_id for group in lines.values() for line in group})
    codes = {s.id: s.code for s in sites}
    rules_by_channel: dict[str, list[brokering.AllocationRule]] = {}
    new_rows, statuses, queues = [], defaultdict(list), {}
    heads.sort(key=lambda h: (h.promised_at or dt.datetime.max, h.received_at, h.id))
    for head in heads:
        order = head.order
        ratio = head.amount_reporting / order.total if order.total else Decimal(1)
        needs = []
        for line in lines[order.id]:
            placed = sum((q for s, q in existing[line.id] if s not in GIVEN_BACK), Decimal(0))
            if line.quantity - placed > 0:
                needs.append(brokering.Need(line.id, line.product_id, line.quantity - placed, line.unit_price * ratio))
        result.orders += 1
        if not needs:
            continue
        if order.channel not in rules_by_channel:
            rules_by_channel[order.channel] = _rules(order.channel)
        rules = rules_by_channel[order.channel]
        ship_to = head.ship_to or {}
        here = [brokering.Site(s.id, s.code, s.country, s.postcode, s.lat, s.lon, capacity[s.id]) for s in sites]
        plan = brokering.plan(needs, here, atp, brokering.Destination(
            ship_to.get("country", ""), ship_to.get("postcode", ""), ship_to.get("lat"), ship_to.get("lon")), rules)
        by_line = {line.id: line for line in lines[order.id]}
        for p in plan.placements:
            key = (p.location_id, by_line[p.line_id].product_id)
            atp[key] = atp.get(key, Decimal(0)) - p.quantity
            new_rows.append((order.id, p.line_id, p.location_id, key[1], p.quantity, RESERVED, now, now))
            result.reserved[order.id].append((p.line_id, codes[p.location_id], p.quantity, RESERVED))
            existing[p.line_id].append((RESERVED, p.quantity))
        for location_id in {p.location_id for p in plan.placements}:
            if capacity.get(location_id) is not None:
                capacity[location_id] -= 1
        if plan.placements:
            result.placed += 1
            timeline.record(order.id, "allocated", by=BY, note=plan.why, data={
                "rule": plan.rule, "allocations": [{"line": p.line_id, "location": codes[p.location_id],
                                                    "quantity": str(p.quantity)} for p in plan.placements]})
        queue = plan.queue
        if queue != head.queue:
            queues[head.id] = head.queue = queue
            if queue:
                timeline.record(order.id, queue, by=BY, note=plan.why, data={"rule": plan.rule})
        result.backordered += queue == BACKORDERED
        result.unfillable += queue == UNFILLABLE
        rest = rest_state(queue)
        status = shown_status(APPROVED, [line_parts(line.quantity, existing[line.id], rest) for line in lines[order.id]])
        result.statuses[order.id] = status
        if status != order.status:
            statuses[status].append(order.id)
    insert_values(ALLOCATION_FIELDS, new_rows)
    by_queue: dict[str, list[int]] = defaultdict(list)
    for head_id, queue in queues.items():
        by_queue[queue].append(head_id)
    for queue, head_ids in by_queue.items():
        ChannelOrder.update(queue=queue, updated_at=now).where(among(ChannelOrder.id, head_ids)).execute()
    for status, order_ids_ in statuses.items():
        _set_status.execute(status=status, ids=order_ids_)
    return result


def run(*, skus: set[str] | None = None, chunk: int = CHUNK) -> RunResult:
    """Broker the backlog (approved orders with something unplaced, not parked as unfillable),
    oldest promise first; `skus`: only orders that need one of them (stock arrived)."""
    query = (ChannelOrder.select(ChannelOrder.order).join(Order)
             .where((ChannelOrder.state == APPROVED) & ChannelOrder.queue.not_in(NOT_IN_BACKLOG)
                    & Order.status.in_(WAITING))
             .order_by(ChannelOrder.promised_at.is_null(), ChannelOrder.promised_at, ChannelOrder.received_at,
                       ChannelOrder.id))
    if skus:
        query = query.where(ChannelOrder.order.in_(OrderLine.select(OrderLine.order).where(OrderLine.product.in_(
            Product.select(Product.id).where(Product.sku.in_(list(skus)))))))
    ids = [order_id for (order_id,) in query.tuples()]
    total = RunResult()
    for start in range(0, len(ids), chunk):
        with write_transaction(), timeline.batch():
            done = broker_orders(ids[start:start + chunk], skip_locked=True)
        total.orders += done.orders
        total.placed += done.placed
        total.backordered += done.backordered
        total.unfillable += done.unfillable
    return total
