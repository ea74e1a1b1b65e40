"""Stock at other locations as a pull brings it: on hand summed over bins, available net of reservations."""

from __future__ import annotations

from decimal import Decimal

from models.catalog import product_by_sku
from models.hq import Reservation, remote_levels
from models.ledger import RECEIPT
from models.ops.recording import record_stock
from models.store import actor_for
from sync import client as sync
from tests import factories
from tests.sync.conftest import at, enrolled


def _snapshot(*skus: str) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    return {(r.location_code, r.sku): (r.on_hand, r.available) for sku in skus for r in remote_levels(sku)}


def test_levels_elsewhere_show_on_hand_and_what_is_not_reserved(hq, make_terminal):
    with at(hq.database):
        for sku in ("P1", "P2", "P3"):
            factories.product(sku)
        factories.user("C1")
    here = enrolled(hq, make_terminal, "here", code="T01")
    there = enrolled(hq, make_terminal, "there", "STORE2", code="T09")
    with there:
        actor = actor_for("T09", "C1")
        record_stock(actor, product_by_sku("P1"), Decimal(12), RECEIPT)
        record_stock(actor, product_by_sku("P1"), Decimal(3), RECEIPT, bin="B2")
        record_stock(actor, product_by_sku("P2"), Decimal(4), RECEIPT)
        assert sync.run_sync(there.cfg).ok
    with at(hq.database):
        store2 = factories.location("STORE2")
        Reservation.create(location=store2, product=product_by_sku("P1"), quantity=Decimal(5), reference="W-1")
        Reservation.create(location=store2, product=product_by_sku("P1"), quantity=Decimal(1), reference="W-2")
        # Reserved with nothing on the shelf yet: available goes below zero.
        Reservation.create(location=store2, product=product_by_sku("P3"), quantity=Decimal(2), reference="W-3")
    with here:
        assert sync.run_sync(here.cfg).ok
        assert _snapshot("P1", "P2", "P3") == {("STORE2", "P1"): (15, 9), ("STORE2", "P2"): (4, 4),
                                               ("STORE2", "P3"): (0, -2)}
    with at(hq.database):
        Reservation.delete().where(Reservation.reference == "W-2").execute()
    with here:
        assert sync.run_sync(here.cfg).ok
        assert _snapshot("P1")[("STORE2", "P1")] == (15, 10)
