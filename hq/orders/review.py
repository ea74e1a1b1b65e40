"""Review at head office: run the operator's rules on a new order, approve or reject by hand, and
keep the rules themselves (`counter hq rules ...`, the API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from models.db import is_postgres
from models.errors import DomainError, NotFound, PermissionDenied
from models.oms import review as rules
from models.oms.lifecycle import APPROVED, CANCELLED, IN_REVIEW, ON_HOLD, check_header
from models.orders import Order, OrderLine
from models.statements import Statement

from .. import hqclock
from . import settings, timeline
from .locking import write_transaction
from .tables import Allocation, ChannelExclusion, ChannelOrder, OrderHold, ReviewRule

OPERATOR, MANAGER = "operator", "manager"
ROLES = (OPERATOR, MANAGER)
_DUPLICATE_LOOKBACK = dt.timedelta(days=7)  # the longest window a likely_duplicate rule may have


def _summed(pairs: Iterable[tuple[str, Decimal]]) -> tuple[tuple[str, Decimal], ...]:
    totals: dict[str, Decimal] = {}
    for sku, qty in pairs:
        totals[sku] = totals.get(sku, Decimal(0)) + qty
    return tuple(sorted(totals.items()))


def _facts(order: Order, head: ChannelOrder, active: list[rules.Rule], lines: list[OrderLine]) -> rules.Facts:
    kinds = {r.kind for r in active}
    items = _summed((line.sku, line.quantity) for line in lines)
    earlier: list = []
    known = False
    if order.customer_id is not None and kinds & {rules.NEW_CUSTOMER_ABOVE, rules.LIKELY_DUPLICATE}:
        others = Order.select(Order.id, Order.created_at).where(Order.customer == order.customer_id)
        if order.id is not None:  # an order under review before it is stored is none of the others
            others = others.where(Order.id != order.id)
        known = others.exists()
        if rules.LIKELY_DUPLICATE in kinds:
            since = order.created_at - _DUPLICATE_LOOKBACK
            recent = {o.id: o.created_at for o in others.where(Order.created_at >= since)
                      .order_by(Order.created_at.desc()).limit(50)}
            items_of: dict[int, list[tuple[str, Decimal]]] = {order_id: [] for order_id in recent}
            for order_id, sku, qty in OrderLine.select(OrderLine.order, OrderLine.sku, OrderLine.quantity).where(
                    OrderLine.order.in_(list(recent))).tuples():
                items_of[order_id].append((sku, qty))
            earlier = [(recent[order_id], _summed(pairs)) for order_id, pairs in items_of.items()]
    excluded = set()
    if rules.ITEM_NOT_ON_CHANNEL in kinds:
        excluded = {sku for (sku,) in ChannelExclusion.select(ChannelExclusion.sku).where(
            (ChannelExclusion.channel == head.channel_id) & ChannelExclusion.sku.in_([s for s, _ in items])).tuples()}
    return rules.Facts(amount=head.amount_reporting, placed_at=order.created_at, payment_status=head.payment_status,
                       address=head.ship_to or {}, customer_known=known, items=items, earlier=tuple(earlier),
                       channel_risky=head.channel.risky, not_on_channel=tuple(sorted(excluded)))


_rules = Statement(lambda: ReviewRule.select(ReviewRule.kind, ReviewRule.params, ReviewRule.id, ReviewRule.position,
                                              ReviewRule.enabled).order_by(ReviewRule.position, ReviewRule.id))


def active_rules() -> list[rules.Rule]:
    return [rules.Rule(kind, params or {}, rule_id, position, enabled)
            for kind, params, rule_id, position, enabled in _rules.tuples()]


def review_new(order: Order, head: ChannelOrder, lines: list[OrderLine], reporting: str) -> list[rules.Hold]:
    """Decide on an order before it is stored (so it is written once, in its reviewed state): the
    holds of the rules it matches; `head.state` goes received -> in review -> on hold, or approved
    if none matches. `record_review` writes the holds once the order has its id."""
    check_header(head.state, IN_REVIEW)
    enabled = [r for r in active_rules() if r.enabled]
    holds = rules.evaluate(enabled, _facts(order, head, enabled, lines), reporting)
    decided = ON_HOLD if holds else APPROVED
    check_header(IN_REVIEW, decided)
    head.state = decided
    return holds


def record_review(order: Order, holds: list[rules.Hold]) -> None:
    now = hqclock.now()
    for hold in holds:
        OrderHold.create(order=order, reason=hold.reason, detail=hold.detail, rule_id=hold.rule_id, placed_at=now,
                         placed_by="review")
        timeline.record(order, "held", by="review", note=hold.detail, data={"reason": hold.reason,
                                                                            "rule": hold.rule_id})
    if not holds:
        timeline.record(order, "approved", by="review", note="no review rule held it")


def order_head(number: str) -> tuple[Order, ChannelOrder]:
    """A channel order and its head-office row, the row locked on PostgreSQL for the transaction."""
    query = ChannelOrder.select(ChannelOrder, Order).join(Order).where(Order.number == number.strip())
    head = (query.for_update(of=ChannelOrder) if is_postgres() else query).first()
    if head is None:
        raise NotFound("No channel order {number!r} at head office.", number=number.strip()[:64])
    return head.order, head


def open_holds(order: Order) -> list[OrderHold]:
    return list(OrderHold.select().where((OrderHold.order == order) & OrderHold.released_at.is_null())
                .order_by(OrderHold.id))


def hold(number: str, *, by: str, note: str, reason: str = rules.MANUAL) -> OrderHold:
    """Hold an order by hand (before it is allocated): a phone call, a suspicion."""
    if not note.strip():
        raise DomainError("Say why the order is held (a note).")
    with write_transaction():
        order, head = order_head(number)
        if head.state == APPROVED and Allocation.select().where(Allocation.order == order).exists():
            raise DomainError("Order {number} is already allocated: cancel it instead of holding it.",
                              number=order.number)
        row = OrderHold.create(order=order, reason=reason, detail=note.strip(), placed_at=hqclock.now(), placed_by=by)
        timeline.set_head(head, state=ON_HOLD)
        timeline.record(order, "held", by=by, note=note.strip(), data={"reason": reason})
        timeline.refresh_status(order)
    return row


def approve(number: str, *, by: str, role: str, note: str) -> Order:
    """Release every hold of an order and approve it; above the manager's limit only a manager may.
    An approved order is brokered in the same transaction."""
    from .broker import broker_orders

    if role not in ROLES:
        raise DomainError("A role is {roles}, not {role!r}.", roles=" or ".join(ROLES), role=role)
    if not note.strip():
        raise DomainError("An approval needs a note: what was checked.")
    with write_transaction():
        order, head = order_head(number)
        if head.state != ON_HOLD:
            raise DomainError("Order {number} is {state}: only an order on hold is approved by hand.",
                              number=order.number, state=head.state.replace("_", " "))
        needed = rules.approval_role(head.amount_reporting, settings.manager_approval_above())
        if needed == MANAGER and role != MANAGER:
            raise PermissionDenied("Order {number} is {amount} {currency}, above the {limit} {currency} an operator "
                                   "may approve: a manager must approve it.", number=order.number,
                                   amount=head.amount_reporting, currency=settings.reporting_currency(),
                                   limit=settings.manager_approval_above())
        OrderHold.update(released_at=hqclock.now(), released_by=by, note=note.strip()).where(
            (OrderHold.order == order) & OrderHold.released_at.is_null()).execute()
        timeline.set_head(head, state=APPROVED)
        timeline.record(order, "approved", by=by, note=note.strip(), data={"role": role})
        broker_orders([order.id])
        timeline.refresh_status(order)
    return order


def reject(number: str, *, by: str, note: str) -> Order:
    """Refuse an order in review: it is cancelled, with the note as the reason."""
    if not note.strip():
        raise DomainError("A rejection needs a note: why the order is refused.")
    with write_transaction():
        order, head = order_head(number)
        if head.state not in (ON_HOLD, IN_REVIEW):
            raise DomainError("Order {number} is {state}: only an order in review or on hold is rejected; "
                              "cancel an approved one.", number=order.number, state=head.state.replace("_", " "))
        OrderHold.update(released_at=hqclock.now(), released_by=by, note="rejected: " + note.strip()).where(
            (OrderHold.order == order) & OrderHold.released_at.is_null()).execute()
        timeline.set_head(head, state=CANCELLED)
        timeline.record(order, "rejected", by=by, note=note.strip())
        timeline.refresh_status(order)
    return order


# The rules themselves.

def add_rule(kind: str, params: dict | str | None = None, *, position: int | None = None,
             enabled: bool = True) -> ReviewRule:
    typed = rules.read_params(kind, params)
    if position is None:
        last = ReviewRule.select(ReviewRule.position).order_by(ReviewRule.position.desc()).scalar()
        position = (last or 0) + 10
    return ReviewRule.create(kind=kind, params={k: str(v) for k, v in typed.items()}, position=position,
                             enabled=enabled)


def change_rule(rule_id: int, *, params: dict | str | None = None, position: int | None = None,
                enabled: bool | None = None) -> ReviewRule:
    row = ReviewRule.get_or_none(ReviewRule.id == rule_id)
    if row is None:
        raise NotFound("No review rule {id}: `counter hq rules list` shows them.", id=rule_id)
    if params is not None:
        row.params = {k: str(v) for k, v in rules.read_params(row.kind, params).items()}
    if position is not None:
        row.position = position
    if enabled is not None:
        row.enabled = enabled
    row.save()
    return row


def remove_rule(rule_id: int) -> None:
    if not ReviewRule.delete().where(ReviewRule.id == rule_id).execute():
        raise NotFound("No review rule {id}: `counter hq rules list` shows them.", id=rule_id)


def list_rules() -> list[ReviewRule]:
    return list(ReviewRule.select().order_by(ReviewRule.position, ReviewRule.id))
