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

import anyio.from_thread
import orjson
import peewee
import swagger_ui_bundle
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from models import clock
from models.db import bind, db
from models.errors import PermissionDenied
from sync.wire import API, SERVER_TIME_HEADER, dumps

from . import auth, changelog, feed, hqclock, push
from .bearer import call_as
from .body import BodyLimit, TooLarge, inflate
from .changelog import CURSOR_PATTERN, Cursor
from .limits import Limits
from .models import TerminalCredential
from .orders import api as order_api
from .problems import Problem, documented, problem_response

log = logging.getLogger("counter.hq")
MAX_ITEMS = 5000  # items in one push (a terminal sends 200)


class EnrollRequest(BaseModel):
    token: str = Field(min_length=1, max_length=256, description="The one-time token `counter hq add-terminal` printed.",
                       examples=["Hq4v1H0W6xQ5o0w1fRk8m7Zb2Yc9Jd3E"])


class EnrollResponse(BaseModel):
    terminal: str
    location: str
    credential: str = Field(description="Long-lived bearer token; head office keeps only its hash.")
    server_time: str


class PushItem(BaseModel):
    kind: str = Field(max_length=16, description="stock_event | order | transfer | product")
    ref: str = Field(max_length=64, description="The event id, order number, transfer number or SKU.")
    payload: dict[str, Any] = Field(description="The document of its kind (sync/PROTOCOL.md); an item that "
                                                "does not read is rejected alone, with the reason.")


class PushRequest(BaseModel):
    items: list[PushItem] = Field(max_length=MAX_ITEMS, examples=[[{
        "kind": "stock_event", "ref": "0190a0b0-0000-7000-8000-000000000001",
        "payload": {"id": "0190a0b0-0000-7000-8000-000000000001", "location": "STORE1", "sku": "P1",
                    "quantity": "-1", "kind": "sale", "occurred_at": "2026-12-01T10:00:00.000000",
                    "terminal": "T01", "user": "1001"}}]])


class _Envelope(BaseModel):
    """What must read for a push to be taken at all: a list of items (each is read on its own)."""

    items: list[Any] = Field(max_length=MAX_ITEMS)


class Rejected(BaseModel):
    index: int = Field(description="Position of the item in the pushed batch.")
    ref: str
    kind: str
    reason: str
    conflict: bool = Field(description="True when the same id arrived before with different content.")


class PullPage(BaseModel):
    cursor: str
    more: bool
    changes: dict[str, list[dict[str, Any]]]
    counts: dict[str, int]


class PullResponse(PullPage):
    server_time: str


class PushResponse(BaseModel):
    accepted: list[str]
    rejected: list[Rejected]
    pull: PullPage | None = Field(None, description="The first pull page, when the push asked for it "
                                                   "with `pull_cursor`.")
    server_time: str


def _now() -> str:
    return clock.iso(hqclock.now()) + "Z"


def _first_page(cred: TerminalCredential, after: Cursor, limit: int) -> dict | None:
    """The pull page a push asked for; None if it cannot be built, so the committed batch is still
    answered (the terminal then pulls on its own)."""
    try:
        return feed.build_page(cred, after, limit)
    except Exception:
        log.exception("pull page after push failed", extra={"fields": {"terminal": cred.code}})
        return None


DOCS_ASSETS = "/docs-assets"
# Declares the terminal credential in the OpenAPI document; `as_terminal` does the checking, in the
# same worker-thread call as the work (auto_error=False: a missing header gets as_terminal's 401).
TERMINAL_BEARER = HTTPBearer(scheme_name="terminal", auto_error=False,
                             description="The terminal's credential, from POST /v1/enroll.")


def as_terminal(request: Request, func: Callable[..., Any], *args: Any) -> Any:
    """`func(cred, *args)` for the calling terminal (see `bearer.call_as`); 401 if its token is
    unknown or revoked."""
    return call_as(request, auth.authenticate, "Unknown or revoked terminal credential: enrol the terminal again.",
                   "terminal", func, *args)


