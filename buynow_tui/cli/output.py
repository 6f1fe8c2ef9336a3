"""What commands print and what they ask: `--format table|json|csv`, `--json`, and the
confirmation of a change that destroys or undoes (`--yes`, `--dry-run`).

Giving a command output formats (the lead's recipe for new commands, e.g. `orders
show|ship|...`):

1. Describe what it shows with `buynow_tui.formats`: a `Listing` of rows (dicts keyed
   by the columns' keys) for a list, a `Record` (with `parts` for nested rows, such as
   an order's lines) for one thing. Money as integer cents in a `money` column, times
   as datetimes in a `time` column: the JSON shape follows (see the README's
   Scripting section).
2. Add the two options to the command and hand them to `emit`::

       def orders_show(
           number: int = typer.Argument(...),
           form: Format | None = FORMAT_OPTION,
           as_json: bool = JSON_OPTION,
       ) -> None:
           emit(Record(fields, values, parts=[("lines", lines)]), form, as_json)

A command that destroys or undoes adds `yes: bool = YES_OPTION, dry_run: bool =
DRY_RUN_OPTION` and, before changing anything, calls `confirm("cancel order 12 ...",
yes=yes, dry_run=dry_run)`: on a terminal it asks "Cancel order 12 ...? [y/N]"; without
a terminal on stdin it refuses (one line, exit 1) unless `--yes`; with `--dry-run` it
prints "Would cancel order 12 ...; nothing was changed." and exits 0.

Tables are cut (with "…") only to fit the terminal stdout is; piped, nothing is cut.
A reader that goes away (`| head -1`) ends the command quietly.
"""

from __future__ import annotations

import os
import shutil
import sys

import typer

from buynow_tui.cli.shared import fail
from buynow_tui.formats import Document, Format, render

FORMAT_OPTION = typer.Option(
    None,
    "--format",
    case_sensitive=False,
    help="table (the default; cut only to fit a terminal), json or csv: full values.",
)
JSON_OPTION = typer.Option(False, "--json", help="Short for --format json.")
YES_OPTION = typer.Option(False, "--yes", "-y", help="Do it without asking.")
DRY_RUN_OPTION = typer.Option(False, "--dry-run", help="Say what would change; change nothing.")


def chosen(form: Format | None, as_json: bool) -> Format:
    """The format asked for; `--json` with another `--format` is a usage error."""
    if as_json and form not in (None, Format.JSON):
        fail(f"--json and --format {form.value} ask for different formats; give one", code=2)
    return Format.JSON if as_json else (form or Format.TABLE)


def terminal_width() -> int | None:
    """The columns of the terminal stdout is, or None when stdout is not a terminal."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


def write_out(text: str) -> None:
    """Write `text` to stdout; a reader that went away ends the command quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # `| head -1` has what it wanted. Point stdout at nothing, so the interpreter's
        # own flush at exit has nowhere to fail, and end with no word on stderr.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        raise typer.Exit(1) from None


def emit(document: Document, form: Format | None, as_json: bool) -> None:
    """Print `document` in the format asked for; its note (if any) goes to stderr."""
    write_out(render(document, chosen(form, as_json), width=terminal_width()))
    if document.note:
        typer.echo(document.note, err=True)


def confirm(
    change: str, *, yes: bool, dry_run: bool, needed: bool = True, question: str | None = None
) -> None:
    """Go on only once `change` ("remove SKU-1 (Smart Watch)") is confirmed.

    `--dry-run` says what would change and exits 0; `needed=False` (nothing is lost)
    goes on without asking; `--yes` goes on; on a terminal the admin is asked "…?
    [y/N]"; without one the command refuses in one line (exit 1). Nothing has changed
    when this refuses. `question` words the prompt otherwise than "Change?".
    """
    if dry_run:
        typer.echo(f"Would {change}; nothing was changed.")
        raise typer.Exit(0)
    if yes or not needed:
        return
    try:
        interactive = sys.stdin.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive:
        fail(f"{change}: not confirmed, nothing was changed (give --yes to do it without asking)")
    asked = question or change[0].upper() + change[1:] + "?"
    # Asked on stderr and read here: Click's prompt would put its last character on
    # stdout, into what a script may be reading.
    sys.stderr.write(f"{asked} [y/N] ")
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        fail("nothing was changed")
