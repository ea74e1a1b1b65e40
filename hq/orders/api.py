"""The channels' door: order intake, an order's state, cancellation, availability, Shopify's webhook.

A channel authenticates with its API key as a bearer token (`counter hq add-channel` prints it
once). `POST /v1/orders` is idempotent twice over: the same channel order id is one order however
often it comes, and an `Idempotency-Key` replays the first answer (the same key with another body
is refused with 422). Refusals are RFC 9457 problems whose `errors` name each field or line.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Annotated, Any

import orjson
import peewee
from fastapi import APIRouter, Body, Header, HTTPException, Query, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field

from models.db import db
from models.errors import DomainError, NotFound, PermissionDenied
from models.orders import Order
from sync.wire import API, dumps

from ..bearer import call_as
from ..models import PushRejection
from ..problems import documented, problem_response
from . import channels, fulfilment, shopify, views
from .document import EXAMPLE, OrderDocument, Refused, read_document
from .intake import take_order
from .locking import write_transaction
from .tables import Channel, ChannelOrder, IdempotencyRecord

log = logging.getLogger("counter.hq")
CHANNEL_BEARER = HTTPBearer(scheme_name="channel", auto_error=False,
                            description="A channel's API key, from `counter hq add-channel NAME`.")


class CancelRequest(BaseModel):
    note: str = Field(min_length=1, max_length=500, examples=["Customer changed their mind"])


def as_channel(request: Request, func: Callable[..., Any], *args: Any) -> Any:
    return call_as(request, channels.authenticate, "Unknown or revoked channel key: ask head office for a key "
                   "(`counter hq add-channel NAME`).", "channel", func, *args)


def _refused(exc: DomainError) -> Response:
    errors = getattr(exc, "errors", None)
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied) else 422
    return problem_response(status, str(exc), errors=errors)


def _own(channel: Channel, number: str) -> str:
    """An order number of this channel's; another channel's orders are not found for it."""
    mine = (ChannelOrder.select(ChannelOrder.id).join(Order)
            .where((Order.number == number) & (ChannelOrder.channel == channel)).exists())
    if not mine:
        raise NotFound("No order {number!r} from channel {channel}.", number=number[:64], channel=channel.code)
    return number


def _take(channel: Channel, doc: OrderDocument, key: str | None, body_hash: str) -> tuple[int, bytes]:
    try:
        return _take_once(channel, doc, key, body_hash)
    except peewee.IntegrityError:
        # The same order (or key) was just taken by a request running beside this one, which has
        # committed (the unique index waited for it): taking it again finds it and answers it.
        return _take_once(channel, doc, key, body_hash)


def _take_once(channel: Channel, doc: OrderDocument, key: str | None, body_hash: str) -> tuple[int, bytes]:
    with write_transaction():
        if key:
            seen = IdempotencyRecord.get_or_none((IdempotencyRecord.channel == channel)
                                                 & (IdempotencyRecord.key == key))
            if seen is not None:
                if seen.body_hash != body_hash:
                    raise Refused([{"field": "header.Idempotency-Key",
                                    "reason": "this key was used with another body: use a new key for a new request"}])
                return seen.status, seen.response.encode()
        taken = take_order(channel, doc)
        status = 201 if taken.created else 200
        answer = dumps(taken.answer or views.taken_view(taken.order))
        if key:
            IdempotencyRecord.insert(channel=channel, key=key, body_hash=body_hash, status=status,
                                     response=answer.decode()).on_conflict_ignore().execute()
    return status, answer


async def _answer(request: Request, work: Callable[[Channel], bytes | tuple[int, bytes]]) -> Response:
    """Run `work` as the calling channel; its JSON (and status, default 200), or the refusal."""
    try:
        answer = await run_in_threadpool(as_channel, request, work)
    except DomainError as exc:
        return _refused(exc)
    status, body = answer if isinstance(answer, tuple) else (200, answer)
    return Response(body, status_code=status, media_type="application/json")


def router() -> APIRouter:
    api = APIRouter(tags=["orders"])

    @api.post(f"{API}/orders", status_code=201, dependencies=[Security(CHANNEL_BEARER)],
              responses={200: {"description": "This channel order id was taken before: that order."},
                         **documented(400, 401, 413, 422, 503)},
              summary="Take in a channel's order",
              description="Checks every line (SKU or GTIN known, quantity in the product's unit), the currency "
                          "(the reporting currency or one with an exchange rate), stores the order, reviews it and, "
                          "if no rule holds it, allocates and reserves it: all in one transaction. A refused order "
                          "stores nothing; `errors` names each line and reason.")
    async def post_order(request: Request, doc: Annotated[OrderDocument, Body(examples=[EXAMPLE])],
                         idempotency_key: Annotated[str | None, Header(max_length=255)] = None) -> Response:
        body_hash = hashlib.sha256(await request.body()).hexdigest()

        def work(channel: Channel) -> tuple[int, bytes]:
            return _take(channel, doc, idempotency_key, body_hash)

        return await _answer(request, work)

    @api.get(f"{API}/orders/{{number}}", dependencies=[Security(CHANNEL_BEARER)],
             responses=documented(400, 401, 404, 422), summary="An order with its timeline, holds and allocations")
    async def get_order(request: Request, number: str) -> Response:
        def work(channel: Channel) -> bytes:
            return dumps(views.order_view(_own(channel, number)))

        return await _answer(request, work)

    @api.post(f"{API}/orders/{{number}}/cancel", dependencies=[Security(CHANNEL_BEARER)],
              responses=documented(400, 401, 404, 422), summary="Cancel an order",
              description="At once for what no location has started on; for lines a location is picking, a "
                          "request that location answers (goods put back, or packed: it ships and comes back "
                          "as a return). The answer shows the order as it now stands.")
    async def cancel_order(request: Request, number: str, body: CancelRequest) -> Response:
        def work(channel: Channel) -> bytes:
            fulfilment.cancel(_own(channel, number), by=f"channel:{channel.code}", note=body.note)
            return dumps(views.order_view(number))

        return await _answer(request, work)

    @api.get(f"{API}/availability", dependencies=[Security(CHANNEL_BEARER)],
             responses=documented(400, 401, 403, 404, 422), summary="What a channel may sell of a product")
    async def availability(request: Request, sku: Annotated[str, Query(min_length=1, max_length=64)],
                           channel: Annotated[str | None, Query(max_length=20)] = None) -> Response:
        def work(caller: Channel) -> bytes:
            if channel and channel.strip().upper() != caller.code:
                raise PermissionDenied("This key is channel {code}'s: it asks for {code} only.", code=caller.code)
            return dumps(views.availability(sku, caller))

        return await _answer(request, work)

    @api.post(f"{API}/channels/{{code}}/shopify/orders-create", responses=documented(400, 401, 404, 413, 422),
              summary="Shopify's orders/create webhook",
              description="Point a Shopify store's `orders/create` webhook here, with the channel's Shopify secret "
                          "(`counter hq add-channel NAME --shopify-secret ...`). The body is verified against "
                          "`X-Shopify-Hmac-Sha256` before it is read. A verified order that cannot be taken is "
                          "answered 200 with `accepted: false` (Shopify would otherwise retry it for two days, then "
                          "drop the webhook) and kept with its reason for head office's staff.")
    async def shopify_order(request: Request, code: str,
                            x_shopify_hmac_sha256: Annotated[str | None, Header()] = None) -> Response:
        raw = await request.body()

        def work() -> tuple[int, bytes]:
            with db.connection_context():
                found = Channel.get_or_none((Channel.code == code.strip().upper()) & Channel.revoked_at.is_null())
                if found is None or not shopify.verify(found.shopify_secret, raw, x_shopify_hmac_sha256 or ""):
                    raise HTTPException(401, "Unknown channel, or the Shopify signature does not match its secret.")
                try:
                    payload = orjson.loads(raw)
                    if not isinstance(payload, dict):
                        raise ValueError("not an object")
                except ValueError as exc:
                    raise HTTPException(400, f"The webhook body is not a JSON object: {str(exc)[:100]}") from None
                document = shopify.order_document(payload)
                try:
                    taken = take_order(found, read_document(document), by=f"shopify:{found.code}")
                except DomainError as exc:
                    ref = document.get("channel_order_id") or "?"
                    PushRejection.create(terminal=f"channel:{found.code}", kind="shopify_order", ref=str(ref)[:64],
                                         reason=str(exc)[:2000], payload=raw.decode("utf-8", "replace")[:100_000])
                    log.warning("shopify order refused", extra={"fields": {"channel": found.code, "ref": ref}})
                    return 200, dumps({"accepted": False, "reason": str(exc)})
                return 200, dumps({"accepted": True, "number": taken.order.number, "created": taken.created})

        status, answer = await run_in_threadpool(work)
        return Response(answer, status_code=status, media_type="application/json")

    return api

