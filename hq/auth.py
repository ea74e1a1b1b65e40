"""Terminal credentials: one-time enrolment tokens, long-lived bearer tokens, revocation.

Tokens are `cnt_` and 256 random bits (`secrets.token_urlsafe(32)`). Head office keeps only their SHA-256:
a slow hash (argon2) protects *guessable* secrets such as PINs; a 256-bit random token cannot be
guessed, so a fast hash is as safe and lets a request find its terminal with one indexed lookup
(no per-request key stretching, no scan). A leaked database therefore leaks no usable token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import peewee

from models.db import db
from models.errors import Conflict, DomainError, NotFound, PermissionDenied
from models.money import Money
from models.places import STORE, WAREHOUSE, Location, Terminal
from models.statements import Slot, Statement, as_model
from models.store import ensure_terminal

from . import hqclock
from .models import TerminalCredential

TOKEN_PREFIX = "cnt_"


def new_token() -> str:
    # The prefix keeps a token that starts with "-" from being read as a command-line option
    # (`counter enroll URL -Qx...`), and lets secret scanners recognise a leaked one.
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    # surrogatepass: any str hashes (a lone surrogate from JSON is an unknown token, not a crash).
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewTerminal:
    code: str
    location: str
    enroll_token: str


def _next_code() -> str:
    taken = {c.code for c in TerminalCredential.select(TerminalCredential.code)} | {
        t.code for t in Terminal.select(Terminal.code)}
    n = 1
    while f"T{n:02d}" in taken:
        n += 1
    return f"T{n:02d}"


def add_location(code: str, name: str = "", kind: str = STORE, currency: str = "EUR") -> Location:
    """A store or warehouse head office knows; the same code again with other settings is refused."""
    code, currency = code.strip(), currency.strip().upper()
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        raise DomainError(f"{code!r} is no location code: use letters, digits, - or _ (at most 32), e.g. STORE2.")
    if kind not in (STORE, WAREHOUSE):
        raise DomainError(f"A location is a {STORE} or a {WAREHOUSE}, not {kind!r}.")
    Money.zero(currency)  # refuses a currency that is not an ISO code
    with db.atomic():
        existing = Location.get_or_none(Location.code == code)
        if existing is not None:
            if (existing.kind, existing.currency) != (kind, currency):
                raise Conflict(f"{code} is already a {existing.kind} in {existing.currency}.")
            return existing
        return Location.create(code=code, name=name.strip() or code, kind=kind, currency=currency)


def add_terminal(location_code: str, code: str | None = None, *, create_location: bool = False) -> NewTerminal:
    """Register a terminal at a location; returns the one-time enrolment token (shown once). The
    location must exist (`add_location`) unless `create_location` (tests and first setups)."""
    location_code = location_code.strip()
    if not location_code:
        raise DomainError("Give the terminal's location code, e.g. --location STORE1.")
    if not create_location and Location.get_or_none(Location.code == location_code) is None:
        known = ", ".join(loc.code for loc in Location.select().order_by(Location.code)) or "none yet"
        raise NotFound(f"Head office knows no location {location_code} (known: {known}). Check the code, or "
                       f"add it first: counter hq add-location {location_code} --kind store --currency EUR")
    with db.atomic():
        code = (code or _next_code()).strip()
        if TerminalCredential.get_or_none(TerminalCredential.code == code):
            raise Conflict(f"Terminal {code} already exists: pick another code or revoke it first.")
        existing = Terminal.select(Terminal, Location).join(Location).where(Terminal.code == code).first()
        if existing is not None and existing.location.code != location_code:
            raise Conflict(f"Terminal {code} belongs to {existing.location.code}, not {location_code}.")
        ensure_terminal(code, location_code)
        token = new_token()
        TerminalCredential.create(code=code, location_code=location_code, enroll_hash=token_hash(token),
                                  created_at=hqclock.now())
    return NewTerminal(code, location_code, token)


def enroll(enroll_token: str) -> tuple[TerminalCredential, str]:
    """Exchange a one-time token for the long-lived credential (returned once, stored hashed)."""
    with db.atomic():
        cred = TerminalCredential.get_or_none(
            (TerminalCredential.enroll_hash == token_hash(enroll_token)) & TerminalCredential.revoked_at.is_null())
        if cred is None:
            raise PermissionDenied("This enrolment token is unknown, used or revoked: ask head office for a new one.")
        token = new_token()
        # Clearing the enrolment hash in the same transaction makes the token single-use even
        # if two terminals race with it: the second finds no row.
        updated = TerminalCredential.update(
            enroll_hash=None, token_hash=token_hash(token), enrolled_at=hqclock.now()).where(
            (TerminalCredential.id == cred.id) & (TerminalCredential.enroll_hash == token_hash(enroll_token))).execute()
        if not updated:
            raise PermissionDenied("This enrolment token was just used by another terminal.")
    return TerminalCredential.get_by_id(cred.id), token


LAST_SEEN_EVERY = dt.timedelta(minutes=1)


# Every request looks its terminal up: compiled once, bound per call. The location's id comes
# along (a pull needs it), saving a second lookup.
_by_token = Statement(lambda: TerminalCredential.select(
    TerminalCredential, Location.id.alias("location_row_id")).join(
    Location, peewee.JOIN.LEFT_OUTER, on=(Location.code == TerminalCredential.location_code)).where(
    (TerminalCredential.token_hash == Slot("hash")) & TerminalCredential.revoked_at.is_null()))


def authenticate(token: str) -> TerminalCredential | None:
    """The live credential of `token`, or None; its `location_id` is set (None if the location is gone)."""
    if not token:
        return None
    cursor = _by_token.execute(hash=token_hash(token))
    row = cursor.fetchone()
    cred = as_model(TerminalCredential, cursor, row) if row is not None else None
    if cred is not None:
        cred.location_id = row[-1]
        now = hqclock.now()
        # A write (and a commit waiting for the disk) on every request cost more than the request;
        # "last seen" to the minute is what an operator needs.
        if cred.last_seen_at is None or abs(now - cred.last_seen_at) >= LAST_SEEN_EVERY:
            TerminalCredential.update(last_seen_at=now).where(TerminalCredential.id == cred.id).execute()
    return cred


def revoke(code: str) -> TerminalCredential:
    cred = TerminalCredential.get_or_none(TerminalCredential.code == code.strip())
    if cred is None:
        raise NotFound(f"No terminal {code!r}: `counter hq list-terminals` shows them.")
    TerminalCredential.update(revoked_at=hqclock.now(), enroll_hash=None).where(
        TerminalCredential.id == cred.id).execute()
    return TerminalCredential.get_by_id(cred.id)


def list_terminals() -> list[TerminalCredential]:
    return list(TerminalCredential.select().order_by(TerminalCredential.location_code, TerminalCredential.code))
