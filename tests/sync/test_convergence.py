"""Three terminals, two locations, one head office: whatever happens offline and however the network
misbehaves, after everyone has synced everyone agrees on stock and head office holds each event once.

A Hypothesis state machine performs receipts, sales, counts, returns and transfers through the domain
operations on a chosen terminal (T1, T2 at STORE1; T3 at the warehouse WH1), and syncs terminals in
random order, sometimes with a fault:

* the push's answer is lost (head office committed, the terminal never hears it);
* the pull's answer is lost;
* the same push batch reaches head office twice;
* the terminal crashes after head office committed but before it deleted its outbox rows.

Two terminals of STORE1 may each book in the same transfer offline: head office keeps the booking
that reaches it first and refuses the other, which its terminal takes out of its own ledger.

After every step: no terminal's event is lost (each is in its outbox, at head office, or refused and
kept under Needs attention) and every store's cached levels equal its ledger. At the end every
terminal syncs twice, then each terminal's levels equal head office's for its location, head office
holds each event exactly once, and each transfer is booked in by one terminal.

Each example starts from a copy of a prepared world (head office with catalogue and users, three
enrolled terminals), so an example costs a server start, not three enrolments.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import httpx
import peewee
import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from cli.config import Config
from hq import auth
from hq.server import HQHandle, connect_database, serve_in_thread
from models import attention, schema
from models.catalog import Product, current_price, product_by_sku
from models.db import db
from models.errors import DomainError
from models.ledger import TRANSFER_IN, StockEvent, StockLevel, verify_levels
from models.money import Money
from models.ops.counting import CountedLine, record_count
from models.ops.receiving import ReceivedLine, receive_goods
from models.ops.returning import RESTOCK, WRITE_OFF, ReturnLine, refund_value, return_goods, returnable
from models.ops.selling import Payment, SaleLine, sell
from models.ops.transfers import TransferItem, transfer_in, transfer_out
from models.orders import SALE_ORDER, Order, OrderLine
from models.outbox import OutboxEntry
from models.places import Location
from models.stock_docs import Transfer
from models.store import actor_for
from sync import client as sync
from tests import factories
from tests.pg import fresh_database
from tests.sync.conftest import at

TERMINALS = {"T1": "STORE1", "T2": "STORE1", "T3": "WH1"}
SKUS = ("P1", "P2", "P3")
PLAIN, LOSE_PUSH_ANSWER, LOSE_PULL_ANSWER, PUSH_TWICE, CRASH_BEFORE_ACK = (
    "plain", "lose_push_answer", "lose_pull_answer", "push_twice", "crash_before_ack")
FAULTS = (PLAIN, LOSE_PUSH_ANSWER, LOSE_PULL_ANSWER, PUSH_TWICE, CRASH_BEFORE_ACK)

# Compiled statements are cached per id(database): a freed database's id may be reused by a new one
# of the other engine. Keeping every database of this module alive rules that out.
_KEEP: list[peewee.Database] = []


# --- faults on the wire -------------------------------------------------------------------------

class LoseAnswer(httpx.BaseTransport):
    """The first request to `path` reaches head office; its answer never comes back."""

    def __init__(self, path: str) -> None:
        self.inner, self.path, self.done = httpx.HTTPTransport(), path, False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not self.done and request.url.path.endswith(self.path):
            self.done = True
            response.read()
            response.close()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


class PushTwice(httpx.BaseTransport):
    """Every push batch reaches head office twice (a retrying middlebox); the second answer is used."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/push"):
            first = self.inner.handle_request(
                httpx.Request(request.method, request.url, headers=request.headers, content=request.content))
            first.read()
            first.close()
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


# --- the prepared world -------------------------------------------------------------------------

@dataclass
class Term:
    code: str
    location: str
    database: peewee.Database
    cfg: Config

    @contextlib.contextmanager
    def use(self) -> Iterator[None]:
        with at(self.database):
            yield


@dataclass
class World:
    hq: HQHandle
    terms: dict[str, Term]

    def close(self) -> None:
        self.hq.stop()
        for term in self.terms.values():
            term.database.close()


