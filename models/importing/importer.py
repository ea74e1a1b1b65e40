"""One import, end to end: read, validate every row, plan against the store, write in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..db import db
from ..errors import DomainError
from ..places import Location, Terminal
from . import apply as applying
from . import columns, plan, reading, rows
from .report import DRY_RUN, IMPORTED, REFUSED, ImportReport, write_rejected


def run_import(kind: str, path: str | Path, *, dry_run: bool = False, skip_bad: bool = False,
               encoding: str | None = None, terminal: str = "T01",
               user: str = applying.SYSTEM_USER,
               progress: Callable[[str, int], None] | None = None) -> ImportReport:
    """Import an old system's CSV of `kind` (products, prices, stock, customers).

    Every row is checked first. With bad rows and no `skip_bad`, nothing is written (status
    "refused"); with `skip_bad` the good rows are written and the bad ones go to FILE.rejected.csv.
    A dry run writes nothing at all (not even the rejected file). Importing the same content again
    changes nothing. Raises `reading.ImportFileError` when the file as a whole cannot be read.
    `progress(step, rows)` hears of each step ("read", "checked", "planned", "written") as it ends.
    """
    told = progress or (lambda _step, _rows: None)
    if kind not in columns.KINDS:
        raise DomainError("Cannot import {kind!r}: choose one of {kinds}.", kind=kind, kinds=', '.join(columns.KINDS))
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DomainError("Cannot read {path}: {reason}.", path=path, reason=exc.strerror or exc) from None
    text, used = reading.decode(data, encoding)
    table = reading.read_table(text, used, columns.recognizer(kind))
    header = columns.map_header(kind, table.header, table.header_line)
    told("read", len(table.rows))
    records, rejected = rows.validate(kind, table, header)
    told("checked", len(table.rows))
    cells = {r.line: r.cells for r in table.rows}
    digest = table.digest(columns.canonical(kind))
    reference = f"IMPORT-{digest[:12]}" if kind == columns.STOCK else ""

    with db.atomic() as transaction:
        term = Terminal.get_or_none(Terminal.code == terminal)
        default_location = Location.get_by_id(term.location_id) if term else None
        found = plan.build(kind, records, cells, plan.Context(digest, default_location))
        told("planned", len(table.rows))
        rejected = sorted(rejected + found.rejections, key=lambda r: r.line)
        status = DRY_RUN if dry_run else REFUSED if rejected and not skip_bad else IMPORTED
        if status == IMPORTED:
            applying.apply(kind, found, digest=digest, terminal_code=terminal, user_code=user)
            told("written", len(table.rows))
        else:
            transaction.rollback()  # nothing is written, whatever a read may have touched

    report = ImportReport(kind=kind, path=str(path), encoding=used, delimiter=table.delimiter, status=status,
                          changes=found.changes, rejected=rejected, ignored_columns=header.ignored,
                          reference=reference)
    if rejected and status == IMPORTED:
        report.rejected_path = str(write_rejected(path, table, rejected))
    return report
