"""The `buynow` command and `python -m buynow_tui`: the shop, or the admin CLI.

`buynow` with no arguments or only `--open PAGE` (a shopper's terminal, every SSH
session) opens the shop without loading Typer: Typer, and the pydantic it uses to build
its parameters, take ~70 ms to import and set up, about half of what the shop added to
a bare Textual app's first frame. Any argument goes to the Typer CLI in
`buynow_tui.cli`, which parses it, reports mistakes and opens the shop for
`--home`/`--open` as before.

The no-argument path ends the same way the Typer one does: an expected failure (see
`expected_problem`) is one `error:` line and exit code 1, Ctrl-C exit code 130, and
anything else a traceback.

peewee imports every database server driver it finds installed when it is first
imported: psycopg2 alone took ~8 ms of the shop's start. A shop process on SQLite
never talks to a server (its database is fixed for its life), so it imports peewee
without them (`import_peewee_for`).
"""

from __future__ import annotations

import os
import sys

#: Frames per second Textual may draw (its default is 60): a key's result waits for the
#: next frame, so at 60 a search result took ~8 ms longer on average (bench/keystroke.py).
#: Frames are drawn only when something changed, so an idle shop costs nothing more.
FRAME_RATE = "120"


def prepare_environment() -> None:
    """Settings Textual reads when it is imported; an explicit TEXTUAL_FPS wins."""
    os.environ.setdefault("TEXTUAL_FPS", FRAME_RATE)


NEEDS_A_TERMINAL = "buynow needs a terminal; see buynow --help"


def main() -> None:
    prepare_environment()
    args = sys.argv[1:]
    if not args:
        sys.exit(open_shop())
    open_path = deep_link(args)
    if open_path is not None:
        sys.exit(open_shop(open_path))
    from buynow_tui.cli import main as cli_main

    cli_main()


def not_a_terminal() -> bool:
    """Whether the shop would start with no terminal to draw on or read keys from.

    `buynow | head` or `buynow > file` would start the full-screen app into a pipe and
    hang there. Every SSH session has a PTY, so it is unaffected. A process given a
    Textual driver of its own (`TEXTUAL_DRIVER`, as a web front end does) talks to
    that instead of a terminal.
    """
    if os.environ.get("TEXTUAL_DRIVER"):
        return False
    try:
        return not (sys.stdin.isatty() and sys.stdout.isatty())
    except (AttributeError, ValueError):  # closed, or replaced by something else
        return True


def deep_link(args: list[str]) -> str | None:
    """The page of exactly `--open PAGE` (or `--open=PAGE`), else None.

    Every SSH deep link (`ssh -t host cart`) starts its session this way, so it skips
    Typer too; the page is checked by the app (an unknown one shows Not found).
    """
    if len(args) == 2 and args[0] == "--open" and args[1] and not args[1].startswith("-"):
        return args[1]
    if len(args) == 1 and args[0].startswith("--open=") and len(args[0]) > len("--open="):
        return args[0][len("--open=") :]
    return None


def open_shop(open_path: str | None = None) -> int:
    """The shop in this terminal, home from `BUYNOW_HOME` or the platform's folder."""
    if not_a_terminal():
        print(NEEDS_A_TERMINAL, file=sys.stderr)
        return 1
    from buynow_tui.app import run
    from buynow_tui.paths import Paths

    try:
        paths = Paths.resolve()
        import_peewee_for(paths.database_url())
        run(paths, open_path=open_path)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        print(file=sys.stderr)
        print("error: aborted", file=sys.stderr)
        return 1
    except Exception as error:
        message = expected_problem(error)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


#: What peewee tries to import at its own import, besides sqlite3: server drivers.
SERVER_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


def import_peewee_for(database_url: str) -> None:
    """Import peewee; for a SQLite URL, without the server drivers it would load.

    Only for a process whose database is fixed, like the shop's: peewee keeps what it
    found at import, so this process would then get peewee's "driver not found" if it
    were asked for PostgreSQL. The drivers themselves stay importable.
    """
    if "peewee" in sys.modules or not database_url.lower().startswith("sqlite:"):
        return
    hidden = [name for name in SERVER_DRIVERS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` fails fast
    try:
        import peewee  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def expected_problem(error: BaseException) -> str | None:
    """The one line an admin sees for a failure that is not a bug; None for a bug."""
    from buynow_tui.store.errors import StoreError

    if isinstance(error, StoreError):
        return str(error)
    if "peewee" in sys.modules:  # only then can the error be one of its
        from peewee import DatabaseError, InterfaceError

        if isinstance(error, (DatabaseError, InterfaceError)):
            return f"the database refused the change: {database_problem(error)}"
    if isinstance(error, OSError):
        return f"{error.strerror or error}: {error.filename or ''}".rstrip(": ")
    if isinstance(error, UnicodeError):
        return "the input is not valid UTF-8 text"
    return None


def database_problem(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else error.__class__.__name__
    lowered = text.lower()
    if "disk" in lowered and "full" in lowered:
        return "the disk is full"
    if "readonly" in lowered or "read-only" in lowered:
        return "the database is read-only"
    if "locked" in lowered:
        return "the database is busy; try again"
    return text[:200]
