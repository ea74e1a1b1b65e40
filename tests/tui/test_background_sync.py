"""Background sync in the app against a real head office on loopback, and the needs-attention list.

The scheduler's own first run is put an hour away, so every run in these tests is one the app
asked for (a finished sale, F9): what reaches head office was sent because of that request.
"""

from __future__ import annotations

from decimal import Decimal

from models import attention
from models.catalog import Price, Product, current_price, product_by_sku
from models.ledger import on_hand
from models.ops.picking import PickedLine, pick
from models.ops.receiving import ReceivedLine, receive_goods
from models.orders import ALLOCATED, Order, OrderLine
from models.outbox import pending_count
from models.store import actor_for
from sync.local import upsert_order
from tests.factories import eur
from tests.tui.burst import scan_burst
from tests.tui.conftest import BellCountingApp
from tests.tui.counter_data import JUICE, SCALE_RULE, TEA
from tests.tui.counter_pilot import idle, login, open_sale
from tests.tui.hq_setup import at_hq, enrol_here, start_head_office, until
from tui.screens.attention import AttentionScreen
from tui.screens.sale import SaleScreen
from tui.widgets.status_bar import StatusBar


def sync_app(tmp_path, cfg=None) -> BellCountingApp:
    return BellCountingApp("T01", data_dir=tmp_path / "data", status_interval=0, variable_measure=[SCALE_RULE],
                           sync_config=cfg, sync_interval=3600, sync_first_run=3600)


def bar(app) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def pay_cash(pilot) -> None:
    await pilot.press("f10")
    await idle(pilot)
    await pilot.press("enter")  # cash, the amount due
    await idle(pilot)


async def test_a_sale_reaches_head_office_after_the_sync_it_asks_for(store, tmp_path):
    hq = start_head_office(tmp_path)
    try:
        cfg = enrol_here(hq, tmp_path)
        app = sync_app(tmp_path, cfg)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.scheduler is not None, what="scheduler started")
            scheduler = app.scheduler
            await open_sale(pilot)
            await scan_burst(pilot, JUICE)
            await pay_cash(pilot)
            number = Order.get().number
            await until(pilot, lambda: at_hq(hq, lambda: Order.get_or_none(Order.number == number)) is not None,
                        what="the sale at head office")
            await until(pilot, lambda: app.status_info.network == "online" and app.status_info.pending == 0,
                        what="status online, nothing to sync")
            assert "online" in bar(app) and "0 to sync" in bar(app)
            shown = app.status_info.last_sync
            assert shown and f"last sync: {shown}" in bar(app)
            assert scheduler.status.runs == 1  # the sale's request, not the timer
        assert not scheduler.running  # stopped on exit
        # After a restart (no head office configured now) the time of the last good sync is still known.
        again = sync_app(tmp_path)
        async with again.run_test(size=(100, 30)) as pilot:
            await login(pilot)
            assert again.status_info.last_sync == shown
    finally:
        hq.stop()


async def test_offline_the_sale_stays_in_the_outbox_and_the_bar_says_offline(store, tmp_path):
    hq = start_head_office(tmp_path)
    cfg = enrol_here(hq, tmp_path)
    hq.stop()
    app = sync_app(tmp_path, cfg)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.scheduler is not None)
        await open_sale(pilot)
        await scan_burst(pilot, JUICE)
        await pay_cash(pilot)
        await until(pilot, lambda: app.scheduler.status.runs >= 1 and app.status_info.network == "offline",
                    what="offline after the requested run")
        await idle(pilot)
        waiting = pending_count()
        assert waiting >= 1  # the order (and its stock event) wait for head office
        await until(pilot, lambda: app.status_info.pending == waiting)
        assert "offline" in bar(app) and f"{waiting} to sync" in bar(app)
        assert "never" in bar(app)


