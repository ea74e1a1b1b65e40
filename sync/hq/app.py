"""The head-office HTTP API (FastAPI). Stateless: everything that matters is in the database.

Every request binds the app's database for its own context (`models.db.bind`), so a head office can
run in a thread next to a terminal's store in one process (demo, tests).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Annotated, Any

import peewee
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from models import clock
from models.db import bind, db
from models.errors import PermissionDenied

from ..wire import API, SERVER_TIME_HEADER, dumps, read_body
from . import auth, changelog, feed, hqclock, push
from .changelog import Cursor
from .models import TerminalCredential

log = logging.getLogger("counter.hq")


class EnrollRequest(BaseModel):
    token: str = Field(description="The one-time token `counter hq add-terminal` printed.")


class EnrollResponse(BaseModel):
    terminal: str
    location: str
    credential: str = Field(description="Long-lived bearer token; head office keeps only its hash.")
    server_time: str


class PushItem(BaseModel):
    kind: str = Field(description="stock_event | order | transfer")
    ref: str = Field(description="The event id, order number or transfer number.")
    payload: dict[str, Any]


class PushRequest(BaseModel):
    items: list[PushItem]


class Rejected(BaseModel):
    index: int = Field(description="Position of the item in the pushed batch.")
    ref: str
    kind: str
    reason: str
    conflict: bool = Field(description="True when the same id arrived before with different content.")


class PushResponse(BaseModel):
    accepted: list[str]
    rejected: list[Rejected]
    server_time: str


class PullResponse(BaseModel):
    cursor: str
    more: bool
    changes: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]
    server_time: str


def _now() -> str:
    return clock.iso(hqclock.now()) + "Z"


def in_db(func: Any, *args: Any) -> Any:
    # The worker thread gets the request's context (and so its bound database) from anyio.
    with db.connection_context():
        return func(*args)


async def terminal(request: Request) -> TerminalCredential:
    """The calling terminal, from its bearer token; 401 if unknown or revoked."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    cred = await run_in_threadpool(in_db, auth.authenticate, token.strip()) if scheme.lower() == "bearer" else None
    if cred is None:
        raise HTTPException(401, "Unknown or revoked terminal credential: enrol the terminal again.",
                            headers={"WWW-Authenticate": "Bearer"})
    request.state.terminal = cred.code
    return cred


Terminal = Annotated[TerminalCredential, Depends(terminal)]


def create_app(database: peewee.Database, *, now: Callable[[], dt.datetime] = hqclock.system_now) -> FastAPI:
    """The API over `database`; `now` is head office's clock (a test may skew it)."""
    app = FastAPI(title="Counter OMS head office", version="1",
                  description="Sync API for counter terminals. The protocol is described in sync/PROTOCOL.md.")

    @app.middleware("http")
    async def bind_and_log(request: Request, call_next: Any) -> Any:
        started = time.perf_counter()
        clock_token = hqclock.source.set(now)
        try:
            with bind(database):
                response = await call_next(request)
            response.headers[SERVER_TIME_HEADER] = _now()
        finally:
            hqclock.source.reset(clock_token)
        log.info("request", extra={"fields": {
            "event": "request", "method": request.method, "path": request.url.path,
            "status": response.status_code, "ms": round((time.perf_counter() - started) * 1000, 1),
            "terminal": getattr(request.state, "terminal", None)}})
        return response

    @app.get("/health")
    def health() -> dict:
        with db.connection_context():
            db.execute_sql("SELECT 1")
            held_back = changelog.backlog()
        engine = "postgresql" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"
        return {"status": "ok", "database": engine, "server_time": _now(), "held_back_changes": held_back}

    @app.post(f"{API}/enroll", response_model=EnrollResponse)
    def enroll(body: EnrollRequest) -> dict:
        try:
            with db.connection_context():
                cred, token = auth.enroll(body.token)
        except PermissionDenied as exc:
            log.warning("enrol refused", extra={"fields": {"event": "enroll_refused"}})
            raise HTTPException(401, str(exc)) from None
        log.info("enrolled", extra={"fields": {"event": "enrolled", "terminal": cred.code,
                                               "location": cred.location_code}})
        return {"terminal": cred.code, "location": cred.location_code, "credential": token, "server_time": _now()}

    @app.post(f"{API}/push", response_model=PushResponse,
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": PushRequest.model_json_schema()}}}},
              description="Body: JSON `{items: [...]}`, normally with `Content-Encoding: gzip`.")
    async def push_items(request: Request, cred: Terminal) -> dict:
        try:
            body = PushRequest.model_validate(read_body(await request.body(), request.headers.get("content-encoding")))
        except (ValueError, OSError) as exc:
            raise HTTPException(400, f"Unreadable push body: {exc}") from None
        items = [item.model_dump() for item in body.items]
        try:
            outcome = await run_in_threadpool(in_db, push.apply_batch, cred, items)
        except push.Forbidden as exc:
            raise HTTPException(403, str(exc)) from None
        hook = getattr(request.app.state, "after_push", None)
        if hook is not None:
            await run_in_threadpool(hook, cred, outcome)
        return outcome.as_dict() | {"server_time": _now()}

    @app.get(f"{API}/pull", response_model=PullResponse)
    def pull(cred: Terminal, cursor: Annotated[str, Query(description="As the last page returned it; empty to start")] = "",
             limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 500) -> Response:
        try:
            after = Cursor.parse(cursor)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        with db.connection_context():
            page = feed.build_page(cred, after, limit)
        # Serialised here, not through the response model: validating thousands of documents one
        # field at a time would cost more than building the page. The schema still documents it.
        return Response(dumps(page | {"server_time": _now()}), media_type="application/json")

    @app.get(f"{API}/time")
    def server_time() -> dict:
        return {"server_time": _now()}

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail, "server_time": _now()}, status_code=exc.status_code,
                            headers={**(exc.headers or {}), SERVER_TIME_HEADER: _now()})

    return app
