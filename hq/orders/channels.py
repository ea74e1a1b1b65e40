"""Channels (web shops, marketplaces) and the API keys they send orders with.

A key is `chn_` and 256 random bits, shown once by `counter hq add-channel`; head office keeps its
SHA-256 only (as for terminal tokens, see hq/auth.py: a random key this long needs no slow hash).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from models.db import db
from models.errors import Conflict, DomainError, NotFound
from models.statements import Slot, Statement, as_model

from .. import hqclock
from ..auth import token_hash
from .tables import Channel, ChannelExclusion

KEY_PREFIX = "chn_"
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$")


@dataclass(frozen=True)
class NewChannel:
    code: str
    key: str


def _code(code: str) -> str:
    code = code.strip().upper()
    if not CODE.match(code):
        raise DomainError("{code!r} is no channel code: 1 to 20 letters, digits, - or _, e.g. WEB or SHOPIFY.",
                          code=code[:40])
    return code


def add_channel(code: str, name: str = "", *, shopify_secret: str = "", risky: bool = False,
                online_buffer: Decimal = Decimal(0)) -> NewChannel:
    """Register a channel; returns its API key, which is shown this once."""
    code = _code(code)
    if online_buffer < 0 or online_buffer > 10**6:
        raise DomainError("An online buffer is from 0 to 1,000,000 units.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with db.atomic():
        if Channel.get_or_none(Channel.code == code) is not None:
            raise Conflict("Channel {code} exists already: `counter hq new-channel-key {code}` gives it a new key.",
                           code=code)
        Channel.create(code=code, name=name.strip() or code, key_hash=token_hash(key),
                       shopify_secret=shopify_secret.strip(), risky=risky, online_buffer=online_buffer,
                       created_at=hqclock.now())
    return NewChannel(code, key)


def channel(code: str) -> Channel:
    found = Channel.get_or_none(Channel.code == code.strip().upper())
    if found is None:
        known = ", ".join(c.code for c in Channel.select().order_by(Channel.code)) or "none yet"
        raise NotFound("No channel {code!r} (known: {known}): add it with `counter hq add-channel {code}`.",
                       code=code.strip()[:40], known=known)
    return found


def new_key(code: str) -> NewChannel:
    """Replace a channel's key (the old one stops working at once)."""
    found = channel(code)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    Channel.update(key_hash=token_hash(key), revoked_at=None).where(Channel.id == found.id).execute()
    return NewChannel(found.code, key)


def revoke(code: str) -> None:
    found = channel(code)
    Channel.update(revoked_at=hqclock.now()).where(Channel.id == found.id).execute()


def authenticate(key: str) -> Channel | None:
    if not key:
        return None
    cursor = _by_key.execute(key_hash=token_hash(key))
    row = cursor.fetchone()
    return as_model(Channel, cursor, row) if row is not None else None


# Every channel request starts here.
_by_key = Statement(lambda: Channel.select(*Channel._meta.sorted_fields).where(
    (Channel.key_hash == Slot("key_hash")) & Channel.revoked_at.is_null()))


def exclude(code: str, skus: list[str], *, listed: bool = False) -> int:
    """Mark products as not sold on a channel (`listed`: sold again)."""
    found = channel(code)
    skus = [s.strip() for s in skus if s.strip()]
    with db.atomic():
        if listed:
            return ChannelExclusion.delete().where(
                (ChannelExclusion.channel == found) & ChannelExclusion.sku.in_(skus)).execute()
        for sku in skus:
            ChannelExclusion.insert(channel=found, sku=sku).on_conflict_ignore().execute()
    return len(skus)


def list_channels() -> list[Channel]:
    return list(Channel.select().order_by(Channel.code))
