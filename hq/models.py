"""Head-office-only tables: terminal credentials, the commit-ordered change log, refused pushes.

They bind to the same `db` proxy as the domain but are created by the head office's own migrations
(`hq/migrations`, history table `hq_schema_migration`), so a terminal's store never has them.
"""

from __future__ import annotations

import peewee

from models import clock
from models.db import BaseModel


class TerminalCredential(BaseModel):
    """A terminal allowed to sync. Only SHA-256 hashes of its tokens are kept (see PROTOCOL.md)."""

    code = peewee.CharField(unique=True, max_length=16)
    location_code = peewee.CharField(max_length=32)
    enroll_hash = peewee.CharField(max_length=64, null=True, unique=True)  # one-time, until used
    token_hash = peewee.CharField(max_length=64, null=True, unique=True)  # long-lived, after enrolment
    created_at = peewee.DateTimeField(default=clock.now)
    enrolled_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)
    last_seen_at = peewee.DateTimeField(null=True)


class ChangeLog(BaseModel):
    """One row per changed row of a synced table, written by triggers in the writer's transaction.

    `xid` is the writing transaction's id on PostgreSQL (0 on SQLite, whose writers are serial);
    the pull orders by (xid, id) and only reads below the oldest running transaction (see changelog.py).
    """

    id = peewee.BigAutoField()
    xid = peewee.BigIntegerField(default=0)
    entity = peewee.CharField(max_length=16)
    key = peewee.CharField(max_length=64)
    location_id = peewee.IntegerField(null=True)  # None: every terminal gets it

    class Meta:
        table_name = "change_log"
        # (entity, key, ...): "does this product change again later?" (feed.py) without a scan.
        indexes = ((("xid", "id"), False), (("entity", "key", "xid", "id"), False))


class PushRejection(BaseModel):
    """Something a terminal sent that head office refused, kept with its reason."""

    terminal = peewee.CharField(max_length=16)
    kind = peewee.CharField(max_length=32)
    ref = peewee.CharField(max_length=64, index=True)
    reason = peewee.TextField()
    payload = peewee.TextField()
    received_at = peewee.DateTimeField(default=clock.now)


HQ_MODELS: list[type[peewee.Model]] = [TerminalCredential, ChangeLog, PushRejection]
