"""A throwaway PostgreSQL cluster for tests that need the real thing.

`postgres_url` (session scope) runs initdb into a temporary directory owned by `postgres`, starts the
server on a free loopback port, creates database `counter`, yields its URL and removes it all
afterwards. Tests are skipped, with the reason, only when the PostgreSQL binaries are absent.
Use `fresh_database(url)` for an empty database per test.
"""

from __future__ import annotations

import contextlib
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


def free_port() -> int:
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


def binaries_missing() -> str | None:
    """Why a cluster cannot be started here, or None."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return f"PostgreSQL binaries not found in {PG_BIN} (set COUNTER_PG_BIN)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as user postgres"
    return None


@contextlib.contextmanager
def cluster(*settings: str, database: str = "postgres", prefix: str = "counter-pg-") -> Iterator[str]:
    """Start a throwaway cluster on a free 127.0.0.1 port (extra `-c` settings, e.g. "fsync=off"),
    yield the URL of `database` (created unless it is "postgres"), stop and remove it afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    data, sockdir = root / "data", root / "sock"
    sockdir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockdir, "postgres")
    port = free_port()
    ctl = str(PG_BIN / "pg_ctl")
    options = " ".join([f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1", *(f"-c {s}" for s in settings)])
    try:
        _run(_as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"))
        _run(_as_postgres(ctl, "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60", "-o", options,
                          "start"))
        try:
            if database != "postgres":
                _run(_as_postgres(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                                  database))
            yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
        finally:
            subprocess.run(_as_postgres(ctl, "-D", str(data), "-m", "fast", "-w", "stop"),
                           capture_output=True, timeout=60)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    missing = binaries_missing()
    if missing:
        pytest.skip(missing)
    # Tests need a real server, not a durable one: fsync off keeps the suite fast.
    with cluster("fsync=off", database="counter") as url:
        yield url


def fresh_database(url: str) -> str:
    """Create an empty database on the cluster behind `url`; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name
