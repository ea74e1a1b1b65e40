"""Order management's pure rules: lifecycle moves, the shown status, review, brokering."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from models.errors import DomainError
from models.oms import brokering, lifecycle, review
from models.oms.availability import channel_atp, location_atp
from models.oms.brokering import AllocationRule, Destination, Need, Site, plan
from models.oms.lifecycle import Part, line_parts, shown_status

D = Decimal


@pytest.mark.parametrize("state", lifecycle.HEADER_STATES)
@pytest.mark.parametrize("to", lifecycle.HEADER_STATES)
def test_every_header_move_is_legal_or_refused_by_name(state: str, to: str) -> None:
    if to in lifecycle.HEADER_MOVES[state]:
        lifecycle.check_header(state, to)
    else:
        with pytest.raises(DomainError, match="cannot become"):
            lifecycle.check_header(state, to)


@pytest.mark.parametrize("state", lifecycle.ALLOCATION_STATES)
@pytest.mark.parametrize("to", lifecycle.ALLOCATION_STATES)
def test_every_allocation_move_is_legal_or_refused(state: str, to: str) -> None:
    if to in lifecycle.ALLOCATION_MOVES[state]:
        lifecycle.check_allocation(state, to)
    else:
        with pytest.raises(DomainError, match="cannot become"):
            lifecycle.check_allocation(state, to)


def test_the_rules_of_the_road() -> None:
    # Packed goods are not cancelled (they ship and come back); a cancelled or closed order is final.
    assert lifecycle.ALLOCATION_CANCELLED not in lifecycle.ALLOCATION_MOVES[lifecycle.PACKED]
    assert lifecycle.HEADER_MOVES[lifecycle.CANCELLED] == () and lifecycle.HEADER_MOVES[lifecycle.CLOSED] == ()
    with pytest.raises(DomainError):
        lifecycle.check_header("made_up", lifecycle.APPROVED)


def test_line_parts_give_short_and_cancelled_back_to_the_line() -> None:
    parts = line_parts(D(5), [("reserved", D(2)), ("short", D(1)), ("shipped", D(1))], lifecycle.BACKORDERED)
    assert {p.state: p.quantity for p in parts} == {"reserved": D(2), "shipped": D(1), "backordered": D(2)}
    with pytest.raises(DomainError, match="more than it ordered"):
        line_parts(D(1), [("reserved", D(2))])


@pytest.mark.parametrize(("header", "lines", "shown"), [
    ("received", [[Part("unallocated", D(1))]], "awaiting_review"),
    ("on_hold", [[Part("unallocated", D(1))]], "on_hold"),
    ("cancelled", [[Part("unallocated", D(1))]], "cancelled"),
    ("approved", [[Part("backordered", D(2))]], "backordered"),
    ("approved", [[Part("unfillable", D(2))]], "unfillable"),
    ("approved", [[Part("reserved", D(1)), Part("backordered", D(1))]], "partly_allocated"),
    ("approved", [[Part("reserved", D(1))], [Part("reserved", D(3))]], "allocated"),
    ("approved", [[Part("picking", D(1))], [Part("reserved", D(3))]], "in_fulfilment"),
    ("approved", [[Part("shipped", D(1))], [Part("picked", D(3))]], "partly_shipped"),
    ("approved", [[Part("shipped", D(1))], [Part("delivered", D(3))]], "shipped"),
    ("closed", [[Part("delivered", D(1))]], "delivered"),
    ("closed", [[Part("returned", D(1))]], "returned"),
    ("approved", [], "cancelled"),
])
def test_shown_status_is_derived_from_the_lines(header: str, lines: list, shown: str) -> None:
    assert shown_status(header, lines) == shown


def facts(**kw: object) -> review.Facts:
    base = {"amount": D("100"), "placed_at": dt.datetime(2026, 12, 1, 10), "payment_status": "captured",
            "address": {"name": "A", "street": "S 1", "city": "C", "postcode": "1", "country": "DE"},
            "customer_known": True, "items": (("P1", D(1)),)}
    return review.Facts(**(base | kw))


@pytest.mark.parametrize(("rule", "held", "clean"), [
    (review.Rule("amount_above", {"limit": "500"}), facts(amount=D("500.01")), facts(amount=D("500"))),
    (review.Rule("new_customer_above", {"limit": "50"}), facts(customer_known=False), facts(customer_known=True)),
    (review.Rule("address_incomplete"), facts(address={"name": "A", "city": "C"}), facts()),
    (review.Rule("payment_not_captured"), facts(payment_status="pending"), facts()),
    (review.Rule("likely_duplicate", {"minutes": 30}),
     facts(earlier=((dt.datetime(2026, 12, 1, 9, 45), (("P1", D(1)),)),)),
     facts(earlier=((dt.datetime(2026, 12, 1, 9, 15), (("P1", D(1)),)), (dt.datetime(2026, 12, 1, 9, 59),
                                                                       (("P2", D(1)),))))),
    (review.Rule("risky_channel"), facts(channel_risky=True), facts()),
    (review.Rule("item_not_on_channel"), facts(not_on_channel=("P1",)), facts()),
])
def test_each_review_rule_holds_what_it_names_and_nothing_else(rule: review.Rule, held: review.Facts,
                                                               clean: review.Facts) -> None:
    holds = review.evaluate([rule], held)
    assert [h.reason for h in holds] == [rule.kind] and holds[0].detail
    assert review.evaluate([rule], clean) == []
    assert review.evaluate([review.Rule(rule.kind, rule.params, enabled=False)], held) == []


def test_several_rules_put_several_holds_in_their_order() -> None:
    rules = [review.Rule("payment_not_captured", id=2, position=20), review.Rule("amount_above", {"limit": "1"},
                                                                                  id=1, position=10)]
    holds = review.evaluate(rules, facts(payment_status="authorized"))
    assert [h.reason for h in holds] == ["amount_above", "payment_not_captured"]
    assert [h.rule_id for h in holds] == [1, 2]


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("made_up", {}, "not a review rule"),
    ("amount_above", {}, "needs limit"),
    ("amount_above", {"limit": "-1"}, "must be an amount"),
    ("amount_above", {"limit": "NaN"}, "must be an amount"),
    ("amount_above", {"limit": "1", "extra": "2"}, "not extra"),
    ("likely_duplicate", {"minutes": "0"}, "minutes from 1"),
    ("likely_duplicate", "{not json", "JSON"),
])
def test_bad_rule_params_are_refused_with_what_to_write(kind: str, params: object, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        review.read_params(kind, params)


def test_approval_above_the_limit_needs_a_manager() -> None:
    assert review.approval_role(D("1000.01"), D("1000")) == "manager"
    assert review.approval_role(D("1000"), D("1000")) == "operator"
    assert review.approval_role(D("1000000"), None) == "operator"


A, B, C = Site(1, "A", "DE", "10115"), Site(2, "B", "DE", "80331"), Site(3, "C", "DE", "10999")
BERLIN = Destination("DE", "10119")


def need(line: int, product: int, qty: str, value: str = "10") -> Need:
    return Need(line, product, D(qty), D(value))


def test_ships_complete_from_the_nearest_location_that_can() -> None:
    atp = {(1, 7): D(1), (2, 7): D(5), (3, 7): D(5)}
    result = plan([need(1, 7, "2")], [A, B, C], atp, BERLIN)
    assert [(p.location_id, p.quantity) for p in result.placements] == [(3, D(2))]  # C: 10999 shares "10"
    assert result.queue == ""


def test_two_lines_of_one_product_need_both_quantities_from_the_shelf() -> None:
    atp = {(1, 7): D(1), (2, 7): D(1)}
    whole = plan([need(1, 7, "1"), need(2, 7, "1")], [A, B], atp, BERLIN,
                 [AllocationRule("complete only", when_unplaced="backordered")])
    assert whole.placements == [] and whole.queue == "backordered"
    split = plan([need(1, 7, "1"), need(2, 7, "1")], [A, B], atp, BERLIN,
                 [AllocationRule("split", split=True, when_unplaced="backordered")])
    assert sorted((p.line_id, p.location_id) for p in split.placements) == [(1, 1), (2, 2)]


def test_coordinates_beat_postcodes() -> None:
    near = Site(4, "NEAR", lat=52.52, lon=13.40)
    far = Site(5, "FAR", lat=48.14, lon=11.58)
    result = plan([need(1, 7, "1")], [far, near], {(4, 7): D(1), (5, 7): D(1)},
                  Destination("DE", "", 52.50, 13.42))
    assert result.placements[0].location_id == 4


def test_split_takes_the_fewest_parts_and_respects_the_threshold() -> None:
    atp = {(1, 7): D(2), (2, 8): D(1), (2, 7): D(3)}
    rule = AllocationRule("split", split=True, split_min_value=D("15"), when_unplaced="backordered")
    result = plan([need(1, 7, "3"), need(2, 8, "1")], [A, B], atp, BERLIN, [rule])
    # B covers everything: no split at all.
    assert {(p.location_id, p.line_id, p.quantity) for p in result.placements} == {(2, 1, D(3)), (2, 2, D(1))}
    atp = {(1, 7): D(3), (2, 8): D(1)}
    worth_it = AllocationRule("split", split=True, split_min_value=D("10"), when_unplaced="backordered")
    result = plan([need(1, 7, "3"), need(2, 8, "1")], [A, B], atp, BERLIN, [worth_it])
    assert {(p.location_id, p.line_id) for p in result.placements} == {(1, 1), (2, 2)} and result.queue == ""
    # B's part would be worth 10, less than 15: the order is not cut, it waits whole.
    result = plan([need(1, 7, "3"), need(2, 8, "1")], [A, B], atp, BERLIN, [rule])
    assert result.placements == [] and result.queue == "backordered"


def test_partial_places_what_it_can_and_queues_the_rest() -> None:
    rule = AllocationRule("partial", split=True, partial=True, when_unplaced="backordered")
    result = plan([need(1, 7, "5")], [A, B], {(1, 7): D(2), (2, 7): D(1)}, BERLIN, [rule])
    assert result.placed(1) == D(3) and result.queue == "backordered"


def test_rules_in_rank_order_next_rule_and_queues() -> None:
    stores_only = AllocationRule("stores", locations=("A",), when_unplaced="next")
    warehouse = AllocationRule("warehouse", locations=("B",), when_unplaced="unfillable")
    atp = {(2, 7): D(5)}
    result = plan([need(1, 7, "2")], [A, B], atp, BERLIN, [stores_only, warehouse])
    assert result.rule == "warehouse" and result.placements[0].location_id == 2
    result = plan([need(1, 7, "9")], [A, B], atp, BERLIN, [stores_only, warehouse])
    assert result.placements == [] and result.queue == "unfillable"
    result = plan([need(1, 7, "9")], [A, B], atp, BERLIN, [stores_only])
    assert result.queue == "backordered"  # no rule placed it: it waits for stock


def test_a_location_at_its_daily_capacity_takes_no_more() -> None:
    full = Site(3, "C", "DE", "10999", capacity_left=0)
    result = plan([need(1, 7, "1")], [A, full], {(1, 7): D(1), (3, 7): D(1)}, BERLIN)
    assert result.placements[0].location_id == 1


def test_availability_never_below_zero_and_buffers_kept_back() -> None:
    assert location_atp(D(10), D(3), D(2)) == D(5)
    assert location_atp(D(1), D(3)) == D(0)
    assert channel_atp([D(5), D(2)], D(3)) == D(4)
    assert channel_atp([D(1)], D(3)) == D(0)


def test_default_rules_exist_and_are_valid() -> None:
    assert brokering.DEFAULT_RULES and all(r.when_unplaced in brokering.OUTCOMES for r in brokering.DEFAULT_RULES)
