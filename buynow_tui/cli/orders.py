"""The orders' commands: `orders list`, `orders receipt N`."""

from __future__ import annotations

import typer

from buynow_tui.cli.shared import cli_errors, services

orders_app = typer.Typer(help="See orders.", no_args_is_help=True)


@orders_app.command("list")
@cli_errors
def orders_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's orders (email)."),
) -> None:
    """List orders, newest first."""
    from buynow_tui.store.views import format_money

    typer.echo(f"{'ORDER':>6} {'EMAIL':<32} {'PLACED':<16} {'UNITS':>5} {'TOTAL':>10}")
    for o in services().orders.list_all(user):
        placed = o.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{o.id:>6} {o.email[:32]:<32} {placed:<16} {o.units:>5} "
            f"{format_money(o.total_cents):>10}"
        )


@orders_app.command("receipt")
@cli_errors
def orders_receipt(
    order: int = typer.Argument(..., help="The order number."),
) -> None:
    """Print an order's receipt (lines, delivery, total, card, ship-to)."""
    from buynow_tui.store.receipts import receipt_text

    typer.echo(receipt_text(services().checkout.receipt(order)), nl=False)
