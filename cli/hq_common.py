"""What every `counter hq` command shares: which head-office database, and opening it."""

from __future__ import annotations

import click

DEFAULT_DB = "hq.db"
db_option = click.option("--db", "db_url", envvar="COUNTER_HQ_DB",
                         help="Head office database: a SQLite file or postgresql://user@host:port/name "
                              f"(env COUNTER_HQ_DB; default {DEFAULT_DB}).")


def office_url(db_url: str | None) -> str:
    # `counter hq --db X add-terminal` and `counter hq add-terminal --db X` both work.
    parent = click.get_current_context().find_object(dict) or {}
    return db_url or parent.get("hq_db") or DEFAULT_DB


def open_office(db_url: str | None):
    from hq.server import open_hq
    from models.db import db

    database = open_hq(office_url(db_url))
    db.initialize(database)
    return database
