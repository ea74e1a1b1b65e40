from __future__ import annotations

import pytest

from models import clock
from tests.tui.counter_data import FIXED_NOW, SCALE_RULE, seed
from tui.app import CounterApp
from tui.i18n import set_language


@pytest.fixture
def fixed_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: FIXED_NOW)
    return FIXED_NOW


@pytest.fixture
def counter_store(store, fixed_clock):
    seed()
    return store


@pytest.fixture
def make_app(counter_store, tmp_path):
    """Build the counter app on the seeded temp store; bells are counted, not rung."""

    def build(lang: str = "en", **kwargs) -> CounterApp:
        kwargs.setdefault("status_interval", 0)
        kwargs.setdefault("variable_measure", [SCALE_RULE])
        return BellCountingApp("T01", lang=lang, data_dir=tmp_path / "data", **kwargs)

    yield build
    set_language("en")


class BellCountingApp(CounterApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1
