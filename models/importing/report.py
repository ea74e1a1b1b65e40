"""What an import did (or would do), and the rejected-rows file a person fixes and imports again."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .columns import normalize
from .plan import CREATED, UNCHANGED, UPDATED, Change
from .reading import Table
from .rows import Rejection

IMPORTED, DRY_RUN, REFUSED = "imported", "dry_run", "refused"


SHOWN = 1000  # changes and rejected rows a report keeps in full; the rest are counted


@dataclass
class ImportReport:
    """What an import did or would do: counts of every row, the first `SHOWN` changes and rejected
    rows in full (a file of any size makes a report of bounded size; the rejected file has them all)."""

    kind: str
    path: str
    encoding: str
    delimiter: str
    status: str = DRY_RUN  # imported | dry_run | refused (bad rows and no --skip-bad: nothing written)
    changes: list[Change] = field(default_factory=list)  # the first created or updated rows
    rejected: list[Rejection] = field(default_factory=list)  # the first rejected rows
    ignored_columns: list[str] = field(default_factory=list)
    rejected_path: str | None = None
    reference: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_count: int = 0

    def count(self, changes: list[Change], rejected: list[Rejection]) -> None:
        for change in changes:
            if change.action == UNCHANGED:
                self.unchanged += 1
                continue
            if change.action == CREATED:
                self.created += 1
            elif change.action == UPDATED:
                self.updated += 1
            if len(self.changes) < SHOWN:
                self.changes.append(change)
        self.rejected_count += len(rejected)
        self.rejected.extend(rejected[: max(0, SHOWN - len(self.rejected))])

    @property
    def written(self) -> bool:
        return self.status == IMPORTED and (self.created + self.updated) > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.path, "status": self.status, "encoding": self.encoding,
            "delimiter": self.delimiter, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "rejected_count": self.rejected_count,
            "rejected": [{"line": r.line, "reason": r.reason, "reasons": r.reasons} for r in self.rejected],
            "rejected_not_shown": self.rejected_count - len(self.rejected),
            "rejected_file": self.rejected_path, "ignored_columns": self.ignored_columns,
            "reference": self.reference,
            "changes": [
                {"line": c.line, "key": c.key, "action": c.action,
                 "fields": {k: [_plain(a), _plain(b)] for k, (a, b) in c.changed.items()}}
                for c in self.changes
            ],
            "changes_not_shown": self.created + self.updated - len(self.changes),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def rejected_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejected.csv")


class RejectedFile:
    """The bad rows as they were, plus a `reason` column, in UTF-8 with BOM (Excel opens it right),
    written as they are found. Fix the rows and import this file: the importer ignores its `reason`
    column. It takes the place of FILE.rejected.csv only when the import is kept (`keep`)."""

    def __init__(self, path: Path, table: Table) -> None:
        self.target = rejected_path_for(path)
        self._part = self.target.with_name(self.target.name + ".part")
        self._width = len(table.header)
        self._delimiter = table.delimiter
        # An input that is itself a rejected file already has a reason column: replace, don't add a second.
        self._keep = [i for i, name in enumerate(table.header) if normalize(name) != "reason"]
        self._header = [table.header[i].strip() for i in self._keep] + ["reason"]
        self._out: TextIO | None = None
        self._writer: Any = None

    def write(self, rejections: list[Rejection]) -> None:
        if not rejections:
            return
        if self._out is None:
            self._out = self._part.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._out, delimiter=self._delimiter, quoting=csv.QUOTE_MINIMAL)
            self._writer.writerow(self._header)
        for rejection in rejections:
            cells = rejection.cells + [""] * (self._width - len(rejection.cells))
            reason = f"line {rejection.line}: {rejection.reason}"
            # Values beyond the header (an unquoted delimiter) go after the reason, kept for the fix.
            self._writer.writerow([cells[i] for i in self._keep] + [reason] + cells[self._width:])

    def close(self, keep: bool) -> Path | None:
        """The rejected file's path if one was written and kept; otherwise nothing is left behind."""
        if self._out is None:
            return None
        self._out.close()
        self._out = None
        if keep:
            self._part.replace(self.target)
            return self.target
        self._part.unlink(missing_ok=True)
        return None
