"""Cells a spreadsheet would run as formulas, made harmless on export and read back on import.

OWASP's advice on CSV injection: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
return is a formula to Excel or LibreOffice (a product named `=HYPERLINK(...)` imported from a
supplier's file would become a live link). `neutralise` puts an apostrophe in front, which the
spreadsheet shows as text; a plain number (`-5`, `+3.25`) is left alone, it cannot be a formula.
`restore` takes the apostrophe off again, so `counter import` of an exported file reads back
exactly what was exported; a value that itself began with apostrophes before such a character
gets one more on export, so that it too comes back unchanged.
"""

from __future__ import annotations

import re

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def neutralise(text: str) -> str:
    if _FORMULA.match(text) and not _NUMBER.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    if text.startswith("'") and _FORMULA.match(text) and not _NUMBER.match(text[1:]):
        return text[1:]
    return text
