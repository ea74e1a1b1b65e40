"""A throwaway PostgreSQL cluster for tests that need the real thing.

`postgres_url` (session scope) runs initdb into a temporary directory owned by `postgres`, starts the
server on a free loopback port, creates database `counter`, yields its URL and removes it all
afterwards. Tests are skipped, with the reason, only when the PostgreSQL binaries are absent.
Use `fresh_database(url)` for an empty database per test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("COUNTER_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (set COUNTER_PG_BIN)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as user postgres")
    root = Path(tempfile.mkdtemp(prefix="counter-pg-"))
    data, sockdir = root / "data", root / "sock"
    sockdir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockdir, "postgres")
    port = _free_port()
    ctl = str(PG_BIN / "pg_ctl")
    try:
        _run(_as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"))
        _run(_as_postgres(ctl, "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60", "-o",
                          f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"))
        try:
            _run(_as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                              "counter"))
            yield f"postgresql://postgres@127.0.0.1:{port}/counter"
        finally:
            subprocess.run(_as_postgres(ctl, "-D", str(data), "-m", "immediate", "-w", "stop"),
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(url: str) -> str:
    """Create an empty database on the cluster behind `url`; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
