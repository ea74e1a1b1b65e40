"""Structured logs: one JSON object per line on stderr, easy to ship and to grep."""

from __future__ import annotations

import json
import logging
import sys

from models import clock

from . import hqclock


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": clock.iso(hqclock.now()) + "Z", "level": record.levelname.lower(), "logger": record.name,
                 "msg": record.getMessage()}
        entry.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure(level: int = logging.INFO, stream: object = None) -> None:
    """Send `counter.hq` and uvicorn's own loggers through the JSON formatter (idempotent)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("counter.hq", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False
    # Requests are logged by the app's middleware, with the terminal's code; uvicorn's access
    # log would only repeat them without it.
    logging.getLogger("uvicorn.access").disabled = True
