"""Head office's order management: channels and their keys, channel orders with their review state,
holds, the timeline, allocations (the reservations), review and allocation rules, location setup,
safety stock, exchange rates, settings, idempotency records."""
import peewee


def up(migrator, db):
    class Base(peewee.Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Order(Base):
        class Meta:
            table_name = "order"

    class OrderLine(Base):
        class Meta:
            table_name = "order_line"

    class Location(Base):
        class Meta:
            table_name = "location"

    class Product(Base):
        class Meta:
            table_name = "product"

    class Channel(Base):
        code = peewee.CharField(unique=True, max_length=32)
        name = peewee.CharField(max_length=200, default="")
        key_hash = peewee.CharField(max_length=64, unique=True)
        shopify_secret = peewee.CharField(max_length=200, default="")
        risky = peewee.BooleanField(default=False)
        online_buffer = peewee.BigIntegerField(default=0)
        created_at = peewee.DateTimeField(null=True)
        revoked_at = peewee.DateTimeField(null=True)

    class ChannelExclusion(Base):
        channel = peewee.ForeignKeyField(Channel, backref="exclusions", on_delete="CASCADE")
        sku = peewee.CharField(max_length=64)

        class Meta:
            indexes = ((("channel", "sku"), True),)

    class ChannelOrder(Base):
        order = peewee.ForeignKeyField(Order, unique=True, backref="+", on_delete="CASCADE")
        channel = peewee.ForeignKeyField(Channel, backref="orders")
        channel_order_id = peewee.CharField(max_length=64)
        state = peewee.CharField(max_length=16, default="received", index=True)
        queue = peewee.CharField(max_length=16, default="")
        payment_status = peewee.CharField(max_length=16)
        service_level = peewee.CharField(max_length=32, default="standard")
        promised_at = peewee.DateTimeField(null=True)
        ship_to = peewee.TextField(default='{}')
        contact = peewee.TextField(default='{}')
        amount_reporting = peewee.BigIntegerField()
        received_at = peewee.DateTimeField(null=True, index=True)
        updated_at = peewee.DateTimeField(null=True)

        class Meta:
            indexes = ((("channel", "channel_order_id"), True),)

    class Allocation(Base):
        order = peewee.ForeignKeyField(Order, backref="+", on_delete="CASCADE")
        line = peewee.ForeignKeyField(OrderLine, backref="+", on_delete="CASCADE")
        location = peewee.ForeignKeyField(Location, backref="+")
        product = peewee.ForeignKeyField(Product, backref="+")
        quantity = peewee.BigIntegerField()
        state = peewee.CharField(max_length=16, default="reserved")
        cancel_requested = peewee.BooleanField(default=False)
        short_reason = peewee.CharField(max_length=32, default="")
        created_at = peewee.DateTimeField(null=True)
        updated_at = peewee.DateTimeField(null=True)

        class Meta:
            indexes = ((("product", "location", "state"), False), (("order", "line"), False),
                       (("location", "created_at"), False))

    class OrderEvent(Base):
        id = peewee.BigAutoField()
        order = peewee.ForeignKeyField(Order, backref="+", on_delete="CASCADE")
        at = peewee.DateTimeField(null=True)
        by = peewee.CharField(max_length=64, default="")
        kind = peewee.CharField(max_length=32)
        note = peewee.TextField(default="")
        data = peewee.TextField(default='{}')

        class Meta:
            table_name = "order_event"
            indexes = ((("order", "id"), False),)

    class OrderHold(Base):
        order = peewee.ForeignKeyField(Order, backref="+", on_delete="CASCADE")
        reason = peewee.CharField(max_length=32)
        detail = peewee.TextField(default="")
        rule_id = peewee.IntegerField(default=0)
        placed_at = peewee.DateTimeField(null=True)
        placed_by = peewee.CharField(max_length=64, default="")
        released_at = peewee.DateTimeField(null=True)
        released_by = peewee.CharField(max_length=64, default="")
        note = peewee.TextField(default="")

        class Meta:
            indexes = ((("order", "released_at"), False),)

    class ReviewRule(Base):
        position = peewee.IntegerField(default=100)
        kind = peewee.CharField(max_length=32)
        params = peewee.TextField(default='{}')
        enabled = peewee.BooleanField(default=True)

    class AllocationRuleRow(Base):
        channel = peewee.CharField(max_length=32, default="")
        position = peewee.IntegerField(default=100)
        name = peewee.CharField(max_length=100)
        locations = peewee.TextField(default='[]')
        split = peewee.BooleanField(default=False)
        split_min_value = peewee.BigIntegerField(default=0)
        when_unplaced = peewee.CharField(max_length=16, default="next")
        partial = peewee.BooleanField(default=False)
        enabled = peewee.BooleanField(default=True)

        class Meta:
            table_name = "allocation_rule"

    class LocationSetup(Base):
        location = peewee.ForeignKeyField(Location, unique=True, backref="+", on_delete="CASCADE")
        country = peewee.CharField(max_length=2, default="")
        postcode = peewee.CharField(max_length=16, default="")
        lat = peewee.DoubleField(null=True)
        lon = peewee.DoubleField(null=True)
        daily_capacity = peewee.IntegerField(null=True)
        fulfils = peewee.BooleanField(default=True)

    class SafetyStock(Base):
        location = peewee.ForeignKeyField(Location, backref="+", on_delete="CASCADE")
        product = peewee.ForeignKeyField(Product, backref="+", null=True, on_delete="CASCADE")
        quantity = peewee.BigIntegerField()

        class Meta:
            indexes = ((("location", "product"), True),)

    class ExchangeRate(Base):
        day = peewee.DateField()
        currency = peewee.CharField(max_length=3)
        rate = peewee.BigIntegerField()

        class Meta:
            indexes = ((("currency", "day"), True),)

    class HqSetting(Base):
        name = peewee.CharField(primary_key=True, max_length=64)
        value = peewee.TextField(default="")

    class IdempotencyRecord(Base):
        channel = peewee.ForeignKeyField(Channel, backref="+", on_delete="CASCADE")
        key = peewee.CharField(max_length=255)
        body_hash = peewee.CharField(max_length=64)
        status = peewee.IntegerField()
        response = peewee.TextField()
        created_at = peewee.DateTimeField(null=True)

        class Meta:
            indexes = ((("channel", "key"), True),)

    db.create_tables([Channel, ChannelExclusion, ChannelOrder, Allocation, OrderEvent, OrderHold, ReviewRule, AllocationRuleRow, LocationSetup, SafetyStock, ExchangeRate, HqSetting, IdempotencyRecord])


def down(migrator, db):
    for table in ("idempotency_record", "hq_setting", "exchange_rate", "safety_stock", "location_setup",
                  "allocation_rule", "review_rule", "order_hold", "order_event", "allocation", "channel_order",
                  "channel_exclusion", "channel"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
