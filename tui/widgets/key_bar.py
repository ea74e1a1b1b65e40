"""The keys of the screen at its foot, on as many rows as they need.

Textual's Footer keeps one row and cuts what does not fit: at 80x24 the Home screen lost F10 and
F12. A counter's keys must all be visible, so this footer packs them row by row, never splitting a
key from its label. It reuses Footer's subscription to the screen's bindings, so it redraws when
they change, and redraws when the terminal is resized.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer, Static

GAP = 2  # spaces between two keys on a row


class KeyBar(Footer):
    DEFAULT_CSS = """
    KeyBar {
        height: auto;
        max-height: 4;
        layout: vertical;
    }
    KeyBar > Static {
        width: 100%;
        height: auto;
        padding: 0 1;
    }
    """

    def _items(self) -> list[tuple[str, str]]:
        seen: set[str] = set()
        items = []
        active = self.screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            seen.add(binding.action)
            items.append((self.app.get_key_display(binding), binding.description))
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        if self.app.ENABLE_COMMAND_PALETTE and palette is not None:
            items.append((self.app.get_key_display(palette.binding), palette.binding.description))
        return items

    def rows(self, width: int) -> Text:
        """The keys packed into rows no wider than `width` (a key stays with its label)."""
        out = Text()
        used = 0
        for key, label in self._items():
            size = len(key) + 1 + Text(label).cell_len
            if used and used + GAP + size > width:
                out.append("\n")
                used = 0
            elif used:
                out.append(" " * GAP)
                used += GAP
            out.append(key, style="bold reverse")
            out.append(" " + label)
            used += size
        return out

    _width = 0

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._width = self.app.size.width
        yield Static(self.rows(max(self._width - 2, 20)))

    def on_resize(self, _event: events.Resize) -> None:
        if self.app.size.width != self._width:
            self.call_after_refresh(self.recompose)
