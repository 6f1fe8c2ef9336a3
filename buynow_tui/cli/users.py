"""The users' commands: `users list` and `users add`."""

from __future__ import annotations

import sys

import typer

from buynow_tui import formats as f
from buynow_tui.cli.output import FORMAT_OPTION, JSON_OPTION, emit
from buynow_tui.cli.shared import cli_errors, fail, services
from buynow_tui.formats import Format
from buynow_tui.store.validation import QUESTIONS

users_app = typer.Typer(help="See and add users.", no_args_is_help=True)

USER_COLUMNS = (
    f.number("id"),
    f.text("email"),
    f.text("username"),
    f.time("joined_at", "JOINED"),
    f.number("orders"),
)


@users_app.command("list")
@cli_errors
def users_list(form: Format | None = FORMAT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """List users."""
    rows = [
        {
            "id": u.id,
            "email": u.email,
            "username": u.username,
            "joined_at": u.created_at,
            "orders": u.orders,
        }
        for u in services().accounts.list_users()
    ]
    emit(f.Listing(USER_COLUMNS, rows), form, as_json)


QUESTION_KEYS = ", ".join(QUESTIONS)


@users_app.command("add")
@cli_errors
def users_add(
    email: str = typer.Option(..., "--email"),
    username: str = typer.Option(..., "--username"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    question: str = typer.Option(
        "pet", "--question", help=f"Security question key: one of {QUESTION_KEYS}."
    ),
    answer: str = typer.Option(
        ..., "--answer", help="Answer to the security question: how a forgotten password is reset."
    ),
) -> None:
    """Add a user with the same rules as registering (a question and answer included:
    they are the only way to reset a forgotten password)."""
    if question not in QUESTIONS:
        from buynow_tui.logs import escape_control

        fail(f"unknown --question {escape_control(question[:40])!r}: use one of {QUESTION_KEYS}")
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
