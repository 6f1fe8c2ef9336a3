"""The orders' commands: list, show, receipt, and the moves (ship, deliver, cancel,
refund).

The CLI names an order by its global number, the shop's id (`buynow orders show 42`);
the shopper knows the same order by their own number ("#3", their third order), which
`list` and `show` print beside it. What `list` and `show` print comes from
`buynow_tui.shapes` (`admin_orders`, `admin_order`), in any `--format`.

Cancel and refund are destructive: on a terminal they ask `…? [y/N]`; without a
terminal they refuse unless `--yes` is given; `--dry-run` says what would happen.
Every refusal is one `error:` line and exit code 1, nothing changed.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

import typer

from buynow_tui import shapes
from buynow_tui.cli.output import (
    DRY_RUN_OPTION,
    FORMAT_OPTION,
    JSON_OPTION,
    YES_OPTION,
    confirm,
    emit,
)
from buynow_tui.cli.shared import cli_errors, fail, services
from buynow_tui.formats import Format

if TYPE_CHECKING:
    from buynow_tui.store.lifecycle import By, Moved

orders_app = typer.Typer(help="See and move orders.", no_args_is_help=True)
LIST_MAX = 1000  # `orders list` shows the newest this many, and says so when there are more

ORDER = typer.Argument(..., help="The order's number in the shop (as `orders list` shows).")


def _safe(text: str) -> str:
    from buynow_tui.logs import escape_control

    return escape_control(text)


def _admin() -> By:
    from buynow_tui.store.lifecycle import By

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = ""
    return By.admin(f"cli:{name}" if name else "cli")


def _confirm(order_id: int, verb: str, yes: bool, dry_run: bool) -> None:
    """Ask before a destructive move (refuse without a terminal unless --yes)."""
    from buynow_tui.store.states import status_words
    from buynow_tui.store.views import dollars

    order, email = services().orders.admin_detail(order_id)  # unknown: one line, exit 1
    what = (
        f"{verb} order {order.id} ({_safe(email)}'s #{order.number}, "
        f"{dollars(order.total_cents)}, {status_words(order.status).lower()})"
    )
    confirm(what, yes=yes, dry_run=dry_run)


@orders_app.command("list")
@cli_errors
def orders_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's orders (email)."),
    status: str | None = typer.Option(
        None, "--status", help="Only orders in this state (placed, paid, shipped, …)."
    ),
    form: Format | None = FORMAT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List orders, newest first, with their state and tracking."""
    svc = services()
    if user is not None and not svc.accounts.email_taken(user):
        fail(f"unknown user {_safe(user[:254])!r}: no account has that email")
    found = svc.orders.list_all(user, limit=LIST_MAX + 1, status=status)
    note = f"Showing the newest {LIST_MAX:,} orders." if len(found) > LIST_MAX else None
    emit(shapes.admin_orders(found[:LIST_MAX], note=note), form, as_json)


@orders_app.command("show")
@cli_errors
def orders_show(
    order_id: int = ORDER, form: Format | None = FORMAT_OPTION, as_json: bool = JSON_OPTION
) -> None:
    """One order: its shopper, state, tracking, lines, totals and history."""
    order, email = services().orders.admin_detail(order_id)
    emit(shapes.admin_order(order, email), form, as_json)


@orders_app.command("ship")
@cli_errors
def orders_ship(
    order_id: int = ORDER,
    carrier: str = typer.Option(..., "--carrier", help="ups, fedex, usps, dhl, or any name."),
    tracking: str = typer.Option(..., "--tracking", help="The tracking number."),
    url: str | None = typer.Option(
        None, "--url", help="The tracking page (built for ups, fedex, usps and dhl)."
    ),
) -> None:
    """Ship a paid order: record its carrier and tracking number."""
    moved = services().lifecycle.ship(order_id, carrier, tracking, url, by=_admin())
    typer.echo(f"Order {moved.order_id} shipped ({_safe(moved.event.note)}).")


@orders_app.command("deliver")
@cli_errors
def orders_deliver(order_id: int = ORDER) -> None:
    """Mark a shipped order delivered."""
    moved = services().lifecycle.deliver(order_id, by=_admin())
    typer.echo(f"Order {moved.order_id} delivered.")


@orders_app.command("cancel")
@cli_errors
def orders_cancel(
    order_id: int = ORDER,
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in its history)."),
    yes: bool = YES_OPTION,
    dry_run: bool = DRY_RUN_OPTION,
) -> None:
    """Cancel an order not yet shipped; its units go back to stock."""
    _confirm(order_id, "cancel", yes, dry_run)
    moved = services().lifecycle.cancel(order_id, reason, by=_admin())
    typer.echo(f"Order {moved.order_id} cancelled; its units are back in stock{_money(moved)}.")


@orders_app.command("refund")
@cli_errors
def orders_refund(
    order_id: int = ORDER,
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in its history)."),
    yes: bool = YES_OPTION,
    dry_run: bool = DRY_RUN_OPTION,
) -> None:
    """Refund a paid, shipped or delivered order, whole."""
    _confirm(order_id, "refund", yes, dry_run)
    moved = services().lifecycle.refund(order_id, reason, by=_admin())
    back = "; its units are back in stock" if moved.event.from_status == "paid" else ""
    typer.echo(f"Order {moved.order_id} refunded{back}{_money(moved)}.")


def _money(moved: Moved) -> str:
    """'; $40.00 goes back to the card' when the move refunds a charge (issue 15)."""
    from buynow_tui.store.views import dollars

    if not moved.refund_cents:
        return ""
    return f"; {dollars(moved.refund_cents)} goes back to the card"


@orders_app.command("receipt")
@cli_errors
def orders_receipt(order_id: int = ORDER) -> None:
    """Print an order's receipt (lines, delivery, total, card, ship-to)."""
    from buynow_tui.store.receipts import receipt_text

    typer.echo(receipt_text(services().checkout.receipt(order_id)), nl=False)
