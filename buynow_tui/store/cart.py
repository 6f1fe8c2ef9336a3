"""The cart: add within stock, set quantities, remove, totals from current prices."""

from __future__ import annotations

from peewee import fn

from buynow_tui import clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.db import session, write
from buynow_tui.store.errors import NotFound, OutOfStock, ValidationError
from buynow_tui.store.models import Cart, CartLine, Product
from buynow_tui.store.views import CartLineView, CartView

log = get_logger("cart")
MAX_QUANTITY = 99


def cart_id_for(user_id: int) -> int:
    """The user's cart id, created on first use (call inside a write transaction)."""
    cart, _ = Cart.get_or_create(user=user_id)
    return cart.id


def _product(product_id: int) -> Product:
    product = Product.get_or_none(Product.id == product_id)
    if product is None:
        raise NotFound(f"There is no product {product_id}.")
    return product


def _within_stock(product: Product, quantity: int) -> None:
    if product.stock <= 0:
        raise OutOfStock([product.name], f"{product.name} is out of stock.")
    if quantity > product.stock:
        raise OutOfStock(
            [product.name], f"Only {product.stock} of {product.name} left in stock."
        )
    if quantity > MAX_QUANTITY:
        raise ValidationError(f"At most {MAX_QUANTITY} of one item per order.", field="quantity")


def add_line(user_id: int, product_id: int, quantity: int) -> Product:
    """Add `quantity` to the user's line for a product (inside a write transaction)."""
    product = _product(product_id)
    cart_id = cart_id_for(user_id)
    line = CartLine.get_or_none((CartLine.cart == cart_id) & (CartLine.product == product_id))
    new_quantity = quantity + (line.quantity if line else 0)
    _within_stock(product, new_quantity)
    if line is None:
        CartLine.create(cart=cart_id, product=product_id, quantity=new_quantity, added_at=clock.now())
    else:
        CartLine.update(quantity=new_quantity).where(CartLine.id == line.id).execute()
    return product


class CartService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def get(self, user_id: int) -> CartView:
        with session():
            rows = (
                CartLine.select(CartLine.quantity, Product)
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
                )
                for row in rows
            )
        subtotal = sum(line.line_total_cents for line in lines)
        shipping = self.settings.shipping_cents if lines else 0
        return CartView(lines, subtotal, shipping, subtotal + shipping)

    def count(self, user_id: int) -> int:
        """Distinct items in the cart: the header badge."""
        with session():
            return (
                CartLine.select(fn.COUNT(CartLine.id))
                .join(Cart)
                .where(Cart.user == user_id)
                .scalar()
                or 0
            )

    def add(self, user_id: int, product_id: int, quantity: int = 1) -> CartView:
        v.check_quantity(quantity)
        with write():
            product = add_line(user_id, product_id, quantity)
        log.info("added %d x %s to cart", quantity, product.sku)
        return self.get(user_id)

    def set_quantity(self, user_id: int, product_id: int, quantity: int) -> CartView:
        """Set a line's quantity; 0 removes the line."""
        if quantity == 0:
            return self.remove(user_id, product_id)
        v.check_quantity(quantity)
        with write():
            product = _product(product_id)
            cart_id = cart_id_for(user_id)
            line = CartLine.get_or_none((CartLine.cart == cart_id) & (CartLine.product == product_id))
            if line is None:
                raise NotFound(f"{product.name} is not in your cart.")
            _within_stock(product, quantity)
            CartLine.update(quantity=quantity).where(CartLine.id == line.id).execute()
        log.info("cart quantity of %s set to %d", product.sku, quantity)
        return self.get(user_id)

    def remove(self, user_id: int, product_id: int) -> CartView:
        with write():
            cart_id = cart_id_for(user_id)
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
            CartLine.delete().where(CartLine.cart == cart_id_for(user_id)).execute()
