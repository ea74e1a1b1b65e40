"""Several processes opening one new store file at the same moment all get it (the one SQLite
refuses while another switches the file to WAL opens again)."""

from __future__ import annotations

import threading
from pathlib import Path

from models.db import SqliteStore


def test_a_new_store_opened_by_several_at_once_opens_for_all(tmp_path: Path) -> None:
    # The race is short: many new files, four openers each, so a refusal that is not retried shows.
    failures: list[BaseException] = []
    for n in range(30):
        path = tmp_path / f"new{n}.db"
        barrier = threading.Barrier(4)

        def open_and_write(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            store = SqliteStore(path)
            barrier.wait(5)
            try:
                store.connect()
                store.execute_sql("CREATE TABLE IF NOT EXISTS note (text TEXT)")
                store.execute_sql("INSERT INTO note VALUES ('opened')")
            except BaseException as exc:  # reported below
                failures.append(exc)
            finally:
                store.close()

        threads = [threading.Thread(target=open_and_write) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        store = SqliteStore(path)
        assert store.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.execute_sql("SELECT count(*) FROM note").fetchone()[0] == 4
        store.close()
    assert failures == []
