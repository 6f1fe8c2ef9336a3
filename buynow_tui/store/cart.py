"""The cart: add within stock, set quantities, remove, totals from current prices.

Every write first checks the session's login (`logins`), then locks the user's cart
row (FOR UPDATE on PostgreSQL; SQLite's `BEGIN IMMEDIATE` already serialises), so a
checkout of that cart never runs alongside a change to it. Adding is one upsert
(INSERT ... ON CONFLICT on both backends): two sessions adding the same item at once
both count, and the database adds only while the line stays within the limits.

Limits: at most 99 of one item (and no more than the stock), at most `MAX_LINES`
different items in one cart.
"""

from __future__ import annotations

from datetime import datetime

from peewee import EXCLUDED, fn

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import delivery
from buynow_tui.store import validation as v
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import NotFound, OutOfStock, ValidationError
from buynow_tui.store.logins import Logins, row_lock
from buynow_tui.store.models import Cart, CartLine, Product
from buynow_tui.store.views import MAX_PER_ITEM, CartLineView, CartView, more_words, room_for

log = get_logger("cart")
MAX_QUANTITY = MAX_PER_ITEM
#: Different items one cart may hold.
MAX_LINES = 100


def lock_cart(user_id: int) -> int:
    """The user's cart id, created on first use and locked for this transaction (call
    inside a write). Created with INSERT ... ON CONFLICT DO NOTHING: two sessions making
    the first cart at once both get that one."""
    locked = row_lock(Cart.select(Cart.id).where(Cart.user == user_id), "FOR UPDATE")
    cart_id = locked.scalar()
    if cart_id is None:
        Cart.insert(user=user_id).on_conflict_ignore().execute()
        cart_id = locked.scalar()
    return int(cart_id)


def _product(product_id: int) -> Product:
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFound(f"There is no product {product_id}.")
    return product


def _within_stock(product: Product, quantity: int) -> None:
    if product.stock <= 0:
        raise OutOfStock([product.name], f"{product.name} is out of stock.")
    if quantity > product.stock:
        raise OutOfStock([product.name], f"Only {product.stock} of {product.name} left in stock.")
    if quantity > MAX_QUANTITY:
        raise ValidationError(f"At most {MAX_QUANTITY} of one item per order.", field="quantity")


def add_line(user_id: int, product_id: int, quantity: int, now: datetime) -> Product:
    """Add `quantity` to the user's line for a product (inside a write transaction); a
    new line says it was added `now`. The stock and the 99 per order count what the
    line already holds, and a refusal says how many more may be added."""
    v.check_quantity(quantity)
    product = _product(product_id)
    cart_id = lock_cart(user_id)
    line = (CartLine.cart == cart_id) & (CartLine.product == product_id)
    held = int(CartLine.select(CartLine.quantity).where(line).scalar() or 0)
    if held + quantity > min(MAX_QUANTITY, product.stock):
        _over_the_limit(product, held)
    others = CartLine.select().where((CartLine.cart == cart_id) & (CartLine.product != product_id))
    if not held and others.count() >= MAX_LINES:
        raise ValidationError(
            f"A cart holds at most {MAX_LINES} different items.", field="quantity"
        )
    limit = min(MAX_QUANTITY, product.stock)
    added = (
        CartLine.insert(cart=cart_id, product=product_id, quantity=quantity, added_at=now)
        .on_conflict(
            conflict_target=[CartLine.cart, CartLine.product],
            update={CartLine.quantity: CartLine.quantity + EXCLUDED.quantity},
            where=(CartLine.quantity + EXCLUDED.quantity <= limit),
        )
        .as_rowcount()
        .execute()
    )
    if added != 1:  # the line grew meanwhile (the cart's lock makes this a backstop)
        _over_the_limit(product, int(CartLine.get(line).quantity))
    return product


def _over_the_limit(product: Product, held: int) -> None:
    """Refuse an add that would take a line holding `held` past the stock or 99,
    saying the real limit (counting the cart when it holds some)."""
    if product.stock <= 0:
        raise OutOfStock([product.name], f"{product.name} is out of stock.")
    more = f" {more_words(room_for(product, held), held)}" if held else ""
    if product.stock < MAX_QUANTITY:
        raise OutOfStock(
            [product.name], f"Only {product.stock} of {product.name} left in stock.{more}"
        )
    raise ValidationError(f"At most {MAX_QUANTITY} of one item per order.{more}", field="quantity")