class Template:
    """Head office + three enrolled terminals, built once; `world()` hands out fresh copies."""

    def __init__(self, root: Path, pg_url: str | None = None) -> None:
        self.root, self.pg_url, self.n = root, pg_url, 0
        base = root / "template"
        base.mkdir(parents=True)
        self.hq_source = fresh_database(pg_url) if pg_url else str(base / "hq.db")
        hq = serve_in_thread(self.hq_source)
        tokens = {}
        try:
            with at(hq.database):
                Location.create(code="WH1", name="Warehouse", kind="warehouse", currency="EUR")
                for sku in SKUS:
                    factories.product(sku)
                factories.user("C1")
                for code, location in TERMINALS.items():
                    tokens[code] = auth.add_terminal(location, code, create_location=True).enroll_token
            self.tokens = {}
            for code, location in TERMINALS.items():
                database = connect_database(str(base / f"{code}.db"))
                cfg = Config(terminal=code, location=location, database=str(base / f"{code}.db"))
                with at(database):
                    schema.migrate()
                    sync.enroll(hq.url, tokens[code], cfg, save=False)
                database.close()
                self.tokens[code] = cfg.sync_token
        finally:
            hq.stop()

    def world(self) -> World:
        self.n += 1
        here = self.root / f"w{self.n}"
        here.mkdir()
        if self.pg_url:
            name = f"w_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(self.pg_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.hq_source.rsplit("/", 1)[1]}"')
            hq_db = connect_database(self.pg_url.rsplit("/", 1)[0] + "/" + name)
        else:
            _copy_sqlite(Path(self.hq_source), here / "hq.db")
            hq_db = connect_database(str(here / "hq.db"))
        _KEEP.append(hq_db)
        hq = serve_in_thread(hq_db)
        terms = {}
        for code, location in TERMINALS.items():
            path = here / f"{code}.db"
            _copy_sqlite(self.root / "template" / f"{code}.db", path)
            database = connect_database(str(path))
            _KEEP.append(database)
            cfg = Config(terminal=code, location=location, database=str(path), sync_url=hq.url,
                         sync_token=self.tokens[code], path=here / f"{code}.toml")
            terms[code] = Term(code, location, database, cfg)
        return World(hq, terms)


def _copy_sqlite(source: Path, target: Path) -> None:
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


# --- the machine --------------------------------------------------------------------------------

terminals = st.sampled_from(sorted(TERMINALS))
skus = st.sampled_from(SKUS)


