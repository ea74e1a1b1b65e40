"""The one scan field every counter screen uses: keyboard-wedge scanners and typing alike.

Why not a plain ``Input``:
- Textual reports GS (0x1D, a scanner's FNC1) as ``ctrl+right_square_bracket`` with no
  character, so ``Input`` drops it and a GS1 lot would swallow every field after it.
- A scanner ends with CR (``enter``), LF (``ctrl+j``) or TAB; tab would move focus away.
- ``Input`` submits through a binding, which runs on the app's queue *after* the key has bubbled
  up, while this widget keeps taking the next characters of a burst from its own queue. Two scans
  in one terminal read could then merge. Ending the scan inside this widget's own key handler keeps
  every character and every scan in order.
- ``Input`` takes a burst key by key: each one changes ``value``, runs its watchers, posts a
  ``Changed`` that bubbles up to the app and asks for a repaint. Painting half a code mid-burst also
  spends a frame, and Textual starts the next frame no sooner than 1/60 s later (often 2/60 s), so
  the scanned line would wait for it. So while keys arrive, characters collect in ``_typed`` and
  repaints are held; they go into the field when the scan ends, when an editing key comes (arrows,
  backspace) or ``HOLD_SECONDS`` after the last key. A whole scan ends with the field as empty as
  it began and needs no repaint at all; typed keys show a moment later.

Messages go up only: the widget interprets the code (pure ``models.scan``) and posts
``ScanInput.Scanned``; the screen decides what to look up, show or ring.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive, var
from textual.timer import Timer
from textual.widgets import Input

from models.scan import Scan, ScanError, VariableMeasureRule, interpret

from ..i18n import _

GS = "\x1d"
# Shown instead of the invisible, zero-width GS so the clerk sees it and the cursor stays right.
GS_SYMBOL = "\u241d"
END_KEYS = frozenset({"enter", "ctrl+j", "tab"})
GS_KEY = "ctrl+right_square_bracket"
_PASTE_ENDS = "\r\n\t"


class ScanInput(Input):
    """Single-line scan field. Posts one ``ScanInput.Scanned`` per scan, clears itself, keeps focus."""

    DEFAULT_CSS = """
    ScanInput.-scan-error {
        border: tall $error;
    }
    """

    ERROR_FLASH_SECONDS = 1.5
    HOLD_SECONDS = 0.02  # typed keys show this much later; too short for a person to notice
    _hold: _Hold | None = None  # a class default: Input.__init__ already refreshes
    _typed = ""  # characters of the burst not yet in ``value``

    # A steady cursor: every blink is a frame, and a scan that lands just after one waits up to two
    # frames for its line (see the hold below).
    cursor_blink = reactive(False, init=False)

    fnc1_standin: var[str | None] = var(None)
    """Text a wedge types in place of GS/FNC1 (e.g. "|" or "<GS>"); None when it can send GS."""

    class Scanned(Message):
        """One finished scan: ``scan`` when it reads, else ``error`` (clerk-readable)."""

        def __init__(
            self,
            raw: str,
            scan: Scan | None,
            error: str | None,
            *,
            scan_input: ScanInput | None = None,
        ) -> None:
            super().__init__()
            self.raw = raw
            self.scan = scan
            self.error = error
            self.scan_input = scan_input

        @property
        def control(self) -> ScanInput | None:
            """The ScanInput that sent it (for ``@on(ScanInput.Scanned, "#id")``)."""
            return self.scan_input

    def __init__(
        self,
        value: str | None = None,
        placeholder: str = "Scan or type a code",
        *,
        fnc1_standin: str | None = None,
        variable_measure: Sequence[VariableMeasureRule] | None = None,
        **kwargs: Any,
    ) -> None:
        # select_on_focus off: a scan arriving right after focus must not replace selected text.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(value, placeholder, **kwargs)
        self.fnc1_standin = fnc1_standin
        self.variable_measure: Sequence[VariableMeasureRule] | None = variable_measure
        self._error_timer: Timer | None = None

    # --- keys ------------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        # Runs before Input._on_key (MRO order); prevent_default() stops Input from seeing it.
        if self.has_class("-scan-error"):
            self._clear_error()
        self._hold_repaints()
        char = GS if event.key == GS_KEY else event.character
        if event.key not in END_KEYS and not (char and (char == GS or event.is_printable)):
            self._put_typed()  # an editing key (or a binding) acts on everything typed so far
            return
        event.stop()
        event.prevent_default()
        if event.key in END_KEYS:
            self.end_scan()
        else:
            self._typed += char

    def _on_paste(self, event: events.Paste) -> None:
        # Some wedges and remote sessions deliver a scan as a paste; Input would keep only line 1.
        event.stop()
        event.prevent_default()
        for char in event.text.replace("\r\n", "\n"):
            if char in _PASTE_ENDS:
                self.end_scan()
            elif char == GS or char.isprintable():
                self._typed += char
        self._put_typed()

    def _put_typed(self) -> None:
        """What was typed since the field last changed goes in at the cursor (over a selection)."""
        typed, self._typed = self._typed, ""
        if not typed:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(typed)
        else:
            self.replace(typed, *selection)

    def take_text(self) -> str:
        """Everything typed and not yet scanned (shown or still held), removed from the field: for
        a screen that decides those keys were meant for another field."""
        self._put_typed()
        text = self.value
        self.clear()
        return text

    # --- ending a scan ---------------------------------------------------------------------------

    def end_scan(self) -> None:
        """Finish the current scan: interpret, post Scanned, clear. Empty does nothing."""
        self._put_typed()
        raw = self.value
        # Clear first: keys still queued behind this one belong to the next scan.
        self.clear()
        self._release_repaints()
        if not raw.strip(" "):
            return
        try:
            scan = interpret(raw, fnc1_standin=self.fnc1_standin, variable_measure=self.variable_measure)
        except ScanError as exc:
            self._flash_error()
            self.post_message(self.Scanned(raw, None, exc.translated(_), scan_input=self))
        else:
            self.post_message(self.Scanned(raw, scan, None, scan_input=self))

    # --- holding repaints during a burst ---------------------------------------------------------

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if self._hold is not None and not recompose:
            self._hold.layout |= layout
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _hold_repaints(self) -> None:
        if self._hold is None:
            self._hold = _Hold(self.value, self.set_timer(self.HOLD_SECONDS, self._release_repaints))
        else:
            self._hold.timer.reset()

    def _release_repaints(self) -> None:
        self._put_typed()
        hold, self._hold = self._hold, None
        if hold is None:
            return
        hold.timer.stop()
        if self.value != hold.value:  # back where it began (a whole scan): nothing to repaint
            self.refresh(layout=hold.layout)

    async def action_submit(self) -> None:
        # Reached only if someone calls the action directly; keep one path for all submits.
        self.end_scan()

    def _flash_error(self) -> None:
        self.add_class("-scan-error")
        if self._error_timer is not None:
            self._error_timer.stop()
        self._error_timer = self.set_timer(self.ERROR_FLASH_SECONDS, self._clear_error)

    def _clear_error(self) -> None:
        self.remove_class("-scan-error")
        if self._error_timer is not None:
            self._error_timer.stop()
            self._error_timer = None

    # --- showing GS ------------------------------------------------------------------------------
    # Input renders self._value and places the cursor with _position_to_cell; both would count GS
    # as zero cells. Swap in a visible one-cell symbol for display only; the value keeps 0x1D.

    @property
    def _value(self) -> Text:
        text = super()._value
        if GS in text.plain and not self.password:
            text.plain = text.plain.replace(GS, GS_SYMBOL)
        return text

    def _position_to_cell(self, position: int) -> int:
        if GS not in self.value:
            return super()._position_to_cell(position)
        return cell_len(self.value[:position].replace(GS, GS_SYMBOL).expandtabs(4))


@dataclass
class _Hold:
    value: str  # what the field showed when the hold began
    timer: Timer
    layout: bool = False
