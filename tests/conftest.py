from __future__ import annotations

import pytest

from models.db import db
from models.store import open_store


@pytest.fixture
def store(tmp_path):
    """A migrated local store in a real file (`:memory:` would be per thread)."""
    database = open_store(tmp_path / "store.db")
    yield database
    database.close()
    db.initialize(None)


@pytest.fixture(autouse=True)
def _strict_app_errors(monkeypatch):
    """In tests a fault in a screen's handler fails the test; the app itself shows it and goes on."""
    from tui import guard

    monkeypatch.setattr(guard, "STRICT", True)
