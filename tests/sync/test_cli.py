"""`counter hq add-terminal / list-terminals / revoke-terminal`, `counter enroll / sync / status`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import cli
from hq.server import serve_in_thread
from models.db import db
from tests import factories
from tests.sync.conftest import at


def test_the_shell_commands_enrol_sync_and_report(tmp_path, monkeypatch):
    hq_db = str(tmp_path / "hq.db")
    runner = CliRunner()
    place = runner.invoke(cli, ["hq", "--db", hq_db, "add-location", "STORE1", "--name", "Store One"])
    assert place.exit_code == 0, place.output
    added = runner.invoke(cli, ["hq", "--db", hq_db, "add-terminal", "--location", "STORE1", "--json"])
    assert added.exit_code == 0, added.output
    token = json.loads(added.output)["token"]
    hq = serve_in_thread(hq_db)
    try:
        with at(hq.database):
            factories.product("P1")
        monkeypatch.setenv("COUNTER_CONFIG", str(tmp_path / "counter.toml"))
        monkeypatch.setenv("COUNTER_DB", str(tmp_path / "store.db"))
        enrolled = runner.invoke(cli, ["enroll", hq.url, token])
        assert enrolled.exit_code == 0, enrolled.output
        assert "Enrolled as T01 at STORE1" in enrolled.output
        synced = runner.invoke(cli, ["sync", "--json"])
        assert synced.exit_code == 0 and json.loads(synced.output)["ok"] is True
        status = json.loads(runner.invoke(cli, ["status", "--json"]).output)
        assert status["enrolled"] and status["outbox"] == 0 and status["last_error"] is None
        assert status["cursor"] and status["last_sync_at"]
        listed = json.loads(runner.invoke(cli, ["hq", "list-terminals", "--db", hq_db, "--json"]).output)
        assert [(r["terminal"], r["state"]) for r in listed] == [("T01", "enrolled")]
        revoked = runner.invoke(cli, ["hq", "revoke-terminal", "--db", hq_db, "T01"])
        assert revoked.exit_code == 0, revoked.output
        failed = runner.invoke(cli, ["sync"])
        assert failed.exit_code == 1 and "401" in failed.output
        assert "401" in json.loads(runner.invoke(cli, ["status", "--json"]).output)["last_error"]
    finally:
        hq.stop()
        if db.obj is not None:
            db.obj.close()
        db.initialize(None)
