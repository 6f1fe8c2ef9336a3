"""The database's commands: `db upgrade`, `db downgrade`, `db current` and `db reindex`."""

from __future__ import annotations

import typer

from buynow_tui import formats as f
from buynow_tui.cli.output import DRY_RUN_OPTION, FORMAT_OPTION, JSON_OPTION, confirm, emit
from buynow_tui.cli.shared import cli_errors, paths, services
from buynow_tui.formats import Format

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
CURRENT_FIELDS = (f.text("current"), f.strings("applied"), f.strings("pending"))


@db_app.command("upgrade")
@cli_errors
def db_upgrade() -> None:
    """Apply pending migrations."""
    from buynow_tui.store.migrate import upgrade

    svc = services(migrate=False)
    done = upgrade(clock=svc.clock)
    typer.echo("Applied: " + ", ".join(done) if done else "Already up to date.")


@db_app.command("downgrade")
@cli_errors
def db_downgrade(
    steps: int = typer.Option(1, "--steps", min=1, help="How many migrations to undo."),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Drop tables that hold rows without asking."
    ),
    dry_run: bool = DRY_RUN_OPTION,
) -> None:
    """Undo the latest migration(s). Dropping tables that hold rows (users, orders, ...)
    needs --yes or a "y" at the prompt; on SQLite a backup copy is made first."""
    from buynow_tui.store.db import backup_sqlite, is_sqlite
    from buynow_tui.store.errors import describe_rows
    from buynow_tui.store.migrate import downgrade, downgrade_plan

    clock = services(migrate=False).clock
    plan = downgrade_plan(steps, clock=clock)
    if not plan.migrations:
        typer.echo("Nothing to revert.")
        return
    lost = describe_rows(plan.lost)
    what = f"revert {', '.join(plan.migrations)}"
    if plan.loses_rows:
        what += f", dropping {lost}"
    confirm(
        what,
        yes=yes,
        dry_run=dry_run,
        needed=plan.loses_rows,
        question=f"Reverting {', '.join(plan.migrations)} drops {lost}. Drop them?",
    )
    if plan.loses_rows:
        if is_sqlite():
            backup = backup_sqlite(paths().home, "before-downgrade", clock=clock)
            typer.echo(f"Backup of the database: {backup}")
        else:
            typer.echo("No backup was made (PostgreSQL: take one with pg_dump).")
    undone = downgrade(steps, accept_loss=True, clock=clock)
    typer.echo("Reverted: " + ", ".join(undone))
    if plan.loses_rows:
        empty = len(plan.rows) - len(plan.lost)
        also = f" and {empty} empty table{'s' if empty != 1 else ''}" if empty else ""
        typer.echo(f"Dropped: {lost}{also}.")


@db_app.command("current")
@cli_errors
def db_current(form: Format | None = FORMAT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Show the applied and pending migrations."""
    from buynow_tui.store.migrate import status

    services(migrate=False)
    migrations = status()

    def lines() -> list[str]:
        shown = [f"Current: {migrations.current or 'none'}"]
        if migrations.pending:
            shown.append("Pending: " + ", ".join(migrations.pending))
        return shown

    values = {
        "current": migrations.current,
        "applied": migrations.applied,
        "pending": migrations.pending,
    }
    emit(f.Record(CURRENT_FIELDS, values, lines=lines), form, as_json)


@db_app.command("reindex")
@cli_errors
def db_reindex() -> None:
    """Rebuild every product's search document (after editing the database by hand)."""
    count = services().catalog.reindex()
    typer.echo(f"Reindexed {count:,} products for search.")
