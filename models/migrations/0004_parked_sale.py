"""Parked counter sales, kept on disk so a parked sale survives a restart."""
import datetime as dt

import peewee


def up(migrator, db):
    class ParkedSale(peewee.Model):
        terminal = peewee.CharField(max_length=16, index=True)
        user = peewee.CharField(max_length=32)
        label = peewee.CharField(max_length=255, default="")
        payload = peewee.TextField()
        parked_at = peewee.DateTimeField(default=dt.datetime.now)

        class Meta:
            database = db
            table_name = "parked_sale"

    db.create_tables([ParkedSale])


def down(migrator, db):
    db.execute_sql("DROP TABLE IF EXISTS parked_sale")
