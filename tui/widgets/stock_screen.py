"""What the four stock screens share: who is working (from the constructor or the app), the
language, and a scan field set up with the app's scanner settings."""

from __future__ import annotations

from typing import Any

from models.context import Actor
from tui.screens.base import CounterScreen
from tui.widgets.scan_input import ScanInput


class StockScreen(CounterScreen):
    """The app builds job screens with no arguments and keeps them installed, so the actor and the
    language fall back to the app's; tests and other hosts pass them in."""

    def __init__(self, actor: Actor | None = None, *, lang: str | None = None) -> None:
        super().__init__()
        self._actor = actor
        self._lang = lang

    @property
    def actor(self) -> Actor:
        actor = self._actor or getattr(self.app, "actor", None)
        if actor is None:
            raise RuntimeError("A stock screen needs a logged-in actor.")
        return actor

    @property
    def lang(self) -> str:
        return self._lang or getattr(self.app, "lang", "en")

    def make_scan_input(self, placeholder: str, **kwargs: Any) -> ScanInput:
        return ScanInput(placeholder=placeholder, fnc1_standin=getattr(self.app, "fnc1_standin", None),
                         variable_measure=getattr(self.app, "variable_measure", None), **kwargs)
