"""One import, end to end, in one transaction and one pass over the file when it can be.

The file is read a chunk at a time: each row is checked on its own, its key and barcodes are
staged in temporary tables (`staging`), and the chunk is planned against the store and written
while the import can still be kept. A key or barcode on two lines makes every copy wrong, and the
earlier copy may already be written; then everything written is rolled back and the file is read
twice: once to stage every key, once to check, plan and write each chunk knowing which lines
share one. A bad row with no `skip_bad` rolls the whole import back, so a file is written whole or
not at all. Memory stays that of one chunk whatever the size of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..db import db
from ..errors import DomainError
from ..places import Location, Terminal
from . import apply as applying
from . import columns, plan, reading, rows
from .reading import RawRow
from .report import DRY_RUN, IMPORTED, REFUSED, ImportReport, RejectedFile
from .rows import Rejection, shown
from .staging import BARCODE, KEY, Staging

CHUNK = 5000
Progress = Callable[[str, int, int | None], None]
Checked = list[tuple[RawRow, rows.Record, list[str]]]


def run_import(kind: str, path: str | Path, *, dry_run: bool = False, skip_bad: bool = False,
               encoding: str | None = None, terminal: str = "T01",
               user: str = applying.SYSTEM_USER, progress: Progress | None = None) -> ImportReport:
    """Import an old system's CSV of `kind` (products, prices, stock, customers).

    Every row is checked. With bad rows and no `skip_bad`, nothing is written (status "refused");
    with `skip_bad` the good rows are written and the bad ones go to FILE.rejected.csv. A dry run
    writes nothing at all (not even the rejected file). Importing the same content again changes
    nothing. Raises `reading.ImportFileError` when the file as a whole cannot be read.
    `progress(step, rows, total)` hears how far the import is: rows "written" (or "planned" when
    nothing will be written), with `total` None while the number of rows is not known yet; a file
    with a key on two lines is first "checked" whole, then planned with its total.
    """
    if kind not in columns.KINDS:
        raise DomainError("Cannot import {kind!r}: choose one of {kinds}.", kind=kind, kinds=', '.join(columns.KINDS))
    path = Path(path)
    try:
        table = reading.open_table(path, encoding, columns.recognizer(kind))
    except OSError as exc:
        raise DomainError("Cannot read {path}: {reason}.", path=path, reason=exc.strerror or exc) from None
    header = columns.map_header(kind, table.header, table.header_line)
    job = _Job(kind, table, header, dry_run, skip_bad, terminal, user, progress or (lambda *_: None))
    with db.atomic() as transaction:
        job.staged = Staging()
        try:
            job.start(path)
            with db.atomic() as optimistic:
                whole = job.single_pass()
                if not whole:
                    optimistic.rollback()
            if not whole:
                job.restart(path)
                job.two_passes()
            if table.changed():
                raise reading.ImportFileError(f"{path} changed while it was being imported; import it again.")
            job.report.status = DRY_RUN if dry_run else IMPORTED if job.writing else REFUSED
            if job.report.status != IMPORTED:
                transaction.rollback()  # nothing is written, whatever a chunk wrote or a read touched
        finally:
            job.staged.drop()
            job.close_rejected()
    return job.report


@dataclass
class _Job:
    kind: str
    table: reading.Table
    header: columns.HeaderMap
    dry_run: bool
    skip_bad: bool
    terminal: str
    user: str
    told: Progress

    def start(self, path: Path) -> None:
        term = Terminal.get_or_none(Terminal.code == self.terminal)
        default_location = Location.get_by_id(term.location_id) if term else None
        stock = self.kind == columns.STOCK
        self.place = plan.places(default_location) if stock else None
        # Only stock needs the content's hash, and before its first write: it names the count events.
        digest = self.table.digest(columns.canonical(self.kind)) if stock else ""
        self.ctx = plan.Context(digest, default_location)
        self.restart(path, first=True)

    def restart(self, path: Path, first: bool = False) -> None:
        """A fresh report and rejected file (and staged keys) for reading the file from the top."""
        if not first:
            self.close_rejected()
            self.staged.clear()
        reference = f"IMPORT-{self.ctx.digest[:12]}" if self.kind == columns.STOCK else ""
        self.report = ImportReport(kind=self.kind, path=str(path), encoding=self.table.encoding,
                                   delimiter=self.table.delimiter, ignored_columns=self.header.ignored,
                                   reference=reference)
        self.rejected_file = RejectedFile(path, self.table) if self.skip_bad and not self.dry_run else None
        self.writing = not self.dry_run

    def close_rejected(self) -> None:
        if self.rejected_file is not None:
            kept = self.rejected_file.close(keep=self.report.status == IMPORTED)
            self.report.rejected_path = str(kept) if kept else None

    def single_pass(self) -> bool:
        """Check, stage, plan and write chunk after chunk; False as soon as a key or barcode of a
        chunk is on another line too (what was written must then be rolled back)."""
        done = 0
        for chunk in self._chunks():
            checked = self._check(chunk)
            if self.staged.repeated(chunk[0].line):
                return False
            self._plan(checked, {})
            done += len(chunk)
            self.told(self._step, done, None)
        return True

    def two_passes(self) -> None:
        """Stage every key first, then plan each chunk knowing which of its lines share one."""
        total = 0
        for chunk in self._chunks():
            self._check(chunk)
            total += len(chunk)
            self.told("checked", total, None)
        self.staged.close_first_pass()
        done = 0
        for chunk in self._chunks():
            self._plan(self._check(chunk, stage=False), self.staged.shared(chunk[0].line, chunk[-1].line))
            done += len(chunk)
            self.told(self._step, done, total)
        if done != total:
            raise reading.ImportFileError(f"{self.table.path} changed while it was being imported; import it again.")

    @property
    def _step(self) -> str:
        return "written" if self.writing else "planned"

    def _chunks(self) -> Iterator[list[RawRow]]:
        chunk: list[RawRow] = []
        for raw in self.table.rows():
            chunk.append(raw)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def _check(self, chunk: list[RawRow], stage: bool = True) -> Checked:
        checked = []
        for raw in chunk:
            record, problems = rows.check(self.kind, raw, self.header, self.table)
            # A row bad on its own stages no key: it may be a misreading, and it is refused anyway.
            if stage and not problems:
                self.staged.add(raw.line, rows.key(record, self.place), list(getattr(record, "barcodes", {})))
            checked.append((raw, record, problems))
        return checked

    def _plan(self, checked: Checked, shared: dict[int, dict[tuple[str, str], str]]) -> None:
        """Plan a chunk against the store; write it while the import can still be kept."""
        records, rejections = [], []
        for raw, record, problems in checked:
            others = shared.get(raw.line)
            if others and not problems:
                # The same key twice: which line is right is a person's call, so every copy is refused.
                key = rows.key(record, self.place)
                lines = others.get((KEY, self.staged.key_text(key)))
                if lines:
                    problems.append(f"duplicate {rows.describe(self.kind, key)} (also on line {lines})")
                for code in getattr(record, "barcodes", {}):
                    if (BARCODE, code) in others:
                        problems.append(f"barcode {shown(code)} is also on line {others[(BARCODE, code)]}")
            if problems:
                rejections.append(Rejection(raw.line, problems, raw.cells))
            else:
                records.append(record)
        found = plan.build(self.kind, records, {raw.line: raw.cells for raw, _, _ in checked}, self.ctx)
        found.rejections = sorted(rejections + found.rejections, key=lambda r: r.line)
        self.writing = self.writing and (self.skip_bad or not found.rejections)
        if self.writing:
            applying.apply(self.kind, found, digest=self.ctx.digest, terminal_code=self.terminal,
                           user_code=self.user)
        if self.rejected_file is not None:
            self.rejected_file.write(found.rejections)
        self.report.count(found.changes, found.rejections)