async def test_price_changed_at_head_office_mid_sale_keeps_the_scanned_price_and_asks_for_attention(
        store, tmp_path):
    hq = start_head_office(tmp_path)
    try:
        cfg = enrol_here(hq, tmp_path)
        app = sync_app(tmp_path, cfg)
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.scheduler is not None)
            await open_sale(pilot)
            sale = app.screen
            assert isinstance(sale, SaleScreen)
            await scan_burst(pilot, TEA)
            assert sale.lines[0].unit_price == eur("3.20")

            def raise_price() -> None:
                Price.update(amount=Decimal("3.90")).where(Price.product == Product.get(Product.sku == "TEA1")).execute()

            at_hq(hq, raise_price)
            await pilot.press("f12")  # home: F9 syncs now
            await idle(pilot)
            await pilot.press("f9")
            await until(pilot, lambda: app.status_info.attention == 1, what="one item needs attention")
            assert current_price(product_by_sku("TEA1")) == eur("3.90")  # the catalogue moved on...
            assert "1 need attention" in bar(app)
            await pilot.press("f2")
            await idle(pilot)
            assert app.screen is sale
            assert sale.lines[0].unit_price == eur("3.20")  # ...the open sale did not
            assert "3.20" in sale.table.row_text(0)
            notice = sale.query_one("#sale-notice")
            assert notice.display and "TEA1" in str(notice.render())
            [item] = attention.open_items()
            assert (item.kind, item.ref) == (attention.PRODUCT_CHANGED, "TEA1") and "3.20" in item.message
            await pilot.press("f12")
            await idle(pilot)
            await pilot.press("f11")
            await idle(pilot)
            screen = app.screen
            assert isinstance(screen, AttentionScreen)
            assert [(i.kind, i.ref) for i in screen.items] == [(attention.PRODUCT_CHANGED, "TEA1")]
            assert "TEA1" in str(screen.query_one("#attention-detail").render())
    finally:
        hq.stop()


async def test_put_back_item_says_which_order_and_goods_and_resolves(make_app):
    actor = actor_for("T01", "1001")
    juice, tea = product_by_sku("JUICE1"), product_by_sku("TEA1")
    receive_goods(actor, [ReceivedLine(juice, Decimal(5), bin="A-01"), ReceivedLine(tea, Decimal(5), bin="B-02")])
    before = on_hand(actor.location, juice)
    order = Order.create(number="WEB-7", channel="web", location=actor.location, currency="EUR", status=ALLOCATED)
    for position, (product, qty) in enumerate([(juice, 2), (tea, 1)], 1):
        OrderLine.create(order=order, position=position, product=product, sku=product.sku, name=product.name,
                         quantity=qty, unit_price=Decimal("2.50"), total=Decimal("2.50") * qty)
    pick(actor, order, [PickedLine(juice, Decimal(2)), PickedLine(tea, Decimal(1))])
    assert on_hand(actor.location, juice) == before - 2
    attention.add(*upsert_order({"number": "WEB-7", "status": "cancelled", "currency": "EUR", "lines": []}))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        assert app.status_info.attention == 1 and "1 need attention" in bar(app)
        await pilot.press("f11")
        await idle(pilot)
        screen = app.screen
        assert isinstance(screen, AttentionScreen)
        detail = str(screen.query_one("#attention-detail").render())
        assert f"Put these back on the shelf (order {order.number})" in detail
        assert "2 × JUICE1" in detail and "1 × TEA1" in detail
        await pilot.press("f5")
        await idle(pilot)
        assert order.number in str(app.screen.query_one("#question").render())
        await pilot.press("y")
        await idle(pilot)
        assert attention.open_items() == [] and attention.Attention.get().resolved_by == "1001"
        assert on_hand(actor.location, juice) == before  # the goods are booked back on the shelf
        assert screen.items == [] and "Nothing needs attention." in str(screen.query_one("#attention-detail").render())
        assert app.status_info.attention == 0 and "need attention" not in bar(app)


async def test_resolving_can_be_declined(make_app):
    attention.add(attention.REJECTED, "E1", "Head office refused stock_event E1: unknown product")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await login(pilot)
        await pilot.press("f11")
        await idle(pilot)
        await pilot.press("f5")
        await idle(pilot)
        await pilot.press("n")
        await idle(pilot)
        assert len(attention.open_items()) == 1
