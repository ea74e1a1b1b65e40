"""What an import did (or would do), and the rejected-rows file a person fixes and imports again."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .columns import normalize
from .plan import CREATED, UNCHANGED, UPDATED, Change
from .reading import Table
from .rows import Rejection

IMPORTED, DRY_RUN, REFUSED = "imported", "dry_run", "refused"


@dataclass
class ImportReport:
    kind: str
    path: str
    encoding: str
    delimiter: str
    status: str  # imported | dry_run | refused (bad rows and no --skip-bad: nothing written)
    changes: list[Change]
    rejected: list[Rejection]
    ignored_columns: list[str] = field(default_factory=list)
    rejected_path: str | None = None
    reference: str = ""

    def _count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def updated(self) -> int:
        return self._count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def written(self) -> bool:
        return self.status == IMPORTED and (self.created + self.updated) > 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.path, "status": self.status, "encoding": self.encoding,
            "delimiter": self.delimiter, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "rejected_count": len(self.rejected),
            "rejected": [{"line": r.line, "reason": r.reason, "reasons": r.reasons} for r in self.rejected],
            "rejected_file": self.rejected_path, "ignored_columns": self.ignored_columns,
            "reference": self.reference,
            "changes": [
                {"line": c.line, "key": c.key, "action": c.action,
                 "fields": {k: [_plain(a), _plain(b)] for k, (a, b) in c.changed.items()}}
                for c in self.changes if c.action != UNCHANGED
            ],
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def rejected_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejected.csv")


def write_rejected(path: Path, table: Table, rejected: list[Rejection]) -> Path:
    """The bad rows as they were, plus a `reason` column, in UTF-8 with BOM (Excel opens it right).

    Fix the rows and import this file: the importer ignores its `reason` column.
    """
    target = rejected_path_for(path)
    # An input that is itself a rejected file already has a reason column: replace, don't add a second.
    keep = [i for i, name in enumerate(table.header) if normalize(name) != "reason"]
    with target.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=table.delimiter, quoting=csv.QUOTE_MINIMAL)
        writer.writerow([table.header[i].strip() for i in keep] + ["reason"])
        for rejection in rejected:
            cells = rejection.cells + [""] * (len(table.header) - len(rejection.cells))
            reason = f"line {rejection.line}: {rejection.reason}"
            # Values beyond the header (an unquoted delimiter) go after the reason, kept for the fix.
            writer.writerow([cells[i] for i in keep] + [reason] + cells[len(table.header):])
    return target
