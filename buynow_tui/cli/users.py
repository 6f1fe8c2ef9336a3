"""The users' commands: `users list` and `users add`."""

from __future__ import annotations

import sys

import typer

from buynow_tui.cli.shared import cli_errors, fail, services

users_app = typer.Typer(help="See and add users.", no_args_is_help=True)


@users_app.command("list")
@cli_errors
def users_list() -> None:
    """List users."""
    from buynow_tui.logs import escape_control

    typer.echo(f"{'ID':>5} {'EMAIL':<32} {'USERNAME':<20} {'JOINED':<16} {'ORDERS':>6}")
    for u in services().accounts.list_users():
        joined = u.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{u.id:>5} {u.email[:32]:<32} {escape_control(u.username)[:20]:<20} "
            f"{joined:<16} {u.orders:>6}"
        )


@users_app.command("add")
@cli_errors
def users_add(
    email: str = typer.Option(..., "--email"),
    username: str = typer.Option(..., "--username"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    question: str = typer.Option(
        "pet", "--question", help="Security question key (pet, mother, father, food, ...)."
    ),
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
        email=email,
        username=username,
        password=password,
        question=question,
        answer=answer,
        agreed=True,
    )
    typer.echo(f"Added user {user.id}: {user.email}.")
