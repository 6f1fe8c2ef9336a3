"""The `buynow` command and `python -m buynow_tui`: the shop, or the admin CLI.

`buynow` with no arguments or only `--open PAGE` (a shopper's terminal, every SSH
session) opens the shop without loading Typer: Typer, and the pydantic it uses to build
its parameters, take ~70 ms to import and set up, about half of what the shop added to
a bare Textual app's first frame. Any argument goes to the Typer CLI in
`buynow_tui.cli`, which parses it, reports mistakes and opens the shop for
`--home`/`--open` as before.

The no-argument path ends the same way the Typer one does: an expected failure (see
`store.problems.for_admin`) is one `error:` line and exit code 1, Ctrl-C exit code 130,
and anything else a traceback.

A shop process on SQLite never talks to a database server (its database is fixed for
its life), so it imports peewee without the server drivers
(`runtime.import_peewee_for`).
"""

from __future__ import annotations

import os
import sys

from buynow_tui.runtime import (
    NEEDS_A_TERMINAL,
    import_peewee_for,
    not_a_terminal,
    prepare_environment,
)

#: Set by the shell's completion script (`buynow --install-completion`), which runs
#: `buynow` with no arguments: that is the CLI completing, not a shopper.
COMPLETING = "_BUYNOW_COMPLETE"


def main() -> None:
    prepare_environment()
    args = sys.argv[1:]
    if not args and COMPLETING not in os.environ:
        sys.exit(open_shop())
    open_path = deep_link(args)
    if open_path is not None:
        sys.exit(open_shop(open_path))
    from buynow_tui.cli import main as cli_main

    cli_main()


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
        from buynow_tui.store.problems import error_line, for_admin

        message = for_admin(error)
        if message is None:
            raise
        print(error_line(message), file=sys.stderr)
        return 1
    return 0
