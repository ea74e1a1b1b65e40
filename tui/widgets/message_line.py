"""The line under a scan field: what just happened, or what went wrong and what to do.

It changes on every scan, so it asks for a new layout of the screen (a millisecond or more of the
scan's frame) only when the new text needs a different number of lines.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine { width: 1fr; height: auto; min-height: 1; padding: 0 1; }
    MessageLine.-error { color: $text; background: $error 40%; }
    MessageLine.-ok { color: $success; }
    """

    def say(self, text: str) -> None:
        self.remove_class("-error")
        self.add_class("-ok")
        self._show(text)

    def warn(self, text: str) -> None:
        """Show a problem and ring the bell, so a clerk looking at the goods hears it."""
        self.remove_class("-ok")
        self.add_class("-error")
        self._show(text)
        self.app.bell()

    def _show(self, text: str) -> None:
        width, height = self.content_size
        lines = max(1, len(Text(text).wrap(self.app.console, width))) if width > 0 else 0
        self.update(text, layout=lines != height)

    @property
    def text(self) -> str:
        return str(self.render())
