"""One line under a stock screen's scan field: what just happened, or what went wrong and what to do."""

from __future__ import annotations

from textual.widgets import Static


class MessageLine(Static):
    DEFAULT_CSS = """
    MessageLine { height: auto; min-height: 1; padding: 0 1; }
    MessageLine.-error { color: $text; background: $error 40%; }
    MessageLine.-ok { color: $success; }
    """

    def say(self, text: str) -> None:
        self.remove_class("-error")
        self.add_class("-ok")
        self.update(text)

    def warn(self, text: str) -> None:
        """Show a problem and ring the bell, so a clerk looking at the goods hears it."""
        self.remove_class("-ok")
        self.add_class("-error")
        self.update(text)
        self.app.bell()

    @property
    def text(self) -> str:
        return str(self.render())
