"""The `buynow` command: the shop in this terminal, and the admin's tools.

Imports stay light at module level (no Textual, no peewee) so `buynow --help` is fast.
Every command turns a domain error into one line on stderr and exit code 1: never a
traceback, and nothing half-changed (the store's transactions see to that).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, TypeVar

import typer

app = typer.Typer(
    help="BuyNow: an electronics shop that lives in the terminal.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
products_app = typer.Typer(help="List, add, update and remove products.", no_args_is_help=True)
stock_app = typer.Typer(help="Set stock levels.", no_args_is_help=True)
users_app = typer.Typer(help="See and add users.", no_args_is_help=True)
orders_app = typer.Typer(help="See orders.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(products_app, name="products")
app.add_typer(stock_app, name="stock")
app.add_typer(users_app, name="users")
app.add_typer(orders_app, name="orders")
app.add_typer(db_app, name="db")

F = TypeVar("F", bound=Callable[..., Any])


class State:
    home: Optional[Path] = None


state = State()


def fail(message: str, code: int = 1) -> None:
    typer.echo(error_line(message), err=True)
    raise typer.Exit(code)


def error_line(message: str) -> str:
    """`error: message` on one line, whatever the admin typed: a file name or an argument
    holding ESC or a newline is shown escaped, never sent raw to their terminal."""
    from buynow_tui.logs import escape_control

    return f"error: {escape_control(message)}"


def cli_errors(func: F) -> F:
    """One line and a non-zero exit for every expected failure; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from buynow_tui.store.problems import for_admin

        try:
            return func(*args, **kwargs)
        except BrokenPipeError:
            # `buynow products list | head -1`: the reader has what it wanted and left.
            # Typer then ends quietly (exit code 1), as `git log | head` does.
            raise
        except Exception as error:
            message = for_admin(error)
            if message is None:
                raise
            fail(message)

    return wrapper  # type: ignore[return-value]


def paths():  # type: ignore[no-untyped-def]
    from buynow_tui.paths import Paths

    return Paths.resolve(state.home)


def opened(*, migrate: bool = True):  # type: ignore[no-untyped-def]
    """The opened store (`bootstrap.Opened`): services, and whether it was seeded now."""
    from buynow_tui.bootstrap import open_store

    return open_store(paths(), migrate=migrate)


def services(*, migrate: bool = True):  # type: ignore[no-untyped-def]
    return opened(migrate=migrate).services


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    home: Optional[Path] = typer.Option(
        None, "--home", envvar="BUYNOW_HOME", help="Folder for the database, logs, config and host key."
    ),
    open_path: Optional[str] = typer.Option(
        None, "--open", help="Open at a screen: shop, cart, wishlist, orders, account, about, product/<id>, order/<n>."
    ),
) -> None:
    """With no command: the shop, in this terminal."""
    state.home = home
    if ctx.invoked_subcommand is None:
        run_shop(open_path)


@cli_errors
def run_shop(open_path: Optional[str]) -> None:
    from buynow_tui.launch import NEEDS_A_TERMINAL, not_a_terminal

    if not_a_terminal():
        typer.echo(NEEDS_A_TERMINAL, err=True)
        raise typer.Exit(1)
    from buynow_tui.app import run

    run(paths(), open_path=open_path)


# -- catalog ---------------------------------------------------------------------------


@app.command()
@cli_errors
def seed(
    file: Optional[Path] = typer.Argument(None, help="A .csv or .json catalog; the shipped one if omitted."),
    generate: Optional[int] = typer.Option(None, "--generate", help="Add N synthetic products."),
    update: bool = typer.Option(
        False, "--update", help="Also change existing products' name, category, price, description and specs (never stock)."
    ),
    reset_stock: bool = typer.Option(
        False, "--reset-stock", help="Also set existing products' stock to the catalog's figure."
    ),
) -> None:
    """Add the catalog's products that are missing (by SKU); existing ones are left alone."""
    from buynow_tui.store import seed as seeding

    shop = opened()
    svc = shop.services
    if shop.seeded:
        typer.echo(f"A new shop: the demo catalog ({shop.seeded:,} products) is in.")
    if generate is not None:
        if generate < 1:
            fail("--generate takes a number of at least 1")
        if file is not None or update or reset_stock:
            fail("--generate makes new products: give it no FILE, --update or --reset-stock")
        added = 0
        with typer.progressbar(length=generate, label="Generating products", file=sys.stderr) as bar:

            def step(size: int) -> None:
                nonlocal added
                added += size
                bar.update(size)

            try:
                made = seeding.generate(generate, progress=step)
            except Exception as error:
                from buynow_tui.store.problems import for_admin

                problem = for_admin(error)
                if problem is None or not added:
                    raise
                # Each batch was committed on its own: say how far it got.
                fail(f"{problem} ({added:,} of {generate:,} products were added before that)")
        typer.echo(f"Generated {made:,} products.")
        return
    report = seeding.seed(svc.catalog, file, update=update, reset_stock=reset_stock)
    reset = f" ({report.stock_reset:,} with stock reset)" if reset_stock else ""
    line = f"Seeded: {report.added:,} added, {report.updated:,} updated{reset}, {report.skipped:,} skipped"
    if report.skipped and not (update or reset_stock):
        line += " (already in the shop; --update changes them)"
    elif report.skipped:
        line += " (already as the catalog has them)"
    typer.echo(line + ".")


