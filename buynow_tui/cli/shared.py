"""What every command shares: one `error:` line for a failure, and the store it opens.

Every command turns an expected failure (`store.problems.for_admin`) into one line on
stderr and exit code 1: never a traceback, and nothing half-changed (the store's
transactions see to that). A command whose reader went away (`buynow products list |
head -1`) ends quietly. Imports stay light (no Textual, no peewee): the store is
imported when a command opens it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from buynow_tui.bootstrap import Opened
    from buynow_tui.paths import Paths
    from buynow_tui.store.services import Services

P = ParamSpec("P")
R = TypeVar("R")


class RootOptions:
    """The options given before the command (`buynow --home DIR products list`), for the
    command that runs after them."""

    home: Path | None = None


root = RootOptions()


def error_line(message: str) -> str:
    """`error: message` on one line, control characters escaped (`problems.error_line`)."""
    from buynow_tui.store.problems import error_line as line

    return line(message)


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(error_line(message), err=True)
    raise typer.Exit(code)


def cli_errors(func: Callable[P, R]) -> Callable[P, R]:
    """One line and a non-zero exit for every expected failure; never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
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

    return wrapper


def paths() -> Paths:
    from buynow_tui.paths import Paths

    return Paths.resolve(root.home)


def opened(*, migrate: bool = True) -> Opened:
    """The opened store: services, and whether it was seeded now."""
    from buynow_tui.bootstrap import open_store

    return open_store(paths(), migrate=migrate)


def services(*, migrate: bool = True) -> Services:
    return opened(migrate=migrate).services
