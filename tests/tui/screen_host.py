"""A minimal App that shows one screen, the way the counter app would push it, for Pilot tests."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App
from textual.message import Message
from textual.screen import Screen

from tests.tui.counter_pilot import idle  # noqa: F401 - re-exported for the stock screen tests
from tui.messages import StockMessage


class ScreenHost(App[None]):
    """Pushes the screen `make_screen()` builds; counts bells; records the messages screens post up."""

    def __init__(self, make_screen: Callable[[], Screen]) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.bells = 0
        self.posted: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())

    def bell(self) -> None:
        # The terminal bell is the edge of the world: count it instead of ringing.
        self.bells += 1

    async def _on_message(self, message: Message) -> None:
        if isinstance(message, StockMessage):
            self.posted.append(message)
        await super()._on_message(message)