def _products_table(items) -> None:  # type: ignore[no-untyped-def]
    from buynow_tui.store.views import format_money

    typer.echo(f"{'SKU':<14} {'NAME':<40} {'CATEGORY':<12} {'PRICE':>10} {'STOCK':>6}")
    for p in items:
        typer.echo(f"{p.sku:<14} {p.name[:40]:<40} {p.category[:12]:<12} {format_money(p.price_cents):>10} {p.stock:>6}")


@products_app.command("list")
@cli_errors
def products_list(
    category: Optional[str] = typer.Option(None, "--category", help="Only this category."),
    search: Optional[str] = typer.Option(None, "--search", help="Only products matching this text."),
    limit: int = typer.Option(200, "--limit", min=1, max=100000, help="At most this many rows."),
) -> None:
    """List products by name."""
    svc = services()
    if search:
        _products_table(svc.catalog.search(search, limit=min(limit, 500), category=category))
        return
    items: list = []
    cursor = None
    while len(items) < limit:
        page = svc.catalog.page(category=category, after=cursor, limit=min(500, limit - len(items)))
        items.extend(page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    _products_table(items)


@products_app.command("add")
@cli_errors
def products_add(
    sku: str = typer.Option(..., "--sku"),
    name: str = typer.Option(..., "--name"),
    price: str = typer.Option(..., "--price", help="In dollars, like 12.50."),
    stock: str = typer.Option(..., "--stock"),
    category: str = typer.Option(..., "--category", help="An existing category (in any case)."),
    new_category: bool = typer.Option(False, "--new-category", help="Make --category if no product has it yet."),
    description: str = typer.Option("", "--description"),
) -> None:
    """Add a product."""
    from buynow_tui.store.catalog import ProductInput

    item = ProductInput.build(sku=sku, name=name, category=category, price=price, stock=stock, description=description)
    with new_category_hint():
        product = services().catalog.add(item, new_category=new_category)
    typer.echo(f"Added {product.sku}: {product.name} at {product.price}.")


@contextmanager
def new_category_hint() -> Iterator[None]:
    """An unknown category's error says how to make it, on the same one line."""
    from buynow_tui.store.errors import UnknownCategory

    try:
        yield
    except UnknownCategory as error:
        fail(f"{error} To make it a new category, add --new-category.")


@products_app.command("update")
@cli_errors
def products_update(
    sku: str = typer.Argument(...),
    name: Optional[str] = typer.Option(None, "--name"),
    price: Optional[str] = typer.Option(None, "--price"),
    stock: Optional[str] = typer.Option(None, "--stock"),
    category: Optional[str] = typer.Option(None, "--category", help="An existing category (in any case)."),
    new_category: bool = typer.Option(False, "--new-category", help="Make --category if no product has it yet."),
    description: Optional[str] = typer.Option(None, "--description"),
) -> None:
    """Change a product's fields (the SKU in any case)."""
    with new_category_hint():
        product = services().catalog.update(
            sku, new_category=new_category, name=name, price=price, stock=stock, category=category,
            description=description,
        )
    typer.echo(f"Updated {product.sku}: {product.name} at {product.price}, stock {product.stock}.")


@products_app.command("remove")
@cli_errors
def products_remove(sku: str = typer.Argument(...)) -> None:
    """Remove a product (past orders keep their copy of it)."""
    svc = services()
    stored = svc.catalog.get_by_sku(sku).sku
    svc.catalog.remove(stored)
    typer.echo(f"Removed {stored}.")


@stock_app.command("set", context_settings={"ignore_unknown_options": True})
@cli_errors
def stock_set(sku: str = typer.Argument(...), quantity: str = typer.Argument(...)) -> None:
    """Set a product's stock."""
    product = services().catalog.set_stock(sku, quantity)
    typer.echo(f"{product.sku} stock is now {product.stock}.")


# -- users and orders -----------------------------------------------------------------


@users_app.command("list")
@cli_errors
def users_list() -> None:
    """List users."""
    typer.echo(f"{'ID':>5} {'EMAIL':<32} {'USERNAME':<20} {'JOINED':<16} {'ORDERS':>6}")
    for u in services().accounts.list_users():
        from buynow_tui.logs import escape_control

        joined = u.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{u.id:>5} {u.email[:32]:<32} {escape_control(u.username)[:20]:<20} {joined:<16} {u.orders:>6}")


@users_app.command("add")
@cli_errors
def users_add(
    email: str = typer.Option(..., "--email"),
    username: str = typer.Option(..., "--username"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    question: str = typer.Option("pet", "--question", help="Security question key (pet, mother, father, food, ...)."),
    answer: str = typer.Option(
        ..., "--answer", help="Answer to the security question: how a forgotten password is reset."
    ),
) -> None:
    """Add a user with the same rules as registering (a question and answer included:
    they are the only way to reset a forgotten password)."""
    if not password_stdin:
        fail("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    svc = services()
    user = svc.accounts.register(
        email=email, username=username, password=password, question=question, answer=answer, agreed=True
    )
    typer.echo(f"Added user {user.id}: {user.email}.")


@orders_app.command("list")
@cli_errors
def orders_list(user: Optional[str] = typer.Option(None, "--user", help="Only this user's orders (email).")) -> None:
    """List orders, newest first."""
    from buynow_tui.store.views import format_money

    typer.echo(f"{'ORDER':>6} {'EMAIL':<32} {'PLACED':<16} {'UNITS':>5} {'TOTAL':>10}")
    for o in services().orders.list_all(user):
        placed = o.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{o.id:>6} {o.email[:32]:<32} {placed:<16} {o.units:>5} {format_money(o.total_cents):>10}")


# -- database ---------------------------------------------------------------------------


@db_app.command("upgrade")
@cli_errors
def db_upgrade() -> None:
    """Apply pending migrations."""
    from buynow_tui.store.migrate import upgrade

    services(migrate=False)
    done = upgrade()
    typer.echo("Applied: " + ", ".join(done) if done else "Already up to date.")


@db_app.command("downgrade")
@cli_errors
def db_downgrade(
    steps: int = typer.Option(1, "--steps", min=1, help="How many migrations to undo."),
    yes: bool = typer.Option(False, "--yes", help="Drop tables that hold rows without asking."),
) -> None:
    """Undo the latest migration(s). Dropping tables that hold rows (users, orders, ...)
    needs --yes or a "y" at the prompt; on SQLite a backup copy is made first."""
    from buynow_tui.store.db import backup_sqlite, is_sqlite
    from buynow_tui.store.errors import describe_rows
    from buynow_tui.store.migrate import downgrade, downgrade_plan

    services(migrate=False)
    plan = downgrade_plan(steps)
    if not plan.migrations:
        typer.echo("Nothing to revert.")
        return
    lost = describe_rows(plan.lost)
    if plan.loses_rows:
        what = f"reverting {', '.join(plan.migrations)} drops {lost}"
        if not yes:
            if not sys.stdin.isatty():
                fail(f"{what}; nothing was changed (give --yes to drop them)")
            if not typer.confirm(f"{what[0].upper()}{what[1:]}. Drop them?", default=False, err=True):
                fail("nothing was changed")
        if is_sqlite():
            backup = backup_sqlite(paths().home, "before-downgrade")
            typer.echo(f"Backup of the database: {backup}")
        else:
            typer.echo("No backup was made (PostgreSQL: take one with pg_dump).")
    undone = downgrade(steps, accept_loss=True)
    typer.echo("Reverted: " + ", ".join(undone))
    if plan.loses_rows:
        empty = len(plan.rows) - len(plan.lost)
        also = f" and {empty} empty table{'s' if empty != 1 else ''}" if empty else ""
        typer.echo(f"Dropped: {lost}{also}.")


@db_app.command("current")
@cli_errors
def db_current() -> None:
    """Show the applied and pending migrations."""
    from buynow_tui.store.migrate import status as migration_state

    services(migrate=False)
    st = migration_state()
    typer.echo(f"Current: {st.current or 'none'}")
    if st.pending:
        typer.echo("Pending: " + ", ".join(st.pending))


@app.command("paths")
def paths_cmd() -> None:
    """Where the database, logs, config and SSH host key live."""
    import os

    from buynow_tui.paths import masked_url

    p = paths()
    typer.echo(f"home      {p.home}")
    typer.echo(f"database  {masked_url(os.environ.get('BUYNOW_DATABASE_URL') or '') or p.database}")
    typer.echo(f"logs      {p.logs}")
    typer.echo(f"config    {p.config}")
    from buynow_tui.ssh.hostkey import fingerprint_of, host_key_path

    key_file = host_key_path(p)
    typer.echo(f"host key  {key_file}")
    fingerprint = fingerprint_of(key_file) if key_file.exists() else None
    if fingerprint:
        typer.echo(f"host key fingerprint  {fingerprint}")


# -- the SSH server -----------------------------------------------------------------------


@app.command()
@cli_errors
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="BUYNOW_SSH_HOST", help="Address to listen on."
    ),
    port: int = typer.Option(
        2222,
        "--port",
        envvar="BUYNOW_SSH_PORT",
        min=0,
        max=65535,
        help="Port to listen on (0: any free port).",
    ),
    host_key: Optional[Path] = typer.Option(
        None,
        "--host-key",
        envvar="BUYNOW_HOST_KEY",
        help="Ed25519 host key file (made if missing); default in the home folder.",
    ),
    max_sessions: int = typer.Option(
        50, "--max-sessions", envvar="BUYNOW_SSH_MAX_SESSIONS", help="Sessions at once, in total."
    ),
    max_per_address: int = typer.Option(
        5,
        "--max-per-address",
        envvar="BUYNOW_SSH_MAX_PER_ADDRESS",
        help="Sessions at once from one address.",
    ),
    connections_per_minute: int = typer.Option(
        20,
        "--connections-per-minute",
        envvar="BUYNOW_SSH_CONNECTIONS_PER_MINUTE",
        help="New connections per minute from one address.",
    ),
    max_starting: int = typer.Option(
        8,
        "--max-starting",
        envvar="BUYNOW_SSH_MAX_STARTING",
        help="Sessions starting their app at once.",
    ),
    login_timeout: float = typer.Option(
        30,
        "--login-timeout",
        envvar="BUYNOW_SSH_LOGIN_TIMEOUT",
        help="Seconds a client has to log in.",
    ),
    idle_timeout: float = typer.Option(
        900,
        "--idle-timeout",
        envvar="BUYNOW_SSH_IDLE_TIMEOUT",
        help="Seconds without a keystroke before a session ends.",
    ),
    session_cap: float = typer.Option(
        7200,
        "--session-cap",
        envvar="BUYNOW_SSH_SESSION_CAP",
        help="Seconds a session may last at most.",
    ),
    spawn: str = typer.Option(
        "fork",
        "--spawn",
        envvar="BUYNOW_SSH_SPAWN",
        help="How sessions start: fork (from one pre-imported process: less memory, faster) or exec (a fresh interpreter each).",
    ),
) -> None:
    """Run the SSH server so shoppers can `ssh -p PORT host`."""
    from buynow_tui.ssh.hostkey import HostKeyError, host_key_path
    from buynow_tui.ssh.limits import Limits
    from buynow_tui.ssh.server import run

    try:
        limits = Limits(
            max_sessions=max_sessions,
            max_per_address=max_per_address,
            connections_per_minute=connections_per_minute,
            max_starting=max_starting,
            login_timeout=login_timeout,
            idle_timeout=idle_timeout,
            session_cap=session_cap,
        )
    except ValueError as error:
        fail(str(error))
    if spawn not in ("fork", "exec"):
        fail(f"--spawn must be fork or exec, not {spawn!r}")
    p = paths()
    try:
        code = run(p, host, port, limits, host_key_path(p, host_key), echo=typer.echo, spawn=spawn)
    except (HostKeyError, RuntimeError) as error:
        fail(str(error))
    raise typer.Exit(code)


@app.command()
def uptime() -> None:
    """Since when the SSH server runs, and how long ("not running" otherwise)."""
    from datetime import datetime, timezone

    from buynow_tui.ssh.state import format_duration, running_state

    state_ = running_state(paths().server_state)
    if state_ is None:
        typer.echo("not running")
        raise typer.Exit(1)
    started = state_.started_at
    up = (datetime.now(timezone.utc) - started).total_seconds()
    since = started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    typer.echo(f"running since {since} (pid {state_.pid}, {state_.host}:{state_.port})")
    typer.echo(f"up for        {format_duration(up)}")
    typer.echo(f"sessions      {state_.sessions_served} served, {state_.sessions_live} live")


def main() -> None:
    """Run the CLI; usage mistakes get one `error:` line too (exit 2), not a box."""
    try:  # Typer >= 0.20 vendors Click
        from typer._click import exceptions as click_exceptions
    except ImportError:  # pragma: no cover - older Typer on plain Click
        from click import exceptions as click_exceptions

    try:
        code = app(standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as shown:
        typer.echo(shown.ctx.get_help() if shown.ctx else str(shown))
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


if __name__ == "__main__":
    main()
