"""The terminal half of sync: enrol, push the outbox, pull changes, remember where it got to.

Usable from any thread (a Textual worker, an APScheduler job): every entry point opens its own
connection with `db.connection_context()`, and `run_sync` never runs twice at once (a thread lock
inside the process, a file lock next to the store across processes).

The pieces are separable for tests and tools: `connect(url, token, transport=...)` gives an
`httpx.Client`; `push(client)` and `pull(client)` each do one half; `run_sync(cfg)` is both, plus
the bookkeeping.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import os
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import certifi
import httpx

from models import attention, clock
from models.bulk import delete_in
from models.catalog import Product
from models.db import db, file_lock
from models.hq import (
    CLOCK_OFFSET,
    CURSOR,
    LAST_ERROR,
    LAST_ERROR_AT,
    LAST_SYNC,
    get_state,
    set_state,
    set_states,
)
from models.ledger import withdraw
from models.outbox import OutboxEntry, pending_count
from models.places import Location, Terminal
from models.statements import Slot, Statement, chunks
from models.store import ensure_terminal

from .local import Applied, apply_page
from .wire import API, SERVER_TIME_HEADER, gzip_json, product_docs, read_body

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
PUSH_BATCH = 500  # items per request: fewer commits on both sides; a batch still answers in well under a second
PULL_PAGE = 2000  # log rows per page: fewer round trips; a page of documents stays around a megabyte

log = logging.getLogger("counter.sync")


class SyncConfig(Protocol):
    """What sync needs of `cli.config.Config` (sync never imports cli)."""

    terminal: str
    location: str
    sync_url: str
    sync_token: str

    def save(self) -> Path: ...


class SyncError(Exception):
    """Sync could not finish; nothing was lost (the outbox keeps what was not acknowledged)."""

    status: int | None = None

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(SyncError):
    """401: the credential is unknown or revoked."""


class ForbiddenError(SyncError):
    """403: the batch wrote for a location this terminal does not belong to."""


@dataclass
class PushResult:
    sent: int = 0
    accepted: int = 0
    rejected: list[dict] = field(default_factory=list)
    batches: int = 0
    first_page: tuple[dict, dt.datetime] | None = None  # the pull page the last batch brought back


@dataclass
class PullResult:
    pages: int = 0
    cursor: str = ""
    applied: Applied = field(default_factory=Applied)
    finished: bool = False  # the caller's `finish()` values were stored with the last page


@dataclass
class SyncResult:
    ok: bool
    skipped: bool = False
    error: str = ""
    push: PushResult = field(default_factory=PushResult)
    pull: PullResult = field(default_factory=PullResult)
    clock_offset: dt.timedelta = dt.timedelta(0)
    finished_at: dt.datetime | None = None


@dataclass
class EnrolResult:
    terminal: str
    location: str
    pull: PullResult


def _raw_now() -> dt.datetime:
    # Uncorrected: the offset is measured against this, not against the already-corrected clock.
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def connect(url: str, token: str = "", *, transport: httpx.BaseTransport | None = None,
            timeout: httpx.Timeout | float = TIMEOUT, terminal: str = "") -> httpx.Client:
    headers = {"User-Agent": f"counter-oms-terminal/{terminal or '?'}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout, transport=transport,
                        verify=_tls_context(), limits=httpx.Limits(keepalive_expiry=KEEP_ALIVE_S))


# An idle connection is kept this long, well inside uvicorn's 5 s: a connection head office is
# about to close is never reused (one it has closed is noticed and dropped before reuse).
KEEP_ALIVE_S = 2.0

_idle: dict[str, tuple[tuple, httpx.Client]] = {}  # terminal -> (what the client was made for, client)
_idle_guard = threading.Lock()


@contextlib.contextmanager
def _session(cfg: SyncConfig, transport: httpx.BaseTransport | None,
             timeout: httpx.Timeout | float) -> Iterator[httpx.Client]:
    """The client for one sync: the previous sync's, if it ended well, with its open connection.

    Syncing again within seconds (right after a sale, a busy store) then skips building a client
    and a TCP handshake on both sides. A sync that failed closes its client; a test's transport
    gets a client of its own every time. One client per terminal is kept: one made for another
    address or credential (the terminal enrolled again) is closed, not kept for ever.
    """
    if transport is not None:
        with connect(cfg.sync_url, cfg.sync_token, transport=transport, timeout=timeout,
                     terminal=cfg.terminal) as client:
            yield client
        return
    made_for = (cfg.sync_url, cfg.sync_token, repr(timeout))
    with _idle_guard:
        kept = _idle.pop(cfg.terminal, None)  # taken: one sync at a time uses it
    client = kept[1] if kept is not None and kept[0] == made_for else None
    if kept is not None and client is None:
        kept[1].close()
    if client is None:
        client = connect(cfg.sync_url, cfg.sync_token, timeout=timeout, terminal=cfg.terminal)
    try:
        yield client
    except BaseException:
        client.close()
        raise
    with _idle_guard:
        stale, _idle[cfg.terminal] = _idle.get(cfg.terminal), (made_for, client)
    if stale is not None:
        stale[1].close()


def close_idle() -> None:
    """Close the clients kept between syncs, and their connections (sync is stopping)."""
    with _idle_guard:
        kept = list(_idle.values())
        _idle.clear()
    for _, client in kept:
        client.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the CA bundle takes ~10 ms of CPU; a new client per sync would pay it every time.
    # One context serves every client (an SSLContext is safe to share between threads).
    return ssl.create_default_context(cafile=certifi.where())


def call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> tuple[dict, dt.datetime]:
    """One request; returns the JSON body and head office's time, and updates the clock offset."""
    for attempt in range(BUSY_RETRIES + 1):
        sent = _raw_now()
        try:
            response = client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SyncError(f"Head office unreachable at {client.base_url}: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code != 503 or attempt == BUSY_RETRIES:
            break
        # Busy: wait as long as it asks (within reason), then ask again; every request is idempotent.
        time.sleep(_retry_after(response))
    received = _raw_now()
    server_time = _server_time(response)
    if server_time is not None:
        # Head office stamped the time while we waited: assume halfway through the round trip.
        clock.set_offset(server_time - (sent + (received - sent) / 2))
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text[:200]
        error = {401: AuthError, 403: ForbiddenError}.get(response.status_code, SyncError)
        raise error(f"Head office said {response.status_code}: {detail}", response.status_code)
    try:
        return read_body(response.content, None), server_time or clock.now()
    except ValueError:
        raise SyncError(f"Head office sent something that is not JSON ({response.status_code}).") from None


BUSY_RETRIES = 3


def _retry_after(response: httpx.Response) -> float:
    try:
        return min(max(float(response.headers.get("retry-after", "1")), 0.1), 5.0)
    except ValueError:
        return 1.0


def _server_time(response: httpx.Response) -> dt.datetime | None:
    value = response.headers.get(SERVER_TIME_HEADER)
    try:
        return clock.parse(value) if value else None
    except ValueError:
        return None


class _Queued(NamedTuple):
    id: int
    kind: str
    ref: str
    payload: str


# Tuples from a compiled statement, not model instances: only these four columns travel.
_next_batch = Statement(lambda: OutboxEntry.select(OutboxEntry.id, OutboxEntry.kind, OutboxEntry.ref,
                                                   OutboxEntry.payload).where(OutboxEntry.id > Slot("after"))
                        .order_by(OutboxEntry.id).limit(Slot("limit")))


def push(client: httpx.Client, *, batch_size: int = PUSH_BATCH, max_batches: int | None = None,
         pull_cursor: str | None = None, page_size: int = PULL_PAGE) -> PushResult:
    """Send the outbox in id order; delete rows only once head office answered for them.

    A cut connection leaves the rows in place; sending them again is harmless because head office
    applies every item idempotently. Refused items move to the attention list. With ``pull_cursor``
    the last batch asks for the first pull page too (``result.first_page``): one request per sync.
    """
    result = PushResult()
    after = 0
    with db.connection_context():
        while max_batches is None or result.batches < max_batches:
            rows = [_Queued(*row) for row in _next_batch.execute(after=after, limit=batch_size).fetchall()]
            if not rows:
                break
            items = [{"kind": r.kind, "ref": r.ref, "payload": json.loads(r.payload)} for r in rows]
            last = len(rows) < batch_size or (max_batches is not None and result.batches + 1 == max_batches)
            params = ({"pull_cursor": pull_cursor, "pull_limit": page_size}
                      if last and pull_cursor is not None else None)
            try:
                body, server_time = call(client, "POST", f"{API}/push", content=gzip_json({"items": items}),
                                         params=params,
                                         headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
            except SyncError:
                OutboxEntry.update(attempts=OutboxEntry.attempts + 1).where(
                    OutboxEntry.id.in_([r.id for r in rows])).execute()
                raise
            accepted = set(body.get("accepted", []))
            rejected = {int(r["index"]): r for r in body.get("rejected", [])}
            with db.atomic():
                done = []
                for index, row in enumerate(rows):
                    refusal = rejected.get(index)
                    if refusal is not None:
                        # Head office's ledger decides: what it refused stops counting here too.
                        withdrawn = row.kind == "stock_event" and withdraw(row.ref)
                        note = " It no longer counts in this terminal's stock." if withdrawn else ""
                        attention.add(attention.REJECTED, row.ref,
                                      f"Head office refused {row.kind} {row.ref}: {refusal['reason']}{note}",
                                      row.payload)
                        result.rejected.append(refusal)
                        done.append(row.id)
                    elif row.ref in accepted:
                        result.accepted += 1
                        done.append(row.id)
                delete_in(OutboxEntry.id, done)
            result.sent += len(rows)
            result.batches += 1
            after = rows[-1].id
            if body.get("pull") is not None:
                result.first_page = (body["pull"], server_time)
    return result


def pull(client: httpx.Client, *, page_size: int = PULL_PAGE, max_pages: int | None = None,
         finish: Callable[[], dict[str, str]] | None = None,
         first_page: tuple[dict, dt.datetime] | None = None) -> PullResult:
    """Fetch and apply pages from the stored cursor until head office has no more.

    `finish()`, if given, is asked for sync-state values once the last page has arrived; they are
    written in that page's transaction (`result.finished` says they were), which saves the caller
    a commit of its own. `first_page` is the page a push brought back for the stored cursor.
    """
    result = PullResult()

    def fetch(cursor: str) -> tuple[dict, dt.datetime]:
        return call(client, "GET", f"{API}/pull", params={"cursor": cursor, "limit": page_size})

    # While a page is applied here, head office already builds the next one (its cursor is in the
    # page): the two halves overlap instead of taking turns. Pages are still applied one at a time,
    # in order, each with its cursor in its own transaction; a prefetched page whose predecessor
    # failed to apply is dropped.
    with db.connection_context(), ThreadPoolExecutor(1, thread_name_prefix="counter-pull") as ahead:
        result.cursor = get_state(CURSOR)
        page, server_time = first_page or fetch(result.cursor)
        while True:
            more = bool(page.get("more")) and (max_pages is None or result.pages + 1 < max_pages)
            upcoming = ahead.submit(fetch, page["cursor"]) if more else None
            also = finish() if upcoming is None and finish is not None else None
            try:
                result.applied.merge(apply_page(page, server_time, also=also))
            except BaseException:
                if upcoming is not None:
                    upcoming.cancel()
                raise
            result.cursor = page["cursor"]
            result.pages += 1
            if upcoming is None:
                result.finished = also is not None
                break
            page, server_time = upcoming.result()
    return result


_thread_locks: dict[object, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _store_lock() -> threading.Lock:
    # One lock per store, not per process: a process holding several stores (demo, tests, a
    # benchmark of many terminals) may sync them side by side.
    path = getattr(db.obj, "database", None)
    key = os.path.abspath(path) if isinstance(path, str) and path and path != ":memory:" else id(db.obj)
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())


@contextlib.contextmanager
def sync_lock() -> Iterator[bool]:
    """Yields False if another sync runs on this store (in this process or another one)."""
    _thread_lock = _store_lock()
    if not _thread_lock.acquire(blocking=False):
        yield False
        return
    try:
        with file_lock(".sync.lock", wait=False) as got:
            yield got
    finally:
        _thread_lock.release()


def run_sync(cfg: SyncConfig, *, transport: httpx.BaseTransport | None = None,
             timeout: httpx.Timeout | float = TIMEOUT) -> SyncResult:
    """Push, then pull; record the outcome in `SyncState`. Never raises for a network problem."""
    if not cfg.sync_url or not cfg.sync_token:
        return SyncResult(ok=False, error="This terminal is not enrolled: run `counter enroll URL TOKEN`.")
    with sync_lock() as got, db.connection_context():
        if not got:
            return SyncResult(ok=False, skipped=True, error="Another sync is running.")
        result = SyncResult(ok=False)

        def succeeded() -> dict[str, str]:
            # Every request is answered by now: the clock offset is final.
            result.finished_at, result.clock_offset = clock.now(), clock.get_offset()
            return _outcome(result, ok=True)

        try:
            with _session(cfg, transport, timeout) as client:
                result.push = push(client, pull_cursor=get_state(CURSOR))
                result.pull = pull(client, finish=succeeded, first_page=result.push.first_page)
        except SyncError as exc:
            result.error = str(exc)
        except Exception as exc:  # a background job has nobody to raise to: record it, log it
            log.exception("sync failed")
            result.error = f"{type(exc).__name__}: {exc}"
        else:
            result.ok = True
        if result.ok and result.pull.finished:
            return result  # recorded with the last page
        result.finished_at, result.clock_offset = clock.now(), clock.get_offset()
        with db.atomic():
            set_states(_outcome(result, ok=result.ok))
        return result


def _outcome(result: SyncResult, *, ok: bool) -> dict[str, str]:
    """The sync-state values that record how a sync ended."""
    offset = {CLOCK_OFFSET: str(int(result.clock_offset / dt.timedelta(microseconds=1)))}
    if ok:
        return offset | {LAST_SYNC: clock.iso(result.finished_at), LAST_ERROR: ""}
    return offset | {LAST_ERROR: result.error, LAST_ERROR_AT: clock.iso(result.finished_at)}


def share_catalogue(client: httpx.Client, batch_size: int = PUSH_BATCH) -> int:
    """Send the products this store has (a catalogue imported before it enrolled) to head office,
    which takes in those it does not know: what was sold of them is then accepted, not lost. Head
    office's own version of a product it knows stands. Returns how many were sent."""
    with db.connection_context():
        skus = [sku for (sku,) in Product.select(Product.sku).order_by(Product.sku).tuples()]
    for part in chunks(skus, batch_size):
        with db.connection_context():
            items = [{"kind": "product", "ref": doc["sku"], "payload": doc} for doc in product_docs(list(part))]
        body, _ = call(client, "POST", f"{API}/push", content=gzip_json({"items": items}),
                       headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        refused = body.get("rejected", [])
        if refused:
            with db.connection_context(), db.atomic():
                for refusal in refused:
                    attention.add(attention.REJECTED, str(refusal.get("ref", "")),
                                  f"Head office refused product {refusal.get('ref')}: {refusal.get('reason')}")
    return len(skus)


def enroll(url: str, token: str, cfg: SyncConfig, *, transport: httpx.BaseTransport | None = None,
           save: bool = True, timeout: httpx.Timeout | float = TIMEOUT) -> EnrolResult:
    """Trade a one-time token for this terminal's credential, save it, and pull the catalogue.

    The credential is saved before the first pull, so an interrupted pull resumes with `counter sync`.
    """
    with connect(url, transport=transport, timeout=timeout) as client:
        body, _ = call(client, "POST", f"{API}/enroll", json={"token": token.strip()})
    cfg.sync_url, cfg.sync_token = url.rstrip("/"), body["credential"]
    cfg.terminal, cfg.location = body["terminal"], body["location"]
    if save:
        cfg.save()
    with connect(cfg.sync_url, cfg.sync_token, transport=transport, timeout=timeout,
                 terminal=cfg.terminal) as client:
        share_catalogue(client)
        pulled = pull(client)
    with db.connection_context(), db.atomic():
        terminal = ensure_terminal(cfg.terminal, cfg.location)
        location = Location.get(Location.code == cfg.location)
        if terminal.location_id != location.id:
            Terminal.update(location=location).where(Terminal.id == terminal.id).execute()
        set_state(CLOCK_OFFSET, str(int(clock.get_offset() / dt.timedelta(microseconds=1))))
    return EnrolResult(cfg.terminal, cfg.location, pulled)


def status() -> dict:
    """Outbox size, cursor, last sync, last error, clock offset, open attention items."""
    with db.connection_context():
        offset = get_state(CLOCK_OFFSET)
        return {
            "outbox": pending_count(), "cursor": get_state(CURSOR), "last_sync_at": get_state(LAST_SYNC) or None,
            "last_error": get_state(LAST_ERROR) or None, "last_error_at": get_state(LAST_ERROR_AT) or None,
            "clock_offset_seconds": int(offset) / 1_000_000 if offset else 0.0,
            "attention": attention.open_count(),
        }
