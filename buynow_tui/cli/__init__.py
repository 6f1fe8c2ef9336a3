"""The admin's `buynow <command>`: the Typer app, its root options, and `main`.

One module per group of commands (`catalog`: seed, products, stock; `users`; `orders`;
`database`: db; `server`: paths, serve, uptime; `web`: web) and `shared` for what they all use: one
`error:` line and exit code 1 for an expected failure (`cli_errors`, `fail`), and the
store they open. A new command goes in the module of its group, registered here.

Imports stay light at module level (no Textual, no peewee) so `buynow --help` is fast.
`launch.main` hands this every `buynow` with arguments; without a command it opens the
shop in this terminal, as `buynow` alone does.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import typer

from buynow_tui.cli import catalog, database, orders, server, users, web
from buynow_tui.cli.shared import cli_errors, error_line, fail, paths, root
from buynow_tui.config import HOME

PROG = "buynow"

app = typer.Typer(
    help="BuyNow: an electronics shop that lives in the terminal.",
    no_args_is_help=False,
    add_completion=True,  # --install-completion, --show-completion (see cli/completion.py)
    pretty_exceptions_enable=False,
    # Click's plain help: no `<bool>` beside flags, no boxes to cut in a narrow terminal
    # or a pipe, and `buynow products` prints its help once.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(catalog.seed)
app.command("paths")(server.paths_cmd)
app.command()(server.serve)
app.command()(server.uptime)
app.command()(web.web)
app.add_typer(catalog.products_app, name="products")
app.add_typer(catalog.stock_app, name="stock")
app.add_typer(users.users_app, name="users")
app.add_typer(orders.orders_app, name="orders")
app.add_typer(database.db_app, name="db")


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    home: Path | None = typer.Option(  # Typer declares options so
        None, "--home", envvar=HOME, help="Folder for the database, logs, config and host key."
    ),
    open_path: str | None = typer.Option(
        None,
        "--open",
        help="Open at a screen: shop, cart, wishlist, orders, account, about, product/<id>, "
        "order/<n>.",
    ),
    theme: str | None = typer.Option(
        None,
        "--theme",
        help="The colours for this run (the palette's choice is the one remembered).",
    ),
) -> None:
    """With no command: the shop, in this terminal."""
    root.home = home
    if ctx.invoked_subcommand is None:
        run_shop(open_path, theme)
    elif theme is not None:
        fail("--theme is for the shop itself: give it no command")


@cli_errors
def run_shop(open_path: str | None, theme: str | None = None) -> None:
    from buynow_tui.runtime import NEEDS_A_TERMINAL, not_a_terminal

    if theme is not None:
        from buynow_tui.themes import check_theme

        try:
            check_theme(theme)
        except ValueError as error:
            fail(str(error))
    if not_a_terminal():
        typer.echo(NEEDS_A_TERMINAL, err=True)
        raise typer.Exit(1)
    from buynow_tui.app import run

    run(paths(), open_path=open_path, theme=theme)


def _click_exceptions() -> ModuleType:
    """Click's exceptions: vendored by Typer >= 0.20, plain Click before."""
    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:  # pragma: no cover - older Typer on plain Click
        return importlib.import_module("click.exceptions")


def main() -> None:
    """Run the CLI. Exit codes: 0 done; 1 refused by the shop (a bad value, an unknown
    SKU or user, a change not confirmed, `uptime` with no server); 2 a usage mistake
    found while parsing the command line (an unknown command or option, a missing or
    extra argument, a value of the wrong type or out of range, options that do not go
    together), as Click and Typer have it. Either way one `error:` line, no box."""
    click_exceptions = _click_exceptions()
    try:
        code = app(standalone_mode=False, prog_name=PROG)
    except click_exceptions.NoArgsIsHelpError as shown:
        # A group with no command (`buynow products`): its help, once, and exit 0.
        typer.echo(shown.format_message())
        code = 0
    except click_exceptions.UsageError as error:
        message = " ".join(error.format_message().split())
        hint = f" (see: {error.ctx.command_path} --help)" if error.ctx else ""
        typer.echo(error_line(f"{message}{hint}"), err=True)
        code = error.exit_code
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
