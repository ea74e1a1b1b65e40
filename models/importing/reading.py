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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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
    """A CSV file with its header found. The body rows are read from the file on each pass, so a
    file of any size costs the memory of one record."""

    path: Path
    header: list[str]
    header_line: int
    delimiter: str
    encoding: str
    stamp: tuple[int, int] = (0, 0)  # size and modification time when opened

    @property
    def decimal_comma(self) -> bool:
        # Spreadsheets in comma-decimal locales write `;`-separated files; a `,` file cannot use it.
        return self.delimiter != ","

    def rows(self) -> Iterator[RawRow]:
        """The non-blank rows after the header, in file order. Raises `ImportFileError` where the
        file stops making sense (a quote never closed is found at the end of the file)."""
        records = _records(self.path, self.encoding, self.delimiter)
        try:
            for record in records:
                if record.line > self.header_line:
                    yield record
        finally:
            records.close()

    def changed(self) -> bool:
        """Whether the file was written to since it was opened (the passes would not agree)."""
        return _stamp(self.path) != self.stamp

    def digest(self, header_key: Callable[[str], str] = str.strip) -> str:
        """The `Digest` of the whole file (one pass)."""
        digest = Digest(self.header, header_key)
        for row in self.rows():
            digest.add(row.cells)
        return digest.hexdigest()


class Digest:
    """A hash of the content, blind to encoding, delimiter, quoting, line ends and stray spaces, fed
    a row at a time. `header_key` turns a header name into the column it means, so that `Qty` and
    `quantity` agree.

    The bytes hashed are the JSON text of [header, row, row, ...] written out piece by piece: the
    digest earlier versions made holding the whole file, so stock imported by them is still known.
    """

    def __init__(self, header: list[str], header_key: Callable[[str], str] = str.strip) -> None:
        self._hash = hashlib.sha256(b"[")
        self._hash.update(json.dumps([header_key(c) for c in header], ensure_ascii=False).encode())

    def add(self, cells: list[str]) -> None:
        self._hash.update(b", ")
        self._hash.update(json.dumps([c.strip() for c in cells], ensure_ascii=False).encode())

    def hexdigest(self) -> str:
        digest = self._hash.copy()
        digest.update(b"]")
        return digest.hexdigest()


BLOCK = 1 << 20


def choose_encoding(path: Path, encoding: str | None = None) -> str:
    """The encoding the whole file reads in (checked a block at a time). An explicit one is the only
    one tried; otherwise UTF-16 by its BOM (Excel's "Unicode text"), else UTF-8, else GB18030."""
    if encoding:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFileError(f"Unknown encoding {encoding!r}: try utf-8, gb18030 or cp1252.") from None
        candidates: tuple[str, ...] = ("utf-8-sig",) if name == "utf-8" else (name,)
    else:
        with path.open("rb") as fh:
            start = fh.read(2)
        candidates = ("utf-16",) if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else AUTO_ENCODINGS
    first: tuple[int, str] | None = None
    for name in candidates:
        fault = _undecodable(path, name)
        if fault is None:
            return name
        first = first or fault
    assert first is not None
    line, byte = first
    tried = " or ".join(candidates)
    raise ImportFileError(
        f"the file is not {tried} text (byte 0x{byte} cannot be read); "
        "save it as UTF-8 or name its encoding with --encoding.", line)


def _undecodable(path: Path, name: str) -> tuple[int, str] | None:
    """(line, byte in hex) of the first byte `name` cannot read, or None when the whole file reads."""
    lines = 0
    with path.open("rb") as fh:
        if "16" in name or "32" in name:
            # A newline byte is part of other characters here: decode as a stream (the line is the
            # one after the newlines decoded before the fault).
            decoder = codecs.getincrementaldecoder(name)()
            while True:
                block = fh.read(BLOCK)
                try:
                    lines += decoder.decode(block, final=not block).count("\n")
                except UnicodeDecodeError as exc:
                    return lines + 1, exc.object[exc.start: exc.start + 1].hex()
                if not block:
                    return None
        # Blocks end at a line end, so no character is cut in two (no byte 0x0A is part of another
        # character in UTF-8, GB18030 or the single-byte encodings).
        while block := fh.read(BLOCK) + fh.readline():
            try:
                block.decode(name)
            except UnicodeDecodeError as exc:
                return lines + block[: exc.start].count(b"\n") + 1, block[exc.start: exc.start + 1].hex()
            lines += block.count(b"\n")
            name = "utf-8" if name == "utf-8-sig" else name  # a BOM only at the start
    return None


class _Lines:
    """The file's lines for the csv reader. Keeps the lines of the record being read and the parity
    of the quotes seen, to tell a quote left open at the end of the file."""

    def __init__(self, handle: TextIO) -> None:
        self.handle = handle
        self.current: list[str] = []
        self.quotes = 0

    def __iter__(self) -> Iterator[str]:
        for number, line in enumerate(self.handle):
            if number == 0:
                # A BOM survives decoding in encodings that do not expect one (GB18030 has its own form).
                line = line.removeprefix("\ufeff")
            self.quotes += line.count('"')
            self.current.append(line)
            yield line


def _records(path: Path, encoding: str, delimiter: str) -> Iterator[RawRow]:
    """Every non-blank record of the file, with the physical line it starts on."""
    with path.open(encoding=encoding, newline="") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, delimiter=delimiter, quotechar='"', doublequote=True, skipinitialspace=True)
        start, last_start = 1, 1
        last: list[str] = []
        try:
            for cells in reader:
                last, lines.current, last_start = lines.current, [], start
                if any(c.strip() for c in cells):
                    yield RawRow(start, [restore(cell) for cell in cells])
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFileError(f"the file cannot be split into values ({exc}).", start) from None
        # An odd number of quotes: the lenient reader may have swallowed the rest of the file into
        # the last record. Read that record strictly to tell it from a stray quote inside a value.
        if lines.quotes % 2 and last and _left_open("".join(last), delimiter):
            raise ImportFileError('a quote (") opened here is never closed; the rest of the file would be '
                                  "one value. Close or double the quote.", last_start)


def _left_open(record: str, delimiter: str) -> bool:
    try:
        list(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True, skipinitialspace=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def open_table(path: Path, encoding: str | None, recognizes: Callable[[str], bool]) -> Table:
    """The file's encoding, delimiter and header; the delimiter is the one that makes the header known.

    `recognizes` says whether a header name is one the import understands; the delimiter whose
    split of the first non-blank line gives the most recognised names wins (ties: the most columns).
    """
    stamp = _stamp(path)
    used = choose_encoding(path, encoding)
    with path.open(encoding=used, newline="") as handle:
        first = next((line for line in (ln.removeprefix("\ufeff") for ln in handle) if line.strip()), None)
    if first is None:
        raise ImportFileError("the file is empty.")

    def score(delimiter: str) -> tuple[int, int]:
        names = next(csv.reader([first], delimiter=delimiter, skipinitialspace=True), [])
        return sum(1 for n in names if recognizes(n)), len(names)

    delimiter = max(DELIMITERS, key=score)  # max() keeps the first on ties, and "," is first
    records = _records(path, used, delimiter)
    try:
        header = next(records)
    except StopIteration:
        raise ImportFileError("the file is empty.") from None
    finally:
        records.close()
    return Table(path=path, header=header.cells, header_line=header.line, delimiter=delimiter, encoding=used,
                 stamp=stamp)


def _stamp(path: Path) -> tuple[int, int]:
    found = path.stat()
    return found.st_size, found.st_mtime_ns
