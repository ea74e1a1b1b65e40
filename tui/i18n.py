"""Translations for the counter screens (minimal stand-in; the app shell extends it)."""

from __future__ import annotations


def _(message: str) -> str:
    """The message in the current language (for now, as written)."""
    return message