class Convergence(RuleBasedStateMachine):
    def __init__(self, template: Template) -> None:
        super().__init__()
        self.world = template.world()
        self.stepping = False
        self.syncs: dict[str, int] = {}
        self.created: dict[str, set[str]] = {}  # terminal -> every event id its store has held

    # operations, offline: a refused one writes nothing, which is a fine step too

    @initialize(qtys=st.lists(st.integers(1, 20), min_size=len(TERMINALS), max_size=len(TERMINALS)))
    def opening_stock(self, qtys: list[int]) -> None:
        # Every example starts with something on the shelves, so sales and transfers have stock.
        for code, qty in zip(sorted(TERMINALS), qtys, strict=True):
            with self.on(code) as term:
                receive_goods(self._actor(term), [ReceivedLine(product_by_sku(sku), Decimal(qty)) for sku in SKUS])

    @contextlib.contextmanager
    def on(self, code: str) -> Iterator[Term]:
        term = self.world.terms[code]
        self.stepping = True
        with term.use(), contextlib.suppress(DomainError):
            yield term
        self.stepping = False

    def _actor(self, term: Term):
        return actor_for(term.code, "C1")

    @rule(code=terminals, sku=skus, qty=st.integers(1, 20))
    def receive(self, code: str, sku: str, qty: int) -> None:
        with self.on(code) as term:
            receive_goods(self._actor(term), [ReceivedLine(product_by_sku(sku), Decimal(qty))])

    @rule(code=terminals, sku=skus, qty=st.integers(1, 6))
    def sale(self, code: str, sku: str, qty: int) -> None:
        with self.on(code) as term:
            product = product_by_sku(sku)
            price = current_price(product)
            sell(self._actor(term), [SaleLine(product, Decimal(qty), price)],
                 [Payment("cash", Money(price.amount * qty, price.currency))])

    @rule(code=terminals, sku=skus, qty=st.integers(0, 30))
    def count(self, code: str, sku: str, qty: int) -> None:
        from models import clock

        with self.on(code) as term:
            record_count(self._actor(term), [CountedLine(product_by_sku(sku), Decimal(qty), clock.now())])

    @rule(code=terminals, data=st.data())
    def give_back(self, code: str, data: st.DataObject) -> None:
        with self.on(code) as term:
            lines = [line for line in OrderLine.select().join(Order).where(
                (Order.kind == SALE_ORDER) & (Order.terminal == code)).order_by(OrderLine.id)
                if returnable(line) > 0]
            if not lines:
                return
            line = data.draw(st.sampled_from(lines), label="line")
            qty = Decimal(data.draw(st.integers(1, int(returnable(line))), label="qty"))
            condition = data.draw(st.sampled_from((RESTOCK, WRITE_OFF)), label="condition")
            refund = refund_value(line, qty)
            refunds = [Payment("cash", Money(refund, line.order.currency))] if refund else []
            return_goods(self._actor(term), line.order, [ReturnLine(line, qty, "damaged", condition)], refunds)

    @rule(code=terminals, sku=skus, qty=st.integers(1, 8))
    def send(self, code: str, sku: str, qty: int) -> None:
        with self.on(code) as term:
            other = next(loc for loc in sorted(set(TERMINALS.values())) if loc != term.location)
            transfer_out(self._actor(term), other, [TransferItem(product_by_sku(sku), Decimal(qty))])

    @rule(code=terminals)
    def book_in(self, code: str) -> None:
        with self.on(code) as term:
            waiting = Transfer.select().join(Location, on=Transfer.destination).where(
                (Location.code == term.location) & (Transfer.status != "received")).order_by(Transfer.id).first()
            if waiting is not None:
                transfer_in(self._actor(term), waiting)

    @rule()
    def book_in_twice(self) -> None:
        """A clerk error offline: both terminals of STORE1 book in the oldest transfer each sees waiting."""
        self.book_in("T1")
        self.book_in("T2")

    @rule()
    def everyone_syncs(self) -> None:
        """The shop's network is back: every terminal syncs once, in order."""
        for code in sorted(TERMINALS):
            self.sync(code, PLAIN)

    @rule(code=terminals, fault=st.sampled_from(FAULTS))
    def sync(self, code: str, fault: str) -> None:
        term = self.world.terms[code]
        self.stepping = True
        with term.use():
            if fault == CRASH_BEFORE_ACK:
                # Head office commits the batch; the terminal's deletion of its rows never does.
                with sync.connect(term.cfg.sync_url, term.cfg.sync_token) as client, db.atomic() as txn:
                    sync.push(client)
                    txn.rollback()
            else:
                transport = {LOSE_PUSH_ANSWER: lambda: LoseAnswer("/push"), LOSE_PULL_ANSWER: lambda: LoseAnswer("/pull"),
                             PUSH_TWICE: PushTwice}.get(fault, lambda: None)()
                had = OutboxEntry.select().count()
                result = sync.run_sync(term.cfg, transport=transport)
                if fault == LOSE_PUSH_ANSWER and had:
                    assert not result.ok and OutboxEntry.select().count() == had
                elif fault in (PLAIN, PUSH_TWICE):
                    assert result.ok, result.error
                    assert OutboxEntry.select().count() == 0 and only_second_bookings(result)
        self.syncs[fault] = self.syncs.get(fault, 0) + 1
        self.stepping = False

    # invariants

    @invariant()
    def nothing_is_lost(self) -> None:
        with at(self.world.hq.database):
            at_hq = {e.id for e in StockEvent.select(StockEvent.id)}
        for term in self.world.terms.values():
            with term.use():
                mine = {e.id for e in StockEvent.select(StockEvent.id).where(StockEvent.terminal == term.code)}
                created = self.created.setdefault(term.code, set())
                created |= mine
                queued = {o.ref for o in OutboxEntry.select(OutboxEntry.ref)}
                refused = {a.ref for a in attention.open_items(attention.REJECTED)}
                assert refused <= created - mine - at_hq  # taken out of the ledger, kept under Needs attention
                lost = created - queued - at_hq - refused
                assert not lost, f"{term.code} lost events {sorted(lost)}"
                assert verify_levels() == []

    def teardown(self) -> None:
        try:
            if not self.stepping:  # a failed step reports itself; do not bury it under a second error
                self.everyone_agrees()
        finally:
            self.world.close()

    def everyone_agrees(self) -> None:
        for _ in range(2):
            for term in self.world.terms.values():
                with term.use():
                    result = sync.run_sync(term.cfg)
                    assert result.ok, f"{term.code}: {result.error}"
                    assert OutboxEntry.select().count() == 0 and only_second_bookings(result)
        created: set[str] = set()
        levels: dict[str, dict] = {}
        for term in self.world.terms.values():
            with term.use():
                created |= {e.id for e in StockEvent.select(StockEvent.id).where(StockEvent.terminal == term.code)}
                levels[term.code] = _levels(term.location)
                assert verify_levels() == []
        with at(self.world.hq.database):
            assert StockEvent.select().count() == len(created)  # each event exactly once ...
            assert {e.id for e in StockEvent.select(StockEvent.id)} == created  # ... and all of them
            assert verify_levels() == []
            booked: dict[str, set[str]] = {}
            for e in StockEvent.select().where(StockEvent.kind == TRANSFER_IN):
                booked.setdefault(e.reference, set()).add(e.terminal)
            assert all(len(terminals) == 1 for terminals in booked.values()), booked  # each transfer once
            at_hq = {loc: _levels(loc) for loc in set(TERMINALS.values())}
        for code, mine in levels.items():
            assert mine == at_hq[TERMINALS[code]], f"{code} disagrees with head office"


def only_second_bookings(result: sync.SyncResult) -> bool:
    """Head office refused nothing but a transfer another terminal of the store had booked in first
    (both booked it in offline); those the terminal takes out of its own stock."""
    return all("already booked in by terminal" in r["reason"] for r in result.push.rejected)


def _levels(location: str) -> dict[tuple[str, str, str], Decimal]:
    rows = (StockLevel.select(StockLevel, Product.sku).join(Product).switch(StockLevel).join(Location)
            .where(Location.code == location))
    return {(r.product.sku, r.bin, r.lot): r.on_hand for r in rows if r.on_hand}


# --- the tests ----------------------------------------------------------------------------------

def _run(template: Template, max_examples: int, steps: int) -> None:
    run_state_machine_as_test(lambda: Convergence(template), settings=settings(
        max_examples=max_examples, stateful_step_count=steps, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))


def test_terminals_and_head_office_converge_on_sqlite(tmp_path):
    _run(Template(tmp_path), max_examples=20, steps=25)


@pytest.mark.postgres
def test_terminals_and_head_office_converge_on_postgres(tmp_path, postgres_url):
    _run(Template(tmp_path, postgres_url), max_examples=8, steps=25)
