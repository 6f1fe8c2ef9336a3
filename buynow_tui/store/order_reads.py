"""Reading orders: a shopper's history and one order's detail, and the admin's list.

A shopper knows their orders by their own number (`Order.number`: "#1" is their
first); the shop, the admin CLI and the logs by the global id. Anyone else's order is
simply not found. Each order comes with its state, its tracking once shipped and, in
detail, its history of events (`store.lifecycle`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from peewee import JOIN, fn

from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.db import connection
from buynow_tui.store.errors import NotFound, ValidationError
from buynow_tui.store.lifecycle import events_of
from buynow_tui.store.models import Order, OrderLine, User
from buynow_tui.store.states import Status
from buynow_tui.store.views import AdminOrder, OrderDetail, OrderLineView, OrderSummary

log = get_logger("orders")


def _by_name(rows: object) -> Iterable[dict[str, Any]]:
    """The rows of a `.dicts()` query, as what they are (peewee's types say less)."""
    return cast("Iterable[dict[str, Any]]", rows)


def history(user_id: int) -> list[OrderSummary]:
    """The user's orders, newest first."""
    with connection():
        units = fn.COALESCE(fn.SUM(OrderLine.quantity), 0)
        rows = (
            Order.select(
                Order.id,
                Order.created_at,
                Order.total_cents,
                Order.number,
                Order.status,
                units.alias("units"),
            )
            .join(OrderLine, JOIN.LEFT_OUTER)
            .where(Order.user == user_id)
            .group_by(Order.id, Order.created_at, Order.total_cents, Order.number, Order.status)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .dicts()
        )
        return [
            OrderSummary(
                o["id"],
                o["created_at"],
                int(o["units"]),
                o["total_cents"],
                o["number"],
                o["status"],
            )
            for o in _by_name(rows)
        ]


def _detail(order: Order, label: str) -> OrderDetail:
    rows = (
        OrderLine.select(
            OrderLine.product.alias("product_id"),
            OrderLine.sku,
            OrderLine.name,
            OrderLine.quantity,
            OrderLine.unit_price_cents,
        )
        .where(OrderLine.order == order.id)
        .order_by(OrderLine.id)
        .dicts()
    )
    lines = tuple(OrderLineView(**line) for line in _by_name(rows))
    return OrderDetail(
        id=order.id,
        user_id=order.user_id,
        created_at=order.created_at,
        lines=lines,
        subtotal_cents=order.subtotal_cents,
        shipping_cents=order.shipping_cents,
        total_cents=order.total_cents,
        ship_address=order.ship_address,
        number=order.number,
        status=order.status,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        tracking_url=order.tracking_url,
        events=tuple(events_of(order.id)),
    )


def detail(user_id: int, order_id: int) -> OrderDetail:
    """One order of this user's by its global id; anyone else's is not found."""
    with connection():
        order = Order.get_or_none((Order.id == order_id) & (Order.user == user_id))
        if order is None:
            log.warning("order %s not found for user %d", order_id, user_id)
            raise NotFound(f"There is no order #{order_id}.")
        return _detail(order, f"#{order_id}")


def by_number(user_id: int, number: int) -> OrderDetail:
    """The shopper's order #`number` (their own numbering); anyone else's is not found."""
    with connection():
        order = Order.get_or_none((Order.number == number) & (Order.user == user_id))
        if order is None:
            log.warning("order #%s not found for user %d", number, user_id)
            raise NotFound(f"There is no order #{number}.")
        return _detail(order, f"#{number}")


def admin_detail(order_id: int) -> tuple[OrderDetail, str]:
    """Any order by its global id, and its shopper's email (the admin CLI)."""
    with connection():
        order = Order.get_or_none(Order.id == order_id)
        if order is None:
            raise NotFound(f"There is no order {order_id}.")
        email = User.select(User.email).where(User.id == order.user_id).scalar()
        return _detail(order, str(order_id)), str(email)


def check_status(status: str) -> Status:
    try:
        return Status(status.strip().lower())
    except ValueError:
        raise ValidationError(
            f"There is no status {status!r} (the states are: {', '.join(Status)})."
        ) from None


def list_all(
    email: str | None = None, limit: int = 1000, status: str | None = None
) -> list[AdminOrder]:
    """Every order (or one user's, or those in one state), newest first."""
    wanted = check_status(status) if status is not None else None
    with connection():
        units = fn.COALESCE(fn.SUM(OrderLine.quantity), 0)
        query = (
            Order.select(
                Order.id,
                Order.created_at,
                Order.total_cents,
                Order.number,
                Order.status,
                Order.carrier,
                Order.tracking_number,
                User.email,
                units.alias("units"),
            )
            .join(User)
            .switch(Order)
            .join(OrderLine, JOIN.LEFT_OUTER)
            .group_by(
                Order.id,
                Order.created_at,
                Order.total_cents,
                Order.number,
                Order.status,
                Order.carrier,
                Order.tracking_number,
                User.email,
            )
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
        )
        if email:
            query = query.where(fn.lower(User.email) == v.email_key(email))
        if wanted is not None:
            query = query.where(Order.status == str(wanted))
        return [
            AdminOrder(
                o["id"],
                o["email"],
                o["created_at"],
                int(o["units"]),
                o["total_cents"],
                o["number"],
                o["status"],
                o["carrier"],
                o["tracking_number"],
            )
            for o in _by_name(query.dicts())
        ]
