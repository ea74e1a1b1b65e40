"""Who is doing an operation, and where: passed to every domain operation."""

from __future__ import annotations

from dataclasses import dataclass

from .people import User
from .places import Location, Terminal


@dataclass(frozen=True)
class Actor:
    terminal: Terminal
    user: User

    @property
    def location(self) -> Location:
        return self.terminal.location
