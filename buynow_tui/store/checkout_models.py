"""The checkout's tables (issue 15, migration m0009): addresses, saved cards, the
payment ledger and the mail outbox.

Kept beside `models.py` (which lists them in `MODELS`) so the checkout's schema reads in
one place. No card number or CVC has a column anywhere: a saved card is the gateway's
token, the brand, the last four digits and the expiry, and so is what an order keeps.
"""

from __future__ import annotations

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Check,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from buynow_tui.store.models import MODELS, BaseModel, Order, User, UTCDateTimeField


class Address(BaseModel):
    """One of a shopper's addresses; at most one per user is the default."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    name = CharField(max_length=50)
    line1 = CharField(max_length=60)
    line2 = CharField(max_length=60)
    city = CharField(max_length=40)
    region = CharField(max_length=30)
    postal_code = CharField(max_length=10)
    country = CharField(max_length=2)
    phone = CharField(max_length=20)
    is_default = BooleanField()
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "address"


class SavedCard(BaseModel):
    """A card kept for next time: what the gateway gave back, never the number."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    token = CharField(max_length=64, unique=True)
    brand = CharField(max_length=20)
    last4 = CharField(max_length=4)
    exp_month = IntegerField()
    exp_year = IntegerField()
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "saved_card"


class Payment(BaseModel):
    """One call to the gateway, keyed by its idempotency key: the same key is never
    sent for a second charge. `status` is "pending" while the call is out, then the
    gateway's answer ("approved", "declined", "insufficient_funds", "refunded")."""

    id = AutoField()
    idempotency_key = CharField(max_length=100, unique=True)
    kind = CharField(max_length=10)  # "charge" or "refund"
    order = ForeignKeyField(Order, null=True, on_delete="SET NULL")
    amount_cents = BigIntegerField(constraints=[Check("amount_cents >= 0")])
    currency = CharField(max_length=3)
    status = CharField(max_length=20)
    charge_id = CharField(max_length=64, null=True)
    brand = CharField(max_length=20)
    last4 = CharField(max_length=4)
    message = CharField(max_length=200)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "payment"


class OutboxMail(BaseModel):
    """An email waiting to go (or gone: `sent_at`), retried until the server takes it."""

    id = AutoField()
    key = CharField(max_length=100, unique=True)  # "receipt-<order>": one mail per order
    to_addr = CharField(max_length=254)
    subject = CharField(max_length=200)
    body = TextField()
    created_at = UTCDateTimeField()
    attempts = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    next_attempt_at = UTCDateTimeField(index=True)
    sent_at = UTCDateTimeField(null=True)
    last_error = CharField(max_length=200, default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        table_name = "outbox_mail"


CHECKOUT_MODELS: list[type[BaseModel]] = [Address, SavedCard, Payment, OutboxMail]
MODELS.extend(m for m in CHECKOUT_MODELS if m not in MODELS)
