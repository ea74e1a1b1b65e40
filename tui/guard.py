"""Unexpected errors: a line on the screen and the traceback in the log, never a crash.

A refused operation raises `DomainError`, which screens show as they are. Anything else is a bug
or the machine (a full disk, a broken printer driver): the clerk gets one line saying what
happened and where the details are, the open sale stays on the screen, and the app keeps running.
`Guarded` catches what a screen's or the app's message handlers and actions raise;
`CounterApp._handle_exception` catches failed workers, and parks open work before Textual must
close the app for an error inside one of its own widgets.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path
from typing import Any

import peewee

from models.db import db, store_problem
from models.errors import DomainError

from .i18n import _

log = logging.getLogger("counter.app")

# Tests turn this on, so a fault in a handler fails the test instead of becoming a notice.
STRICT = False


def open_log(path: Path) -> None:
    """Send the app's log to `path` (rotated: three files of 1 MB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path.resolve() for h in log.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def log_path() -> str:
    for handler in log.handlers:
        if isinstance(handler, logging.FileHandler):
            return handler.baseFilename
    return ""


def explain(error: BaseException) -> str:
    """What the clerk reads for an error: a refusal in the screen's language, anything else as a
    logged fault."""
    if isinstance(error, DomainError):
        return error.translated(_)
    if isinstance(error, peewee.DatabaseError):  # the store itself: full disk, locked, damaged
        log.error("store error", exc_info=(type(error), error, error.__traceback__))
        return store_problem(error, str(getattr(db.obj, "database", "") or "the store")).translated(_)
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    where = log_path()
    text = _("Something went wrong ({error}). Nothing was half-written and the open work is kept; "
             "tell a supervisor.").format(error=f"{type(error).__name__}: {error}"[:160])
    return f"{text} {_('Details: {path}').format(path=where)}" if where else text


class Guarded:
    """Mix into a Textual App or Screen: an exception from a handler or action of ours is shown and
    logged, and the screen goes on taking messages (Textual would stop its message loop and close)."""

    async def _dispatch_message(self, message: Any) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:
            if STRICT:
                raise
            app = self if hasattr(self, "screen_stack") else self.app  # type: ignore[attr-defined]
            app.bell()
            app.notify(explain(error), severity="error", timeout=15)