async def _known_query(request: Request) -> None:
    """A query parameter the endpoint does not take is a mistake the caller should hear of (a
    misspelt `cursor` would otherwise restart a pull from the beginning). Async: no I/O, and a
    plain def would cost every request a trip to the thread pool."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = {param.alias for param in dependant.query_params}
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        names = ", ".join(repr(name[:30]) for name in unknown[:3])
        raise HTTPException(400, f"Unknown query parameter {names}: this endpoint takes "
                                 f"{', '.join(sorted(known)) or 'none'}.")


def _cursor(text: str | None) -> Cursor | None:
    try:
        return None if text is None else Cursor.parse(text)
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


class BindAndLog:
    """ASGI middleware: bind head office's database and clock for the request, stamp the response
    with head office's time, log one structured line per request.

    A plain ASGI wrapper, not `@app.middleware("http")`: that one runs the endpoint in a task of
    its own and streams the response through a queue, which cost more than a small request.
    """

    def __init__(self, app: Any, database: peewee.Database, now: Callable[[], dt.datetime]) -> None:
        self.app, self.database, self.now = app, database, now

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def stamped(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[SERVER_TIME_HEADER] = _now()
            await send(message)

        clock_token = hqclock.source.set(self.now)
        try:
            with bind(self.database):
                await self.app(scope, receive, stamped)
        finally:
            hqclock.source.reset(clock_token)
            log.info("request", extra={"fields": {
                "event": "request", "method": scope["method"], "path": scope["path"], "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "terminal": scope.get("state", {}).get("terminal")}})


def create_app(database: peewee.Database, *, now: Callable[[], dt.datetime] = hqclock.system_now,
               limits: Limits | None = None) -> FastAPI:
    """The API over `database`; `now` is head office's clock (a test may skew it); `limits` what a
    request may be (default from the environment, see `limits.py`)."""
    limits = limits or Limits.from_env()
    # Swagger UI from the swagger-ui-bundle package, not a CDN: head offices behind a firewall and
    # offline test machines still get working /docs.
    app = FastAPI(title="Counter OMS head office", version="1", docs_url=None, redoc_url=None,
                  dependencies=[Depends(_known_query)],
                  description="Head office: the sync API for counter terminals (sync/PROTOCOL.md) and order "
                              "intake for sales channels (README, 'Orders from channels'). Every refusal is an "
                              "RFC 9457 problem (application/problem+json).")
    app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title}: API",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png")

    # Outermost last: the body limit runs inside the binding, so a 413 is stamped and logged too.
    app.add_middleware(BodyLimit, limit=limits.body_bytes)
    app.add_middleware(BindAndLog, database=database, now=now)

    @app.get("/health", responses=documented(400, 503))
    def health() -> dict:
        with db.connection_context():
            db.execute_sql("SELECT 1")
            held_back = changelog.backlog()
        engine = "postgresql" if isinstance(database, peewee.PostgresqlDatabase) else "sqlite"
        return {"status": "ok", "database": engine, "server_time": _now(), "held_back_changes": held_back}

    @app.post(f"{API}/enroll", response_model=EnrollResponse, responses=documented(400, 401, 413, 422, 503))
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

    @app.post(f"{API}/push", response_model=PushResponse, dependencies=[Security(TERMINAL_BEARER)],
              responses=documented(400, 401, 413, 422, 503),
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"$ref": "#/components/schemas/PushRequest"}}}}},
              description="Body: JSON `{items: [...]}`, normally with `Content-Encoding: gzip`. The credential "
                          "is checked before the body is read; the body (inflated) may be at most "
                          f"{limits.body_bytes // (1024 * 1024)} MB. Each item is taken or rejected on its own.")
    async def push_items(
        request: Request,
        pull_cursor: Annotated[str | None, Query(
            pattern=CURSOR_PATTERN,
            description="Also answer with the first pull page from this cursor (built after the batch "
                        "committed): a sync then needs one request instead of two.")] = None,
        pull_limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 500,
    ) -> Response:
        def apply(cred: TerminalCredential) -> tuple[push.PushOutcome, dict | None]:
            # Called once the credential is known good (an unknown caller's body is never read),
            # on the worker thread and connection that authenticated: the body is read from here.
            after = _cursor(pull_cursor)
            raw = anyio.from_thread.run(request.body)
            try:
                body = orjson.loads(inflate(raw, request.headers.get("content-encoding"), limits.body_bytes)
                                    or b"null")
                items = _Envelope.model_validate(body).items
            except ValidationError as exc:
                raise HTTPException(400, "A push body is a JSON object {items: [...]}: " + _fields(exc)) from None
            except ValueError as exc:  # not JSON, or not what its Content-Encoding says
                raise HTTPException(400, f"Unreadable push body: {str(exc)[:200]}") from None
            outcome = push.apply_batch(cred, items, limits)
            return outcome, None if after is None else _first_page(cred, after, pull_limit)

        outcome, page = await run_in_threadpool(as_terminal, request, apply)
        answer = outcome.as_dict() | ({"pull": page} if page is not None else {})
        # Serialised here: the response model documents the answer, validating it again costs.
        return Response(dumps(answer | {"server_time": _now()}), media_type="application/json")

    @app.get(f"{API}/pull", response_model=PullResponse, dependencies=[Security(TERMINAL_BEARER)],
             responses=documented(400, 401, 422, 503))
    async def pull(request: Request,
                   cursor: Annotated[str, Query(pattern=CURSOR_PATTERN,
                                                description="As the last page returned it; empty to start")] = "",
                   limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = 500) -> Response:
        def page(cred: TerminalCredential) -> bytes:
            after = _cursor(cursor) or Cursor()
            # Serialised here, not through the response model: validating thousands of documents
            # one field at a time would cost more than building the page. The schema still documents it.
            return dumps(feed.build_page(cred, after, limit) | {"server_time": _now()})

        return Response(await run_in_threadpool(as_terminal, request, page), media_type="application/json")

    @app.get(f"{API}/time", responses=documented(400))
    def server_time() -> dict:
        return {"server_time": _now()}

    app.include_router(order_api.router())
    _problem_handlers(app)
    _document_push(app)
    return app


def _fields(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                     for e in error.errors(include_url=False)[:5])


def _problem_handlers(app: FastAPI) -> None:
    """Every refusal as a problem; a busy or unreachable database as 503 with Retry-After."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(exc.status_code, str(exc.detail), server_time=_now(),
                                headers={**(exc.headers or {}), SERVER_TIME_HEADER: _now()})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "reason": str(e["msg"])[:200]}
                  for e in exc.errors()[:10]]
        return problem_response(422, "The request does not read: " + "; ".join(
            f"{e['field']}: {e['reason']}" for e in errors[:3]), errors=errors, server_time=_now(),
            headers={SERVER_TIME_HEADER: _now()})

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge) -> Response:
        return problem_response(413, str(exc), server_time=_now(), headers={SERVER_TIME_HEADER: _now()})

    @app.exception_handler(peewee.OperationalError)
    @app.exception_handler(peewee.InterfaceError)
    async def busy(request: Request, exc: Exception) -> Response:
        log.warning("database busy", extra={"fields": {"event": "database_busy", "error": str(exc)[:200]}})
        return problem_response(503, "Head office's database is busy: try again in a moment.", server_time=_now(),
                                headers={"Retry-After": str(RETRY_AFTER), SERVER_TIME_HEADER: _now()})


RETRY_AFTER = 1  # seconds a client waits before it asks again after a 503


def _document_push(app: FastAPI) -> None:
    """Put the push body's schemas into the document's components, where its $ref points."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        spec = build()
        schema = PushRequest.model_json_schema(ref_template="#/components/schemas/{model}")
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        components.update(schema.pop("$defs", {}))
        # The list is taken whatever its items are: each is read alone, and one that is no PushItem
        # is rejected in the answer with its reason, never the whole batch.
        schema["properties"]["items"]["items"] = {
            "anyOf": [{"$ref": "#/components/schemas/PushItem"}, {}],
            "description": "A PushItem; anything else is rejected alone (see `rejected`)."}
        components["PushRequest"] = schema
        components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
