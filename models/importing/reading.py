"""Turning an old system's export into a header and rows, whatever its encoding, delimiter and quoting.

Line numbers are physical: the line on which a record starts, as an editor shows it (a value with a
newline inside quotes makes its record span several lines).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import DomainError
from .cells import restore

# Tried in order. GB18030 is a superset of GBK and GB2312; UTF-8 is tried first because valid UTF-8
# text with Chinese characters is very unlikely to be valid GB18030 as well, and the reverse is not so.
AUTO_ENCODINGS = ("utf-8-sig", "gb18030")
DELIMITERS = (",", ";", "\t", "|")


class ImportFileError(DomainError):
    """The file as a whole cannot be read (encoding, header, quoting): nothing was imported."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.reason = message


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: list[str]


@dataclass(frozen=True)
class Table:
    header: list[str]
    header_line: int
    rows: list[RawRow]
    delimiter: str
    encoding: str

    @property
    def decimal_comma(self) -> bool:
        # Spreadsheets in comma-decimal locales write `;`-separated files; a `,` file cannot use it.
        return self.delimiter != ","

    def digest(self, header_key: Callable[[str], str] = str.strip) -> str:
        """A hash of the content, blind to encoding, delimiter, quoting, line ends and stray spaces.

        `header_key` turns a header name into the column it means, so that `Qty` and `quantity` agree.
        """
        body = [[header_key(c) for c in self.header]] + [[c.strip() for c in r.cells] for r in self.rows]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text and the encoding it was read with. An explicit encoding is the only one tried."""
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFileError(f"Unknown encoding {encoding!r}: try utf-8, gb18030 or cp1252.") from None
        candidates: tuple[str, ...] = ("utf-8-sig",) if name == "utf-8" else (name,)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)  # Excel's "Unicode text" export
    else:
        candidates = AUTO_ENCODINGS
    first_error: UnicodeDecodeError | None = None
    for name in candidates:
        try:
            # A BOM survives decoding in encodings that do not expect one (GB18030 has its own form).
            return data.decode(name).removeprefix("\ufeff"), name
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    line = data[: first_error.start].count(b"\n") + 1
    byte = data[first_error.start: first_error.start + 1].hex()
    tried = " or ".join(candidates)
    raise ImportFileError(
        f"the file is not {tried} text (byte 0x{byte} cannot be read); "
        "save it as UTF-8 or name its encoding with --encoding.", line)


def _records(text: str, delimiter: str) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"',
                        doublequote=True, skipinitialspace=True)
    rows: list[RawRow] = []
    start = 1
    try:
        for cells in reader:
            rows.append(RawRow(start, [restore(cell) for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"the file cannot be split into values ({exc}).", start) from None
    return rows


def _unclosed_quote(text: str, rows: list[RawRow], delimiter: str) -> int | None:
    """The line of a quote never closed: the lenient reader swallows the rest of the file into it."""
    if not rows or text.count('"') % 2 == 0:
        return None
    tail = "".join(text.splitlines(keepends=True)[rows[-1].line - 1:]) if "\n" in text else text
    try:
        list(csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True,
                        skipinitialspace=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return rows[-1].line
    return None


def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def read_table(text: str, encoding: str, recognizes: Callable[[str], bool]) -> Table:
    """Split the text into a header and rows, choosing the delimiter that makes the header known.

    `recognizes` says whether a header name is one the import understands; the delimiter whose
    split of the first non-blank line gives the most recognised names wins (ties: the most columns).
    """
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise ImportFileError("the file is empty.")

    def score(delimiter: str) -> tuple[int, int]:
        names = next(csv.reader([first], delimiter=delimiter, skipinitialspace=True), [])
        return sum(1 for n in names if recognizes(n)), len(names)

    delimiter = max(DELIMITERS, key=score)  # max() keeps the first on ties, and "," is first
    rows = _records(text, delimiter)
    unclosed = _unclosed_quote(text, rows, delimiter)
    if unclosed is not None:
        raise ImportFileError('a quote (") opened here is never closed; the rest of the file would be '
                              "one value. Close or double the quote.", unclosed)
    rows = [r for r in rows if not _blank(r.cells)]
    header, body = rows[0], rows[1:]
    return Table(header=header.cells, header_line=header.line, rows=body, delimiter=delimiter,
                 encoding=encoding)
