"""Calling an endpoint's work as the caller its bearer token names (a terminal, a channel)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request

from models.db import db


def call_as(request: Request, authenticate: Callable[[str], Any], refusal: str, state: str,
            func: Callable[..., Any], *args: Any) -> Any:
    """`func(caller, *args)` for the caller `authenticate` finds by the bearer token, on one
    connection (run it on a worker thread, which gets the request's context, and so its bound
    database, from anyio). 401 with `refusal` if there is none; the caller's code goes into the
    request's state as `state`, for the request log.

    Authenticating and working in one worker-thread call, not a dependency's call and then the
    endpoint's, saves a thread hop and a pool checkout per request.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    with db.connection_context():
        caller = authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if caller is None:
            raise HTTPException(401, refusal, headers={"WWW-Authenticate": "Bearer"})
        setattr(request.state, state, caller.code)
        return func(caller, *args)
