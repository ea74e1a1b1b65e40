"""Parked sales survive a restart with their scan-time prices; only a supervisor links a code."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models import catalog, parked
from models.catalog import Price
from models.errors import Conflict, DomainError, NotFound, PermissionDenied
from models.ops.selling import SaleLine
from models.store import open_store
from tests import factories as f


def test_parked_sale_survives_reopen_with_scan_time_price(store, tmp_path):
    actor = f.actor()
    p = f.product("P1", price="2.50", barcode="4006381333931")
    lines = [SaleLine(p, Decimal(3), catalog.current_price(p), discount=f.eur("0.50"), lot="L1")]
    row = parked.park(actor, lines, order_discount=f.eur("1.00"))
    Price.update(amount=Decimal("9.99")).execute()  # the shelf price changes meanwhile
    store.close()
    open_store(tmp_path / "store.db")
    listed = parked.parked_sales("T01")
    assert [r.id for r in listed] == [row.id]
    back = parked.resume(row.id)
    assert back.lines[0].unit_price == f.eur("2.50")
    assert back.lines[0].quantity == 3 and back.lines[0].discount == f.eur("0.50") and back.lines[0].lot == "L1"
    assert back.order_discount == f.eur("1.00")
    assert parked.parked_sales("T01") == []
    with pytest.raises(NotFound):
        parked.resume(row.id)


def test_park_refuses_empty_and_discard(store):
    actor = f.actor()
    with pytest.raises(DomainError):
        parked.park(actor, [])
    p = f.product("P1")
    row = parked.park(actor, [SaleLine(p, Decimal(1), f.eur("2.50"))])
    parked.discard(row.id)
    assert parked.parked_sales("T01") == []
    with pytest.raises(NotFound):
        parked.discard(row.id)


def test_link_barcode_needs_a_supervisor(store):
    p = f.product("P1")
    clerk = f.user("C1")
    with pytest.raises(PermissionDenied):
        catalog.link_barcode(p, "4006381333931", clerk)
    with pytest.raises(NotFound):
        catalog.find_by_code("4006381333931")
    catalog.link_barcode(p, "4006381333931", f.supervisor())
    assert catalog.find_by_code("4006381333931")[0].id == p.id
    other = f.product("P2")
    with pytest.raises(Conflict):
        catalog.link_barcode(other, "04006381333931", f.supervisor())
