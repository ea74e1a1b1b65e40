"""Who works the counter and who buys: users with hashed PINs and roles, and customers."""

from __future__ import annotations

import datetime as dt

import peewee
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from . import clock
from .db import BaseModel
from .errors import DomainError, PermissionDenied

CLERK, SUPERVISOR, MANAGER = "clerk", "supervisor", "manager"
ROLE_RANK = {CLERK: 0, SUPERVISOR: 1, MANAGER: 2}
MAX_PIN_ATTEMPTS = 5
LOCKOUT = dt.timedelta(minutes=1)

# A PIN is short, so its hash must be slow; these are argon2id's RFC 9106 low-memory settings.
_hasher = PasswordHasher()


class User(BaseModel):
    code = peewee.CharField(unique=True, max_length=32)  # typed or scanned from a badge
    name = peewee.CharField()
    role = peewee.CharField(max_length=16, default=CLERK)
    pin_hash = peewee.CharField()
    failed_attempts = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)
    active = peewee.BooleanField(default=True)
    discount_limit_pct = peewee.IntegerField(default=10)

    def at_least(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]


class Customer(BaseModel):
    code = peewee.CharField(unique=True, max_length=64)
    name = peewee.CharField()
    email = peewee.CharField(default="")
    phone = peewee.CharField(default="")
    segment = peewee.CharField(default="")
    created_at = peewee.DateTimeField(default=clock.now)


def hash_pin(pin: str) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 12):
        raise DomainError("A PIN is 4 to 12 digits.")
    return _hasher.hash(pin)


def create_user(code: str, name: str, pin: str, role: str = CLERK) -> User:
    if role not in ROLE_RANK:
        raise DomainError("Role {role!r} is not one of {roles}.", role=role, roles=', '.join(ROLE_RANK))
    return User.create(code=code, name=name, role=role, pin_hash=hash_pin(pin),
                       discount_limit_pct={CLERK: 10, SUPERVISOR: 30, MANAGER: 100}[role])


def authenticate(code: str, pin: str) -> User:
    """The user behind a code and PIN. Five wrong PINs lock that user for a minute."""
    user = User.get_or_none((User.code == code.strip()) & (User.active == True))  # noqa: E712
    if user is None:
        raise PermissionDenied("No user {code!r}. Type your user code or scan your badge again.", code=code)
    now = clock.now()
    if user.locked_until and user.locked_until > now:
        seconds = int((user.locked_until - now).total_seconds()) + 1
        raise PermissionDenied("{name} is locked after {attempts} wrong PINs: try again in {seconds} s.", name=user.name, attempts=MAX_PIN_ATTEMPTS, seconds=seconds)
    try:
        _hasher.verify(user.pin_hash, pin)
    except VerificationError:
        user.failed_attempts += 1
        left = MAX_PIN_ATTEMPTS - user.failed_attempts
        if left <= 0:
            user.failed_attempts = 0
            user.locked_until = now + LOCKOUT
            user.save()
            raise PermissionDenied("Wrong PIN. {name} is locked for one minute.", name=user.name) from None
        user.save()
        raise PermissionDenied("Wrong PIN. {left} tries left before a one-minute lock.", left=left) from None
    if user.failed_attempts or user.locked_until:
        user.failed_attempts = 0
        user.locked_until = None
        user.save()
    return user


def authorize(code: str, pin: str, role: str) -> User:
    """A supervisor's (or higher) approval at the counter: their PIN, and their role checked."""
    user = authenticate(code, pin)
    if not user.at_least(role):
        raise PermissionDenied("{name} is a {role}; this needs a {needed}.", name=user.name, role=user.role, needed=role)
    return user
