"""Pilot steps the stock screen tests share: choose in a pick list, fill a fields dialog."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from tests.tui.screen_host import idle
from tui.dialogs.fields import FieldsDialog
from tui.dialogs.pick import PickDialog


async def choose(pilot, key: str) -> None:
    """Highlight the entry `key` in the open PickDialog and press Enter, as a clerk would."""
    await idle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PickDialog), f"expected a pick list, got {screen!r}"
    options = screen.query_one(OptionList)
    options.focus()
    options.highlighted = options.get_option_index(key)
    await pilot.press("enter")
    await idle(pilot)


async def fill(pilot, *values: str) -> None:
    """Type each value into the next input of the open dialog, Enter after each."""
    await idle(pilot)
    screen = pilot.app.screen
    assert screen.query(Input), f"expected a dialog with inputs, got {screen!r}"
    for value in values:
        focused = pilot.app.focused
        assert isinstance(focused, Input)
        focused.value = ""
        await pilot.press(*value) if value else None
        await pilot.press("enter")
        await idle(pilot)


def dialog_error(pilot) -> str:
    screen = pilot.app.screen
    assert isinstance(screen, FieldsDialog)
    return str(screen.query_one("#dialog-error").render())


async def steady(pilot) -> None:
    """Stop the cursor blinking and wait for workers, so a screenshot is the same every run."""
    await idle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await idle(pilot)
