"""CUPS through the ``lp`` command.

ZPL and ESC/POS must reach the printer untouched: ``-o raw`` (CUPS has deprecated raw queues
but ``lp -o raw`` still works where the queue exists). PDF goes through the normal filters.
"""

from __future__ import annotations

import subprocess

from printing.backends.base import Outgoing
from printing.errors import PrinterUnavailable


class CupsBackend:
    def __init__(self, printer: str, *, lp_command: str = "lp", timeout: float = 30.0) -> None:
        self.printer = printer
        self.lp_command = lp_command
        self.timeout = timeout

    def describe(self) -> str:
        return f"CUPS queue {self.printer}"

    def command(self, job: Outgoing) -> list[str]:
        args = [self.lp_command, "-d", self.printer, "-t", f"{job.title} [{job.job_id}]"]
        if job.raw:
            args += ["-o", "raw"]
        return args  # the document goes on stdin: no temporary file to clean up

    def send(self, job: Outgoing) -> None:
        try:
            result = subprocess.run(
                self.command(job), input=job.data, capture_output=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError as exc:
            raise PrinterUnavailable(f"{self.lp_command!r} not found: is CUPS installed?") from exc
        except subprocess.TimeoutExpired as exc:
            raise PrinterUnavailable(f"lp did not answer within {self.timeout:g}s", partial=True) from exc
        if result.returncode != 0:
            err = result.stderr.decode(errors="replace").strip() or f"exit status {result.returncode}"
            raise PrinterUnavailable(f"lp -d {self.printer} failed: {err}")
