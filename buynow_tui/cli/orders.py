"""The orders' commands: list, show, and the moves (ship, deliver, cancel, refund).

The CLI names an order by its global number, the shop's id (`buynow orders show 42`);
the shopper knows the same order by their own number ("#3", their third order), which
`list` and `show` print beside it. What is printed about an order is made in one place,
`order_fields` (one order, as label/value pairs) and `order_rows` (the list, as a
header and rows), so a later `--json` can print the same fields another way.

Cancel and refund are destructive: on a terminal they ask `…? [y/N]`; without a
terminal they refuse unless `--yes` is given. Every refusal is one `error:` line and
exit code 1, nothing changed.
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

import typer

from buynow_tui.cli.shared import cli_errors, fail, services

if TYPE_CHECKING:
    from buynow_tui.store.lifecycle import By
    from buynow_tui.store.views import AdminOrder, OrderDetail

orders_app = typer.Typer(help="See and move orders.", no_args_is_help=True)

ORDER = typer.Argument(..., help="The order's number in the shop (as `orders list` shows).")

#: The list's columns: (header, width, right-aligned).
COLUMNS = (
    ("ORDER", 6, True),
    ("EMAIL", 32, False),
    ("#", 4, True),
    ("PLACED", 16, False),
    ("STATUS", 9, False),
    ("UNITS", 5, True),
    ("TOTAL", 10, True),
    ("TRACKING", 0, False),
)


def _when(moment: object) -> str:
    from datetime import datetime

    assert isinstance(moment, datetime)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _safe(text: str) -> str:
    from buynow_tui.logs import escape_control

    return escape_control(text)


def order_rows(orders: list[AdminOrder]) -> tuple[list[str], list[list[str]]]:
    """The list of orders: its header and one row of fields per order."""
    from buynow_tui.store.views import format_money

    rows = [
        [
            str(o.id),
            _safe(o.email),
            f"#{o.number}",
            _when(o.created_at),
            o.status,
            str(o.units),
            format_money(o.total_cents),
            f"{o.carrier} {o.tracking_number}" if o.tracking_number else "",
        ]
        for o in orders
    ]
    return [name for name, _, _ in COLUMNS], rows


def order_fields(order: OrderDetail, email: str) -> list[tuple[str, str]]:
    """One order, as (label, value) pairs in the order they are shown."""
    from buynow_tui.store.states import status_words
    from buynow_tui.store.views import dollars

    fields = [
        ("order", str(order.id)),
        ("shopper", f"{_safe(email)} (their order #{order.number})"),
        ("placed", _when(order.created_at)),
        ("status", status_words(order.status)),
        ("carrier", order.carrier or ""),
        ("tracking", order.tracking_number or ""),
        ("tracking url", order.tracking_url or ""),
        ("ship to", _safe(", ".join(order.ship_address.splitlines()))),
    ]
    for line in order.lines:
        fields.append(
            (
                "line",
                f"{line.quantity} x {_safe(line.name)} ({_safe(line.sku)}) at "
                f"{dollars(line.unit_price_cents)} = {dollars(line.line_total_cents)}",
            )
        )
    fields += [
        ("subtotal", dollars(order.subtotal_cents)),
        ("shipping", dollars(order.shipping_cents)),
        ("total", dollars(order.total_cents)),
    ]
    for event in order.events:
        who = event.actor_kind + (f" {_safe(event.actor)}" if event.actor else "")
        note = f" · {_safe(event.note)}" if event.note else ""
        fields.append(("event", f"{_when(event.at)} {event.to_status} by {who}{note}"))
    return fields


def _print_rows(header: list[str], rows: list[list[str]]) -> None:
    def line(cells: list[str]) -> str:
        out = []
        for cell, (_, width, right) in zip(cells, COLUMNS, strict=True):
            cell = cell[:width] if width else cell
            out.append(cell.rjust(width) if right else cell.ljust(width))
        return " ".join(out).rstrip()

    typer.echo(line(header))
    for row in rows:
        typer.echo(line(row))


def _print_fields(fields: list[tuple[str, str]]) -> None:
    for label, value in fields:
        typer.echo(f"{label + ':':<14}{value}".rstrip())


def _show(order_id: int) -> None:
    order, email = services().orders.admin_detail(order_id)
    _print_fields(order_fields(order, email))


def _admin() -> By:
    from buynow_tui.store.lifecycle import By

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = ""
    return By.admin(f"cli:{name}" if name else "cli")


def _confirm(order_id: int, verb: str, yes: bool) -> None:
    """Ask before a destructive move (refuse without a terminal unless --yes)."""
    if yes:
        return
    from buynow_tui.store.states import status_words
    from buynow_tui.store.views import dollars

    order, email = services().orders.admin_detail(order_id)  # unknown: one line, exit 1
    what = (
        f"{verb} order {order.id} ({_safe(email)}'s #{order.number}, "
        f"{dollars(order.total_cents)}, {status_words(order.status).lower()})"
    )
    if not sys.stdin.isatty():
        fail(f"{what.lower()}: nothing was changed (give --yes to {verb.lower()} it)")
    if not typer.confirm(f"{what}?", default=False, err=True):
        fail("nothing was changed")


@orders_app.command("list")
@cli_errors
def orders_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's orders (email)."),
    status: str | None = typer.Option(
        None, "--status", help="Only orders in this state (placed, paid, shipped, …)."
    ),
) -> None:
    """List orders, newest first, with their state and tracking."""
    header, rows = order_rows(services().orders.list_all(user, status=status))
    _print_rows(header, rows)


@orders_app.command("show")
@cli_errors
def orders_show(order_id: int = ORDER) -> None:
    """One order: its shopper, state, tracking, lines, totals and history."""
    _show(order_id)


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
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
) -> None:
    """Cancel an order not yet shipped; its units go back to stock."""
    _confirm(order_id, "Cancel", yes)
    moved = services().lifecycle.cancel(order_id, reason, by=_admin())
    typer.echo(f"Order {moved.order_id} cancelled; its units are back in stock.")


@orders_app.command("refund")
@cli_errors
def orders_refund(
    order_id: int = ORDER,
    reason: str | None = typer.Option(None, "--reason", help="Why (kept in its history)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
) -> None:
    """Refund a paid, shipped or delivered order, whole."""
    _confirm(order_id, "Refund", yes)
    moved = services().lifecycle.refund(order_id, reason, by=_admin())
    back = "; its units are back in stock" if moved.event.from_status == "paid" else ""
    typer.echo(f"Order {moved.order_id} refunded{back}.")
