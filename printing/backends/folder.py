"""The default "printer": files in a directory, so a demo or a dev machine prints somewhere you can open."""

from __future__ import annotations

import os
import re
from pathlib import Path

from printing.backends.base import Outgoing
from printing.errors import PrinterUnavailable


class FolderBackend:
    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory).expanduser()

    def describe(self) -> str:
        return f"folder {self.directory}"

    def path_for(self, job: Outgoing) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", job.title).strip("_")[:60] or "job"
        return self.directory / f"{safe}-{job.job_id}.{job.extension}"

    def send(self, job: Outgoing) -> None:
        target = self.path_for(job)
        if target.exists():
            return  # same job id already delivered: a resend after a crash must not duplicate it
        tmp = target.with_name(f".{target.name}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(job.data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)  # atomic: a viewer never opens half a file
        except OSError as exc:
            raise PrinterUnavailable(f"cannot write {target}: {exc}") from exc