class CartService:
    def __init__(
        self, settings: Settings, logins: Logins | None = None, *, clock: Clock = system_clock
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.logins = logins if logins is not None else Logins()

    def get(self, user_id: int) -> CartView:
        with connection():
            rows = (
                CartLine.select(CartLine.quantity, CartLine.added_at, Product)
                .join(Product)
                .switch(CartLine)
                .join(Cart)
                .where(Cart.user == user_id)
                .order_by(CartLine.added_at, CartLine.id)
            )
            lines = tuple(
                CartLineView(
                    product_id=row.product.id,
                    sku=row.product.sku,
                    name=row.product.name,
                    unit_price_cents=row.product.price_cents,
                    quantity=row.quantity,
                    stock=row.product.stock,
                    added_at=row.added_at,
                )
                for row in rows
            )
        subtotal = sum(line.line_total_cents for line in lines)
        shipping = delivery.price_cents(self.settings, delivery.STANDARD, subtotal) if lines else 0
        return CartView(lines, subtotal, shipping, subtotal + shipping)

    def count(self, user_id: int) -> int:
        """Distinct items in the cart: the header badge."""
        with connection():
            return (
                CartLine.select(fn.COUNT(CartLine.id))
                .join(Cart)
                .where(Cart.user == user_id)
                .scalar()
                or 0
            )

    def carts_holding(self, product_id: int) -> int:
        """How many shoppers' carts hold the product: what the admin is warned of before
        removing it or setting its stock to 0 (`buynow products remove`, `stock set`)."""
        with connection():
            return (
                CartLine.select(fn.COUNT(fn.DISTINCT(CartLine.cart)))
                .where(CartLine.product == product_id)
                .scalar()
                or 0
            )

    def add(self, user_id: int, product_id: int, quantity: int = 1) -> CartView:
        v.check_quantity(quantity)
        with write():
            self.logins.check(user_id)
            product = add_line(user_id, product_id, quantity, self.clock())
        log.info("added %d x %s to cart", quantity, product.sku)
        return self.get(user_id)

    def held(self, user_id: int, product_id: int) -> int:
        """How many of a product the user's cart holds (0 when none): the Product
        screen offers only what may still be added."""
        with connection():
            quantity = (
                CartLine.select(CartLine.quantity)
                .join(Cart)
                .where((Cart.user == user_id) & (CartLine.product == product_id))
                .scalar()
            )
        return int(quantity or 0)

    def put_back(self, user_id: int, line: CartLineView) -> CartView:
        """Undo the removal of `line`: the same quantity, back in its place (its old
        `added_at`). Checked as an add is (stock, 99, the number of lines, the
        login); if the product went back in the cart meanwhile, the two add up."""
        v.check_quantity(line.quantity)
        with write():
            self.logins.check(user_id)
            add_line(user_id, line.product_id, line.quantity, line.added_at or self.clock())
        log.info("put %d x %s back in cart", line.quantity, line.sku)
        return self.get(user_id)

    def set_quantity(self, user_id: int, product_id: int, quantity: int) -> CartView:
        """Set a line's quantity; 0 removes the line."""
        if quantity == 0:
            return self.remove(user_id, product_id)
        v.check_quantity(quantity)
        with write():
            self.logins.check(user_id)
            product = _product(product_id)
            cart_id = lock_cart(user_id)
            line = (CartLine.cart == cart_id) & (CartLine.product == product_id)
            if not CartLine.select().where(line).exists():
                raise NotFound(f"{product.name} is not in your cart.")
            _within_stock(product, quantity)
            CartLine.update(quantity=quantity).where(line).execute()
        log.info("cart quantity of %s set to %d", product.sku, quantity)
        return self.get(user_id)

    def change_quantity(self, user_id: int, product_id: int, by: int) -> CartView:
        """Change a line's quantity by `by` (the Cart's `+` and `-`), from the quantity
        it has now, under the cart's lock: two changes at once both count. 0 or less
        removes the line; a line no longer in the cart stays out (nothing to change)."""
        with write():
            self.logins.check(user_id)
            cart_id = lock_cart(user_id)
            line = (CartLine.cart == cart_id) & (CartLine.product == product_id)
            held = CartLine.select(CartLine.quantity).where(line).scalar()
            quantity = None if held is None else held + by
            if quantity is not None and quantity <= 0:
                CartLine.delete().where(line).execute()
            elif quantity is not None:
                v.check_quantity(quantity)
                product = _product(product_id)
                _within_stock(product, quantity)
                CartLine.update(quantity=quantity).where(line).execute()
        if quantity is not None and quantity <= 0:
            log.info("removed product %d from cart", product_id)
        elif quantity is not None:
            log.info("cart quantity of %s set to %d", product.sku, quantity)
        return self.get(user_id)

    def remove(self, user_id: int, product_id: int) -> CartView:
        with write():
            self.logins.check(user_id)
            cart_id = lock_cart(user_id)
            deleted = (
                CartLine.delete()
                .where((CartLine.cart == cart_id) & (CartLine.product == product_id))
                .execute()
            )
        if deleted:
            log.info("removed product %d from cart", product_id)
        return self.get(user_id)

    def clear(self, user_id: int) -> None:
        with write():
            self.logins.check(user_id)
            CartLine.delete().where(CartLine.cart == lock_cart(user_id)).execute()
