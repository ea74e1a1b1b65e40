"""On-hand is a pure function of the set of events, whatever order they arrive in."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.db import db
from models.ledger import (
    ADJUSTMENT,
    COUNT,
    LOCATION_SCOPE,
    RECEIPT,
    RETURN,
    SALE,
    EventData,
    StockLevel,
    fold,
    post_event,
    post_events,
    rebuild_all_levels,
    verify_counts,
    verify_levels,
    withdraw,
)
from models.store import open_store
from tests import factories as f

T0 = dt.datetime(2026, 1, 1, 9, 0)
SKUS = ("A", "B")
KIND_SIGN = {RECEIPT: 1, SALE: -1, RETURN: 1, ADJUSTMENT: -1, COUNT: 0}


@st.composite
def events(draw) -> EventData:
    kind = draw(st.sampled_from(list(KIND_SIGN)))
    magnitude = Decimal(draw(st.integers(min_value=0 if kind == COUNT else 1, max_value=50)))
    qty = magnitude if kind == COUNT else magnitude * KIND_SIGN[kind]
    return EventData(
        location="STORE1", sku=draw(st.sampled_from(SKUS)), quantity=qty, kind=kind,
        # Few distinct times, so ties between counts and other events happen often.
        occurred_at=T0 + dt.timedelta(minutes=draw(st.integers(0, 6))),
        lot=draw(st.sampled_from(["", "L1"])), reason="test" if kind == ADJUSTMENT else "",
        # A few bins, "no bin" among them; a count states its bin or the whole location.
        bin=draw(st.sampled_from(["", "A-01", "B-02"])),
        scope=draw(st.sampled_from(["", LOCATION_SCOPE])) if kind == COUNT else "",
    )


def _fresh_store() -> None:
    directory = tempfile.mkdtemp()
    open_store(Path(directory) / "p.db")
    f.actor()
    for sku in SKUS:
        f.product(sku)


def _levels() -> dict:
    return {
        ("STORE1", lvl.product.sku, lvl.bin, lvl.lot): lvl.on_hand
        for lvl in StockLevel.select()
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(events(), min_size=1, max_size=25), data=st.data())
def test_levels_equal_the_fold_in_any_order_with_duplicates(batch, data):
    # Deliver the events shuffled and with some of them repeated, as a flaky network would.
    repeats = data.draw(st.lists(st.sampled_from(batch), max_size=10))
    delivery = data.draw(st.permutations(batch + repeats))
    _fresh_store()
    try:
        with db.atomic():
            for event in delivery:
                post_event(event)
        expected = {k: v for k, v in fold(batch).items()}
        got = _levels()
        assert {k: got.get(k, Decimal(0)) for k in expected} == expected
        assert all(v == 0 for k, v in got.items() if k not in expected)
        assert verify_levels() == []
        assert verify_counts() == []
    finally:
        db.close()


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(events(), min_size=1, max_size=30), data=st.data())
def test_fold_ignores_order_and_duplicates(batch, data):
    shuffled = data.draw(st.permutations(batch + batch[:3]))
    assert fold(shuffled) == fold(batch)


def test_count_absorbs_earlier_events_that_arrive_late(store):
    f.actor()
    f.product("A")
    sale_before = EventData("STORE1", "A", Decimal(-2), SALE, T0)
    count = EventData("STORE1", "A", Decimal(10), COUNT, T0 + dt.timedelta(minutes=5))
    receipt_after = EventData("STORE1", "A", Decimal(3), RECEIPT, T0 + dt.timedelta(minutes=6))
    with db.atomic():
        post_event(count)
        post_event(receipt_after)
        post_event(sale_before)  # offline terminal's sale, from before the count
    assert _levels()[("STORE1", "A", "", "")] == 13
    assert verify_levels() == []


def test_rebuild_all_levels_matches_incremental_levels(store):
    f.actor()
    for sku in SKUS:
        f.product(sku)
    batch = [
        EventData("STORE1", "A", Decimal(5), RECEIPT, T0),
        EventData("STORE1", "A", Decimal(4), COUNT, T0 + dt.timedelta(minutes=1)),
        EventData("STORE1", "A", Decimal(-1), SALE, T0 + dt.timedelta(minutes=2)),
        EventData("STORE1", "B", Decimal(2), RECEIPT, T0, lot="L1"),
    ]
    with db.atomic():
        for event in batch:
            post_event(event)
    before = {(lvl.product_id, lvl.lot): (lvl.on_hand, lvl.count_at, lvl.count_id) for lvl in StockLevel.select()}
    StockLevel.update(on_hand=Decimal(99)).execute()
    assert len(verify_levels()) == 2
    assert rebuild_all_levels() == 2
    after = {(lvl.product_id, lvl.lot): (lvl.on_hand, lvl.count_at, lvl.count_id) for lvl in StockLevel.select()}
    assert after == before
    assert verify_levels() == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(events(), max_size=15), second=st.lists(events(), min_size=1, max_size=15), data=st.data())
def test_batches_end_where_one_by_one_ends(first, second, data):
    """post_events (head office's push, a terminal's pull) folds exactly like post_event."""
    repeats = data.draw(st.lists(st.sampled_from(first + second), max_size=6))
    _fresh_store()
    try:
        with db.atomic():
            for event in first:
                post_event(event)
            results = post_events(second + repeats)
        assert results[: len(second)].count(True) == len({e.id for e in second} - {e.id for e in first})
        expected = fold(first + second)
        got = _levels()
        assert {k: got.get(k, Decimal(0)) for k in expected} == expected
        assert verify_levels() == []
        assert verify_counts() == []
    finally:
        db.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(events(), min_size=2, max_size=20), data=st.data())
def test_withdrawing_an_event_leaves_the_fold_of_the_rest(batch, data):
    """A refused event leaves the ledger: the levels are those of the events that stay."""
    gone = data.draw(st.sampled_from(batch))
    _fresh_store()
    try:
        with db.atomic():
            post_events(batch)
            withdraw(gone.id)
        expected = fold([e for e in batch if e.id != gone.id])
        got = _levels()
        assert {k: got.get(k, Decimal(0)) for k in expected} == expected
        assert all(v == 0 for k, v in got.items() if k not in expected)
        assert verify_levels() == []
    finally:
        db.close()


def test_a_location_count_states_every_bin_even_one_it_learns_of_later(store):
    """Counting a product at a location (no bin named) sets its whole stock there: a sale booked
    from another bin before the count, arriving after it, is absorbed like any earlier event."""
    f.actor()
    f.product("A")
    receipt = EventData("STORE1", "A", Decimal(24), RECEIPT, T0, bin="I-07")
    count = EventData("STORE1", "A", Decimal(21), COUNT, T0 + dt.timedelta(minutes=5), bin="I-07",
                      scope=LOCATION_SCOPE)
    late_sale = EventData("STORE1", "A", Decimal(-1), SALE, T0 + dt.timedelta(minutes=1))  # "no bin"
    after = EventData("STORE1", "A", Decimal(-2), SALE, T0 + dt.timedelta(minutes=9), bin="I-07")
    with db.atomic():
        for event in (receipt, count, late_sale, after):
            post_event(event)
    assert _levels() == {("STORE1", "A", "I-07", ""): 19, ("STORE1", "A", "", ""): 0}
    assert verify_levels() == [] and verify_counts() == []


def test_a_bin_count_states_only_its_bin(store):
    f.actor()
    f.product("A")
    with db.atomic():
        post_event(EventData("STORE1", "A", Decimal(5), RECEIPT, T0, bin="A-01"))
        post_event(EventData("STORE1", "A", Decimal(3), RECEIPT, T0, bin="B-02"))
        post_event(EventData("STORE1", "A", Decimal(4), COUNT, T0 + dt.timedelta(minutes=1), bin="A-01"))
    assert _levels() == {("STORE1", "A", "A-01", ""): 4, ("STORE1", "A", "B-02", ""): 3}


def test_verify_counts_finds_a_level_that_does_not_hold_what_was_counted(store):
    f.actor()
    f.product("A")
    with db.atomic():
        post_event(EventData("STORE1", "A", Decimal(5), RECEIPT, T0, bin="A-01"))
        post_event(EventData("STORE1", "A", Decimal(-1), SALE, T0 + dt.timedelta(minutes=1)))
        post_event(EventData("STORE1", "A", Decimal(21), COUNT, T0 + dt.timedelta(minutes=2), bin="A-01",
                             scope=LOCATION_SCOPE))
    assert verify_counts() == []
    # A level the count did not absorb (as the stores before scopes had): on hand 20, counted 21.
    StockLevel.update(on_hand=Decimal(-1)).where(StockLevel.bin == "").execute()
    (wrong,) = verify_counts()
    assert (wrong.sku, wrong.whole_location, wrong.counted, wrong.on_hand) == ("A", True, 21, 20)


def test_batch_reports_bad_events_and_conflicts_and_stores_the_rest(store):
    f.actor()
    f.product("A")
    good = EventData("STORE1", "A", Decimal(5), RECEIPT, T0)
    clash = EventData("STORE1", "A", Decimal(6), RECEIPT, T0, id=good.id)
    unknown = EventData("STORE1", "NOPE", Decimal(1), RECEIPT, T0)
    wrong_sign = EventData("STORE1", "A", Decimal(1), SALE, T0)
    with db.atomic():
        results = post_events([good, clash, unknown, wrong_sign, good])
    assert results[0] is True and results[4] is False
    assert "different content" in str(results[1])
    assert "Unknown product" in str(results[2]) and "negative quantity" in str(results[3])
    assert _levels()[("STORE1", "A", "", "")] == 5
    with db.atomic():
        again = post_events([clash])
    assert "different content" in str(again[0])


def test_a_location_count_without_a_lot_states_every_lot(store):
    """Counted without lots (a shelf count of a lot-tracked product), the whole product is stated."""
    f.actor()
    f.product("A")
    with db.atomic():
        post_event(EventData("STORE1", "A", Decimal(18), RECEIPT, T0, bin="C-01", lot="L2412A"))
        post_event(EventData("STORE1", "A", Decimal(-1), SALE, T0, bin="C-01"))  # lot unknown, as before
        post_event(EventData("STORE1", "A", Decimal(15), COUNT, T0 + dt.timedelta(minutes=1), bin="C-01",
                             lot="L2412A", scope=LOCATION_SCOPE))
    assert _levels() == {("STORE1", "A", "C-01", "L2412A"): 15, ("STORE1", "A", "C-01", ""): -1}
    with db.atomic():
        post_event(EventData("STORE1", "A", Decimal(16), COUNT, T0 + dt.timedelta(minutes=2), bin="C-01",
                             scope=LOCATION_SCOPE))
    assert _levels() == {("STORE1", "A", "C-01", "L2412A"): 0, ("STORE1", "A", "C-01", ""): 16}
    assert verify_levels() == [] and verify_counts() == []
