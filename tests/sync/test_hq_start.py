"""Head office instances that start at the same moment on a new database: one migrates, the others
wait for it and find nothing left to do."""

from __future__ import annotations

import threading

from hq.server import HQ_HISTORY, connect_database, prepare


def test_instances_starting_together_migrate_once(hq_url):
    starts = 3
    barrier = threading.Barrier(starts)
    applied: list[list[str]] = []
    errors: list[BaseException] = []

    def start() -> None:
        database = connect_database(hq_url)
        try:
            barrier.wait(5)
            applied.append(prepare(database))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            database.close_all() if hasattr(database, "close_all") else database.close()

    threads = [threading.Thread(target=start) for _ in range(starts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(len(names) for names in applied)[:-1] == [0] * (starts - 1)  # one did the work
    database = connect_database(hq_url)
    with database.connection_context():
        for table in ("schema_migration", HQ_HISTORY):
            names = [row[0] for row in database.execute_sql(f"SELECT name FROM {table}").fetchall()]
            assert names and len(names) == len(set(names))
        assert prepare(database) == []
    database.close_all() if hasattr(database, "close_all") else database.close()
