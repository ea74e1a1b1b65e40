from __future__ import annotations

import datetime as dt

import pytest

from models import clock
from models.errors import DomainError, PermissionDenied
from models.people import authenticate, authorize, create_user


def test_pin_is_hashed_and_five_wrong_pins_lock_for_a_minute(store, monkeypatch):
    user = create_user("1001", "Ann", "1234")
    assert "1234" not in user.pin_hash and user.pin_hash.startswith("$argon2")
    for _ in range(4):
        with pytest.raises(PermissionDenied, match="tries left"):
            authenticate("1001", "0000")
    with pytest.raises(PermissionDenied, match="locked for one minute"):
        authenticate("1001", "0000")
    with pytest.raises(PermissionDenied, match="locked"):
        authenticate("1001", "1234")  # even the right PIN, while locked
    later = clock.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert authenticate("1001", "1234").name == "Ann"


def test_authorize_checks_role_and_pin_format(store):
    create_user("1001", "Ann", "1234")
    create_user("2001", "Sue", "2345", "supervisor")
    with pytest.raises(PermissionDenied, match="needs a supervisor"):
        authorize("1001", "1234", "supervisor")
    assert authorize("2001", "2345", "supervisor").code == "2001"
    with pytest.raises(DomainError, match="4 to 12 digits"):
        create_user("1002", "Bob", "12a")
