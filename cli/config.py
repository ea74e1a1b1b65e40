"""Terminal settings: a TOML file in the platform's config dir, then environment, then flags.

    [terminal]
    code = "T01"
    location = "STORE1"
    database = "/var/lib/counter/store.db"   # default: the platform's data dir
    lang = "en"

    [sync]
    url = "http://127.0.0.1:8765"
    interval_seconds = 30

    [printing]  # see printing/README.md
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import platformdirs
import tomli_w

APP = "counter-oms"


DEMO_CONFIG = "demo.toml"


def config_path(*, demo: bool = False) -> Path:
    """COUNTER_CONFIG, else counter.toml in the platform's config dir. With `demo`, a machine where
    that file does not exist yet but `counter demo` wrote its demo.toml beside it gets the demo's
    config, so every command after the demo works on the demo's store and head office."""
    env = os.environ.get("COUNTER_CONFIG")
    own = Path(env) if env else Path(platformdirs.user_config_dir(APP)) / "counter.toml"
    if demo and not own.exists() and own.with_name(DEMO_CONFIG).exists():
        return own.with_name(DEMO_CONFIG)
    return own


def default_database() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "store.db"


@dataclass
class Config:
    terminal: str = "T01"
    location: str = "STORE1"
    database: str = field(default_factory=lambda: str(default_database()))
    lang: str = "en"
    sync_url: str = ""
    sync_token: str = ""
    sync_interval: int = 30
    sections: dict = field(default_factory=dict)  # everything else, e.g. [printing], [scan]
    path: Path | None = None

    def section(self, name: str) -> dict:
        return self.sections.get(name, {})

    def large_line(self) -> Decimal:
        """[limits] large_line: units in one sale line above which a supervisor approves."""
        from models.errors import DomainError
        from models.limits import LARGE_LINE, MAX_QUANTITY

        value = self.section("limits").get("large_line", LARGE_LINE)
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise DomainError(f"[limits] large_line = {value!r} in {self.path} is not a number.") from None
        if not 0 < number <= MAX_QUANTITY:
            raise DomainError(f"[limits] large_line = {value!r} in {self.path} must be between 1 and "
                              f"{MAX_QUANTITY:,.0f}.")
        return number

    def save(self) -> Path:
        path = self.path or config_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = dict(self.sections)
        data["terminal"] = {"code": self.terminal, "location": self.location, "database": self.database,
                            "lang": self.lang}
        data["sync"] = {**data.get("sync", {}), "url": self.sync_url, "token": self.sync_token,
                        "interval_seconds": self.sync_interval}
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        path.chmod(0o600)  # it holds the sync token
        return path


def load(path: Path | None = None, **overrides: object) -> Config:
    """Read the file (if any), then COUNTER_* environment variables, then explicit overrides."""
    path = path or config_path()
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    term = data.get("terminal", {})
    sync = data.get("sync", {})
    cfg = Config(
        terminal=term.get("code", "T01"), location=term.get("location", "STORE1"),
        database=term.get("database", str(default_database())), lang=term.get("lang", "en"),
        sync_url=sync.get("url", ""), sync_token=sync.get("token", ""),
        sync_interval=int(sync.get("interval_seconds", 30)),
        sections={k: v for k, v in data.items()}, path=path,
    )
    env = {"terminal": "COUNTER_TERMINAL", "location": "COUNTER_LOCATION", "database": "COUNTER_DB",
           "lang": "COUNTER_LANG", "sync_url": "COUNTER_SYNC_URL"}
    for attr, var in env.items():
        if os.environ.get(var):
            setattr(cfg, attr, os.environ[var])
    for attr, value in overrides.items():
        if value is not None:
            setattr(cfg, attr, value)
    return cfg
