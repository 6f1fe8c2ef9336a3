"""The peewee models: the live description of the schema.

Migrations in `store/migrations/` build the same schema from checked-in SQL; a test
proves a migrated database matches these models exactly. Money is integer cents;
times are UTC. The schema itself keeps the data right: foreign keys, CHECKs on price,
stock and quantity, one line per product per cart or wishlist, one email and one SKU
regardless of case (unique indexes on lower(email) and lower(sku); both are ASCII by
validation, so SQL's lower() and Python's agree). Money columns are 64-bit (BIGINT on
PostgreSQL, whose INTEGER is 32-bit).
"""

from __future__ import annotations

from datetime import UTC
from typing import TYPE_CHECKING, Any

from peewee import (
    SQL,
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    Check,
    DatabaseProxy,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    fn,
)

database = DatabaseProxy()


class UTCDateTimeField(DateTimeField):
    """Stores naive UTC text; hands back aware UTC datetimes."""

    def db_value(self, value: Any) -> Any:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)  # type: ignore[no-untyped-call]

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)  # type: ignore[no-untyped-call]
        if value is not None and hasattr(value, "tzinfo") and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class User(BaseModel):
    id = AutoField()
    email = CharField(max_length=254)
    username = CharField(max_length=32)
    password_hash = CharField(max_length=100)
    question = CharField(max_length=40)
    answer_hash = CharField(max_length=100)
    created_at = UTCDateTimeField()
    consent_at = UTCDateTimeField(null=True)
    ship_address = TextField(null=True)
    is_admin = BooleanField(default=False)
    #: Up by one with each password change or reset: sessions of an older one end.
    credentials_version = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        table_name = "user"


User.add_index(User.index(fn.lower(User.email), unique=True, name="user_email_lower"))


class Product(BaseModel):
    id = AutoField()
    sku = CharField(max_length=64, unique=True)
    name = CharField(max_length=200, index=True)
    category = CharField(max_length=60)
    price_cents = BigIntegerField(constraints=[Check("price_cents >= 0")])
    stock = IntegerField(constraints=[Check("stock >= 0")])
    description = TextField(default="")
    specs = TextField(default="{}")  # JSON object of name -> value
    created_at = UTCDateTimeField()
    # The normalised search document (`store.search_text`), kept in step by every write;
    # SQLite's FTS5 table and PostgreSQL's tsvector column index it (migration m0005).
    search_name = TextField(default="", constraints=[SQL("DEFAULT ''")], index=True)
    search_category = TextField(default="", constraints=[SQL("DEFAULT ''")], index=True)
    search_body = TextField(default="", constraints=[SQL("DEFAULT ''")])
    search_tag = TextField(default="", constraints=[SQL("DEFAULT ''")])

    class Meta:
        table_name = "product"
        indexes = (
            (("category", "name", "id"), False),
            (("price_cents", "id"), False),
            (("category", "price_cents", "id"), False),
        )


class SearchWord(BaseModel):
    """Every word the search index holds (4+ characters, not all digits): what a typo
    may be corrected to. Words are added as products are written and never removed:
    a word left by a removed product only ever corrects a typo to a word that
    matches nothing more."""

    word = CharField(max_length=64, primary_key=True)

    class Meta:
        table_name = "search_word"


# One SKU regardless of case (SKUs are ASCII by validation, so every lower() agrees).
Product.add_index(Product.index(fn.lower(Product.sku), unique=True, name="product_sku_lower"))


class Cart(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, unique=True, on_delete="CASCADE")

    class Meta:
        table_name = "cart"


