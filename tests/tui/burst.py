"""Send a whole keyboard-wedge burst at once, the way a scanner's bytes arrive in one terminal read.

``Pilot.press`` waits for the app to go idle after every key, which hides ordering bugs that only
show when many keys are queued together. ``scan_burst`` builds the same ``events.Key`` objects as
``App._press_keys`` (Textual 8.2) but posts them all to the app's queue before waiting once, so the
app dispatches them back to back, just like the driver does for one read of a real burst.
"""

from __future__ import annotations

import unicodedata

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.pilot import Pilot

from tui.widgets.scan_input import ScanInput

# What the xterm parser of Textual's driver produces for the control bytes a scanner sends.
_CONTROL_KEYS: dict[str, tuple[str, str | None]] = {
    "\r": ("enter", "\r"),
    "\n": ("ctrl+j", "\n"),
    "\t": ("tab", "\t"),
    "\x1d": ("ctrl+right_square_bracket", None),
    " ": ("space", " "),
}
_END_CHARS = {"enter": "\r", "ctrl+j": "\n", "tab": "\t", "": ""}


def key_event(char: str) -> events.Key:
    """The Key event the driver would produce for one character."""
    if char in _CONTROL_KEYS:
        key, character = _CONTROL_KEYS[char]
        return events.Key(key, character)
    if char.isalnum():
        return events.Key(char, char)
    key = _character_to_key(char)
    # Same round trip as App._press_keys, so the character matches what Pilot.press would send.
    try:
        character: str | None = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        character = char
    return events.Key(key, character)


def burst_events(text: str, end: str = "enter") -> list[events.Key]:
    """Key events for ``text`` followed by the end key ('enter', 'ctrl+j', 'tab' or '' for none)."""
    if end not in _END_CHARS:
        raise ValueError(f"end must be one of {sorted(_END_CHARS)}, got {end!r}")
    return [key_event(char) for char in text + _END_CHARS[end]]


async def scan_burst(pilot: Pilot, text: str, end: str = "enter") -> None:
    """Post every key of ``text`` (plus ``end``) at once, then wait until the app has handled them.

    ``text`` may itself hold "\\r", "\\n" or "\\t" to put several scans in one burst.
    """
    app = pilot.app
    for event in burst_events(text, end):
        event.set_sender(app)
        # App.post_message queues in order; App.on_event forwards each key to the focused widget.
        app.post_message(event)
    await settle(pilot)
    if not end:
        # No end key: a ScanInput puts what it collected into its value when its hold runs out.
        await pilot.pause(2 * ScanInput.HOLD_SECONDS)


async def settle(pilot: Pilot, max_rounds: int = 50) -> None:
    """Pause until the app and every widget on the screen have empty message queues.

    One ``pilot.pause()`` is not enough: keys hop app -> focused widget, and the messages they
    post bubble widget -> screen -> app, one queue per hop.
    """
    app = pilot.app
    for _ in range(max_rounds):
        await pilot.pause()
        pumps = [app, *app.screen.walk_children(with_self=True)]
        if all(pump._message_queue.empty() for pump in pumps):
            return
    raise AssertionError(f"app still busy after {max_rounds} pauses")
