from __future__ import annotations

import datetime as dt
from decimal import Decimal

from models.hq import store_remote_levels
from models.lookup import product_card
from models.ops.receiving import ReceivedLine, receive_goods
from tests import factories as f


def test_card_shows_other_locations_as_last_synced_with_the_time(store):
    shop = f.actor()
    wh = f.actor("W01", "WH1", kind="warehouse", user_code="W")
    p = f.product("P")
    receive_goods(shop, [ReceivedLine(p, Decimal(3))])
    receive_goods(wh, [ReceivedLine(p, Decimal(2))])  # this store's partial copy of WH1
    card = product_card(p, shop.location)
    assert card.here == 3
    assert [(e.location, e.on_hand) for e in card.elsewhere] == [("WH1", 2)] and card.elsewhere_as_of is None

    synced = dt.datetime(2026, 11, 30, 9, 15)
    store_remote_levels([("WH1", "P", Decimal(40), Decimal(38)),
                         ("STORE1", "P", Decimal(99), Decimal(99))], synced)  # our own: never shown as elsewhere
    card = product_card(p, shop.location)
    assert [(e.location, e.on_hand) for e in card.elsewhere] == [("WH1", 40)]
    assert card.elsewhere_as_of == synced
