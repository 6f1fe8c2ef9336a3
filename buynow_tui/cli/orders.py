"""The orders' commands: `orders list`."""

from __future__ import annotations

import typer

from buynow_tui import shapes
from buynow_tui.cli.output import FORMAT_OPTION, JSON_OPTION, emit
from buynow_tui.cli.shared import cli_errors, fail, services
from buynow_tui.formats import Format

orders_app = typer.Typer(help="See orders.", no_args_is_help=True)
LIST_MAX = 1000  # `orders list` shows the newest this many, and says so when there are more


@orders_app.command("list")
@cli_errors
def orders_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's orders (email)."),
    form: Format | None = FORMAT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List orders, newest first."""
    svc = services()
    if user is not None and not svc.accounts.email_taken(user):
        from buynow_tui.logs import escape_control

        fail(f"unknown user {escape_control(user[:254])!r}: no account has that email")
    found = svc.orders.list_all(user, limit=LIST_MAX + 1)
    note = f"Showing the newest {LIST_MAX:,} orders." if len(found) > LIST_MAX else None
    emit(shapes.admin_orders(found[:LIST_MAX], note=note), form, as_json)
