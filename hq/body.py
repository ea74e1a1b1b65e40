"""Request bodies within a limit: counted while they stream in, gzip inflated with a bound.

`BodyLimit` is ASGI middleware: a request whose Content-Length is over the limit is answered 413
before a byte is read, and one that streams past it (chunked, or lying about its length) is cut
off there. An endpoint that never reads its body (a push whose credential is refused) reads
nothing at all. `inflate` never makes more than the limit out of a gzip body, whatever its ratio.
"""

from __future__ import annotations

import zlib
from typing import Any

from .problems import problem_response


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The body is larger than head office takes ({limit // (1024 * 1024)} MB): send "
                         "smaller batches.")
        self.limit = limit


class BodyLimit:
    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await problem_response(413, str(TooLarge(self.limit)))(scope, receive, send)
            return
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge(self.limit)
            return message

        await self.app(scope, limited, send)


def inflate(raw: bytes, encoding: str | None, limit: int) -> bytes:
    """The body as sent, or inflated if gzip; never more than `limit` bytes (TooLarge), and a
    ValueError for a body that is not what its Content-Encoding says."""
    coding = (encoding or "").strip().lower()
    if coding in ("", "identity"):
        return raw
    if coding != "gzip":
        raise ValueError(f"Content-Encoding {coding[:20]!r} is not taken: send gzip or nothing.")
    inflater = zlib.decompressobj(wbits=31)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise ValueError(f"the gzip body is damaged ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise TooLarge(limit)
    if not inflater.eof:
        raise ValueError("the gzip body ends before its end")
    return out
