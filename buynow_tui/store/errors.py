"""Domain errors: every refusal the store makes, with a message fit for a shopper.

Screens show `str(error)`; forms use `field` to put the message on the right input.
"""

from __future__ import annotations

from datetime import datetime


class StoreError(Exception):
    """Base of every refusal the store makes; the message is user-facing."""

    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(StoreError):
    """Input that breaks a rule; `field` names the form field."""


class AuthError(StoreError):
    """Log in or reset failed; deliberately generic."""


class LockedError(AuthError):
    def __init__(self, until: datetime) -> None:
        self.until = until
        local = until.astimezone().strftime("%H:%M")
        super().__init__(f"Too many failed attempts. This account is locked until {local}.")


class NotFound(StoreError):
    pass


class OutOfStock(StoreError):
    def __init__(self, names: list[str], message: str | None = None) -> None:
        self.names = names
        if message is None:
            joined = ", ".join(names)
            message = f"Not enough stock for: {joined}. Nothing was ordered."
        super().__init__(message)


class EmptyCart(StoreError):
    def __init__(self) -> None:
        super().__init__("Your cart is empty.")


class AlreadyInWishlist(StoreError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is already in your wishlist.")


class StoreUnavailable(StoreError):
    """The database could not be written (disk full, read-only, locked too long)."""


class SessionEnded(StoreError):
    """The login this session holds predates a password change or reset elsewhere."""

    def __init__(self) -> None:
        super().__init__("Your password was changed; please log in again.")


class IllegalMove(StoreError):
    """An order cannot make this move from the state it is in (`store.states`); nothing
    was changed. `current` is the state it is in, `wanted` the one asked for."""

    def __init__(self, message: str, *, current: str, wanted: str) -> None:
        self.current = current
        self.wanted = wanted
        super().__init__(message)


class CartChanged(StoreError):
    """What the shopper confirmed is not what the cart holds now; nothing was ordered.

    `changes` names each difference in words ("The price of Smart Watch changed from
    $150.00 to $120.00.").
    """

    def __init__(self, changes: list[str]) -> None:
        self.changes = changes
        super().__init__(
            " ".join(changes) + " Nothing was ordered: check the new figures and confirm again."
        )


class UnknownCategory(ValidationError):
    """A category no product has: made only when asked, so a typo cannot split the Shop."""

    def __init__(self, name: str, existing: list[str]) -> None:
        self.name = name
        self.existing = existing
        shown = ", ".join(existing[:20]) + (
            f" and {len(existing) - 20} more" if len(existing) > 20 else ""
        )
        super().__init__(
            f"There is no category {name!r} (the categories are: {shown or 'none yet'}).",
            field="category",
        )


def _rows(count: int) -> str:
    return f"{count:,} row{'s' if count != 1 else ''}"


class DataWouldBeLost(StoreError):
    """A downgrade would drop tables that hold rows; it runs only when that is accepted."""

    def __init__(self, migrations: list[str], rows: dict[str, int]) -> None:
        self.migrations = migrations
        self.rows = rows
        super().__init__(
            f"reverting {', '.join(migrations)} would drop {describe_rows(rows)};"
            " nothing was changed"
        )


def describe_rows(rows: dict[str, int]) -> str:
    """`user (1 row), product (48 rows)`: what a downgrade would drop."""
    return ", ".join(f"{table} ({_rows(count)})" for table, count in rows.items())
