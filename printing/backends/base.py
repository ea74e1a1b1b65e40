"""What a printer backend receives and the one method it implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    job_id: str  # unique per job: a backend may use it to make a resend harmless
    title: str
    data: bytes
    extension: str
    raw: bool  # ZPL/ESC-POS: the printer interprets the bytes, nothing may convert them


class Backend(Protocol):
    def send(self, job: Outgoing) -> None:
        """Deliver the bytes; raise ``PrinterUnavailable`` for anything worth retrying."""
        ...

    def describe(self) -> str: ...