class CartLine(BaseModel):
    id = AutoField()
    cart = ForeignKeyField(Cart, backref="lines", on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")
    quantity = IntegerField(constraints=[Check("quantity >= 1 AND quantity <= 99")])
    added_at = UTCDateTimeField()

    class Meta:
        table_name = "cart_line"
        indexes = ((("cart", "product"), True),)


class Wishlist(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, unique=True, on_delete="CASCADE")

    class Meta:
        table_name = "wishlist"


class WishlistLine(BaseModel):
    id = AutoField()
    wishlist = ForeignKeyField(Wishlist, backref="lines", on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")
    added_at = UTCDateTimeField()

    class Meta:
        table_name = "wishlist_line"
        indexes = ((("wishlist", "product"), True),)


class Order(BaseModel):
    id = AutoField()
    user = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = UTCDateTimeField()
    subtotal_cents = BigIntegerField(constraints=[Check("subtotal_cents >= 0")])
    shipping_cents = BigIntegerField(constraints=[Check("shipping_cents >= 0")])
    total_cents = BigIntegerField(constraints=[Check("total_cents >= 0")])
    ship_address = TextField(default="")
    checkout_key = CharField(max_length=64, null=True, unique=True)
    # From m0006 (issue 14): the shopper's own number for it ("#1" is their first), its
    # state (`store.lifecycle.Status`) and, once shipped, how to track it.
    number = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    status = CharField(
        max_length=12,
        default="paid",
        constraints=[
            SQL("DEFAULT 'paid'"),
            Check("status IN ('placed', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')"),
        ],
    )
    carrier = CharField(max_length=20, null=True)
    tracking_number = CharField(max_length=40, null=True)
    tracking_url = CharField(max_length=100, null=True)
    # From m0009 (issue 15): the order's own copy of how it is delivered and paid
    # (its payment's progress is `status`; the gateway's answers are the `payment` table).
    delivery_option = CharField(
        max_length=20, default="standard", constraints=[SQL("DEFAULT 'standard'")]
    )
    card_brand = CharField(max_length=20, default="", constraints=[SQL("DEFAULT ''")])
    card_last4 = CharField(max_length=4, default="", constraints=[SQL("DEFAULT ''")])
    if TYPE_CHECKING:
        user_id: int  # peewee's column attribute for `user`

    class Meta:
        table_name = "orders"
        indexes = (
            (("user", "created_at"), False),
            (("user", "number"), True),
            (("status", "created_at"), False),
        )


class OrderLine(BaseModel):
    id = AutoField()
    order = ForeignKeyField(Order, backref="lines", on_delete="CASCADE")
    product = ForeignKeyField(Product, null=True, on_delete="SET NULL")
    sku = CharField(max_length=64)
    name = CharField(max_length=200)
    unit_price_cents = BigIntegerField(constraints=[Check("unit_price_cents >= 0")])
    quantity = IntegerField(constraints=[Check("quantity >= 1 AND quantity <= 99")])
    if TYPE_CHECKING:
        order_id: int
        product_id: int | None

    class Meta:
        table_name = "order_line"


class OrderEvent(BaseModel):
    """One change of an order's state, written in the transaction that made it.

    `user` is the order's shopper (not who made the change): the change feed reads a
    shopper's events by it (`store.feed`). `actor_kind` is "shopper", "admin" or
    "system"; `actor` names them (a username, the admin's login name); `note` says more
    (the carrier and tracking number, a reason).
    """

    id = AutoField()
    order = ForeignKeyField(Order, backref="events", on_delete="CASCADE", index=False)
    user = ForeignKeyField(User, on_delete="CASCADE", index=False)
    from_status = CharField(max_length=12, null=True)
    to_status = CharField(max_length=12)
    at = UTCDateTimeField()
    actor_kind = CharField(max_length=8)
    actor = CharField(max_length=64, default="")
    note = TextField(default="")
    if TYPE_CHECKING:
        order_id: int
        user_id: int

    class Meta:
        table_name = "order_event"
        indexes = (
            (("order", "id"), False),
            (("user", "id"), False),
        )


class CategoryCount(BaseModel):
    """How many products each category has, kept by triggers (migration 0010)."""

    category = CharField(max_length=60, primary_key=True)
    products = IntegerField()

    class Meta:
        table_name = "category_count"


class MigrationHistory(BaseModel):
    id = AutoField()
    name = CharField(max_length=100, unique=True)
    applied_at = UTCDateTimeField()

    class Meta:
        table_name = "migration_history"


class StoreMarker(BaseModel):
    """What the store knows about its own life, kept by the migration runner.

    Like `migration_history` the runner creates it and no migration drops it, so it
    survives a full downgrade: a database that once held a shop is never mistaken for a
    new one (and seeded with the demo catalog) however far it was taken down.
    """

    id = AutoField()
    name = CharField(max_length=100, unique=True)
    value = CharField(max_length=100)
    at = UTCDateTimeField()

    class Meta:
        table_name = "store_marker"


class RememberToken(BaseModel):
    """A Remember me token, kept only as its SHA-256; SSH key bindings live here too."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    kind = CharField(max_length=10, default="local")  # "local", "ssh" or "web"
    created_at = UTCDateTimeField()
    expires_at = UTCDateTimeField()

    class Meta:
        table_name = "remember_token"


class WebClient(BaseModel):
    """A browser the web front end knows, by the SHA-256 of the random id in its cookie
    (never the id itself): the consent it gave while nobody was logged in. Its Remember
    me is a `RememberToken` of kind "web" (see `store/web_clients.py`). A row exists
    only once the browser has something to remember, and goes once unseen for as long
    as its cookie lasts."""

    client_hash = CharField(max_length=64, primary_key=True)
    consent_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()
    seen_at = UTCDateTimeField(index=True)

    class Meta:
        table_name = "web_client"


class LoginFailure(BaseModel):
    """One attempt at an account's secret, or one look-up of its reset question.

    Keyed by the lower-cased email tried (known or not). The row is written before the
    secret is checked, as a reservation (see `store/accounts.py`): a wrong guess leaves
    it, a success deletes the key's rows. `kind` is "login" (passwords and reset
    answers) or "question" (the reset form's question step, counted apart).
    """

    id = AutoField()
    email_key = CharField(max_length=254)
    at = UTCDateTimeField(index=True)  # rows older than the window are purged by it
    kind = CharField(max_length=10, default="login", constraints=[SQL("DEFAULT 'login'")])

    class Meta:
        table_name = "login_failure"
        indexes = ((("email_key", "kind", "at"), False),)


class ShopSecret(BaseModel):
    """Random secrets of this shop, made once and kept in the database, so every front
    end on one PostgreSQL agrees. Never logged, never shown."""

    name = CharField(max_length=40, primary_key=True)
    value = CharField(max_length=128)

    class Meta:
        table_name = "shop_secret"


class ProductImage(BaseModel):
    """A product's picture (at most one): a PNG the store made from the admin's file,
    scaled to fit `store.pictures.MAX_SIDE` and stripped of metadata. Kept in the
    database, so every front end on one PostgreSQL shows the same pictures and a backup
    of the database is a backup of them."""

    product = ForeignKeyField(Product, primary_key=True, on_delete="CASCADE")
    mime = CharField(max_length=20)
    width = IntegerField()
    height = IntegerField()
    data = BlobField()
    updated_at = UTCDateTimeField()

    class Meta:
        table_name = "product_image"


class ClientPreference(BaseModel):
    """What one client (an SSH key, by the hash `Accounts` keeps of it) chose: its theme.

    Keyed by the client, not the account, as the settings file is in a local terminal:
    the theme follows the key whether or not its shopper is logged in."""

    client_hash = CharField(max_length=64, primary_key=True)
    theme = CharField(max_length=60)
    updated_at = UTCDateTimeField()

    class Meta:
        table_name = "client_preference"


MODELS: list[type[BaseModel]] = [
    User,
    Product,
    SearchWord,
    Cart,
    CartLine,
    Wishlist,
    WishlistLine,
    Order,
    OrderLine,
    OrderEvent,
    MigrationHistory,
    StoreMarker,
    RememberToken,
    LoginFailure,
    ShopSecret,
    WebClient,
    ProductImage,
    ClientPreference,
    CategoryCount,
]

# The checkout's tables (issue 15) live in their own module, which adds them to MODELS.
import buynow_tui.store.checkout_models  # noqa: E402, F401
