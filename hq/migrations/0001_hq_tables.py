"""Head-office tables: terminal credentials, the change log and its triggers, refused pushes."""
import peewee


def up(migrator, db):
    from hq.changelog import backfill, install_triggers

    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class TerminalCredential(Base):
        code = peewee.CharField(unique=True, max_length=16)
        location_code = peewee.CharField(max_length=32)
        enroll_hash = peewee.CharField(max_length=64, null=True, unique=True)
        token_hash = peewee.CharField(max_length=64, null=True, unique=True)
        created_at = peewee.DateTimeField()
        enrolled_at = peewee.DateTimeField(null=True)
        revoked_at = peewee.DateTimeField(null=True)
        last_seen_at = peewee.DateTimeField(null=True)

        class Meta:
            table_name = "terminal_credential"

    class ChangeLog(Base):
        id = peewee.BigAutoField()
        xid = peewee.BigIntegerField(default=0)
        entity = peewee.CharField(max_length=16)
        key = peewee.CharField(max_length=64)
        location_id = peewee.IntegerField(null=True)

        class Meta:
            table_name = "change_log"
            indexes = ((("xid", "id"), False),)

    class PushRejection(Base):
        terminal = peewee.CharField(max_length=16)
        kind = peewee.CharField(max_length=32)
        ref = peewee.CharField(max_length=64, index=True)
        reason = peewee.TextField()
        payload = peewee.TextField()
        received_at = peewee.DateTimeField()

        class Meta:
            table_name = "push_rejection"

    db.create_tables([TerminalCredential, ChangeLog, PushRejection])
    backfill(db)
    install_triggers(db)
