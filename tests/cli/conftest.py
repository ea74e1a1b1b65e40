"""Run `counter` in-process against a store file and config under tmp_path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from models.db import db


@dataclass
class Counter:
    db_path: Path
    config_path: Path
    runner: CliRunner

    def run(self, *args: str, input: str | None = None, env: dict | None = None, db_arg: bool = True) -> Result:
        if db.obj is not None:
            db.obj.close()  # each command opens the store afresh, as a new process would
        prefix = ["--db", str(self.db_path)] if db_arg else []
        return self.runner.invoke(cli, [*prefix, *args], input=input, env=env, catch_exceptions=False)

    def json(self, *args: str, input: str | None = None, env: dict | None = None) -> dict:
        result = self.run(*args, "--json", input=input, env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def counter(tmp_path, monkeypatch) -> Counter:
    config = tmp_path / "conf" / "counter.toml"
    monkeypatch.setenv("COUNTER_CONFIG", str(config))
    for var in ("COUNTER_DB", "COUNTER_TERMINAL", "COUNTER_LOCATION", "COUNTER_USER", "COUNTER_LANG",
                "COUNTER_SYNC_URL"):
        monkeypatch.delenv(var, raising=False)
    yield Counter(tmp_path / "store.db", config, CliRunner())
    if db.obj is not None:
        db.obj.close()
    db.initialize(None)


@pytest.fixture
def shop(counter) -> Counter:
    """An initialised store STORE1 with terminal T01, clerk 1001 (PIN 1234) and supervisor 2001."""
    assert counter.run("init", "--terminal", "T01", "--location", "STORE1").exit_code == 0
    assert counter.run("user", "add", "1001", "Lena", "--pin-stdin", input="1234\n").exit_code == 0
    assert counter.run("user", "add", "2001", "Wang", "--role", "supervisor", "--pin-stdin",
                       input="2345\n").exit_code == 0
    return counter
