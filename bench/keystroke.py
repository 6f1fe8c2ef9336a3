"""Keystroke latency on the real Shop: a key written to the app's terminal until the
screen shows what it did.

`python -m buynow_tui` runs on a real PTY (120x40, its own session) on the bench's
home with 100,100 products; what it writes is fed to a small terminal screen
(bench/screen.py), so the bench reads what the screen shows *now*, line by line, as a
shopper would. Three things are timed:

- **search result** (`keystroke_p95_ms`): `/` focuses the Shop's search box; each
  character of a phrase is written and the clock stops when the screen shows the
  result for the text typed so far: the first rows of the table are the first
  products `Catalog.search` returns for that text (worked out by the bench in-process
  on the same database, before the app starts) and the status line has their count,
  or, for no match, the "No products match" line names that text. A keystroke whose
  result looks exactly like the one before (the same first rows and count: "head" ->
  "headp") cannot be seen on the screen; it is typed but not timed, and counted. The
  Shop searches at once on each key (one search at a time; keys typed while one runs
  are searched together when it is done), so nothing here is a deliberate wait.
- **echo**: the same keystrokes, until the search box shows the text typed so far.
- **move**: down (then up) arrow in the product table, until the highlighted row is
  the next one (the cell style of the highlight moves).

A row matches an expected product as a shopper reads it: its Name cell (found from
the header's columns) is the name, or, cut to fit ("Tempered Glass Screen Prot…"),
its visible part is the start of the name. A step whose screen does not come within
STEP_TIMEOUT (slow, or not what was expected) is recorded as missed, with what the
screen read, and the run goes on with the next phrase; only an app that has exited
ends it early. The figures are over the steps that were seen.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

from bench.screen import Screen
from bench.search import percentile
from bench.startup import StartupTimeout, _stop

# Phrases chosen so that most keystrokes change what the screen shows (product
# numbers and prices narrow the result with every digit), with a few that do not
# ("headphone" is the same first rows from "head" on) and hostile text.
TYPED = [
    "headphone",
    "smart wat",
    "150",
    "usb-c ch",
    "[/",
    "12345",
    "cam 48213",
    "98761",
    "pro lap 5309",
    "tablet 7777",
    "249.00",
    "travel zoom",
    "zzq",
    "100% cotton",
    "mini 31415",
    "speaker 2718",
]
CLEAR = b"\x15"  # ctrl+u: delete everything left of the cursor in a Textual Input
DOWN, UP = b"\x1b[B", b"\x1b[A"
ROWS_COMPARED = 8  # first table rows that must match the expected result
MOVES = 20  # down-arrow presses (then as many up) per round; the page stays in view
STEP_TIMEOUT = 10.0  # seconds a step's screen may take before the step counts as missed
ELLIPSIS = "…"


class AppGone(RuntimeError):
    """The app under test exited: no later step can be seen."""


class PtyApp:
    """A child process on a PTY whose output is kept on a `Screen`."""

    def __init__(
        self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (40, 120)
    ) -> None:
        rows, cols = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
            close_fds=True,
            env=dict(env, TERM="xterm-256color"),
        )
        os.close(slave)
        self.screen = Screen(cols, rows)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def pump(self, timeout: float) -> bool:
        """Feed the screen whatever arrives within `timeout`; False if nothing did."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            self.screen.feed(os.read(self.master, 65536))
        except OSError:  # EIO: the child closed its terminal
            self.proc.wait(timeout=10)
            return False
        return True

    def wait_until(
        self, condition: Callable[[Screen], bool], what: str, timeout: float = 30.0
    ) -> None:
        deadline = time.perf_counter() + timeout
        while not condition(self.screen):
            left = deadline - time.perf_counter()
            if self.proc.poll() is not None:
                raise AppGone(
                    f"{what} not shown: the app exited ({self.proc.returncode}); "
                    "the screen reads:\n" + self.screen.text()
                )
            if left <= 0:
                raise StartupTimeout(
                    f"{what} not shown in {timeout:g} s; the screen reads:\n" + self.screen.text()
                )
            self.pump(min(left, 0.5))

    def settle(self, seconds: float) -> None:
        """Keep reading for `seconds` (the app's late redraws land on the screen)."""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            self.pump(left)

    def close(self) -> None:
        _stop(self.proc)
        os.close(self.master)


# -- what the screen should show ---------------------------------------------------------


def expected_results(home: Path, phrases: list[str]) -> dict[str, tuple]:
    """For every prefix typed, what the Shop shows: (first names, count) or ("none", text).

    The same call the Shop makes (`Catalog.search(text, limit=SEARCH_LIMIT)`, no
    category, sorted by name: the order search returns, best first), on the same
    database; the count is the true total of matches the status line shows.
    """
    from buynow_tui.screens.shop import SEARCH_LIMIT
    from buynow_tui.store.catalog import Catalog
    from buynow_tui.store.db import close_db, init_db

    init_db(f"sqlite:///{home / 'buynow.db'}")
    try:
        catalog = Catalog()
        seen: dict[str, tuple] = {}
        for phrase in phrases:
            for n in range(1, len(phrase) + 1):
                text = phrase[:n].strip()
                if text in seen:
                    continue
                found = catalog.search(text, limit=SEARCH_LIMIT)
                seen[text] = (
                    (tuple(p.name for p in found.items[:ROWS_COMPARED]), found.total)
                    if found.items
                    else ("none", text)
                )
        return seen
    finally:
        close_db()


def name_matches(cell: str, name: str) -> bool:
    """A Name cell as drawn shows `name`: whole, or cut to fit with "…" after its start."""
    if cell == name:
        return True
    return cell.endswith(ELLIPSIS) and len(cell) > 1 and name.startswith(cell[: -len(ELLIPSIS)])


def name_cells(screen: Screen) -> tuple[int, list[str]] | None:
    """The table's header row and the Name cell of every row below it, as drawn.

    The Name column runs from the header's "Name" to the blank before "Category"."""
    for row in range(screen.rows):
        line = screen.line(row)
        name, category = line.find("Name"), line.find("Category")
        if 0 <= name < category:
            return row, [
                screen.cells(r, name, category - 1).rstrip() for r in range(row + 1, screen.rows)
            ]
    return None


def shows_result(expected: tuple) -> Callable[[Screen], bool]:
    first, count = expected
    if first == "none":
        # The empty message names the search: No products match “text”.
        return lambda screen: any(
            "No products match" in line and f"“{count}”" in line for line in screen.lines()
        )

    def check(screen: Screen) -> bool:
        table = name_cells(screen)
        if table is None:
            return False
        header, cells = table
        if len(cells) < len(first) or not all(
            name_matches(cell, name) for cell, name in zip(cells, first, strict=False)
        ):
            return False
        # The status line: "4,640 results · page 1 of 93", the true count of matches.
        return any(line.strip().startswith(f"{count:,} result") for line in screen.lines()[header:])

    return check


def echoes(row: int, typed: str) -> Callable[[Screen], bool]:
    """The search box (on `row`) shows `typed`; an empty box shows its placeholder."""
    want = typed.rstrip()
    if not want:
        return lambda screen: screen.line(row).strip(" ▊▎").startswith("Search by")
    return lambda screen: screen.line(row).strip(" ▊▎").rstrip() == want


# -- the measurement -----------------------------------------------------------------------


class Steps:
    """Waits on the app's screen; one that times out is recorded as missed, not raised."""

    def __init__(self, app: PtyApp) -> None:
        self.app = app
        self.missed: list[dict] = []

    def wait(
        self, condition: Callable[[Screen], bool], what: str, timeout: float = STEP_TIMEOUT
    ) -> bool:
        """True once the screen shows `what`; False (and the step missed) after `timeout`.
        `AppGone` when the app exits: nothing after that can be seen."""
        try:
            self.app.wait_until(condition, what, timeout)
        except StartupTimeout:
            self.miss(what, f"not shown in {timeout:g} s")
            return False
        return True

    def miss(self, what: str, reason: str) -> None:
        self.missed.append({"step": what, "reason": reason, "screen": self.app.screen.text()})


def shop_search_box_p95(home: Path, env: dict[str, str], *, rounds: int = 1) -> dict:
    """Key to search result (and to echo, and arrow to highlight) on the real Shop, in ms."""
    expected = expected_results(home, TYPED)
    app = PtyApp([sys.executable, "-m", "buynow_tui"], dict(env, BUYNOW_HOME=str(home)))
    steps = Steps(app)
    result_ms: list[float] = []
    echo_ms: list[float] = []
    move_ms: list[float] = []
    unseen = 0
    ended: str | None = None  # why the run stopped early, if it did
    try:
        if not steps.wait(
            lambda s: (
                s.find("BuyNow") is not None
                and name_cells(s) is not None
                and s.find("Page 1 of") is not None
            ),
            "the Shop's first page",
            timeout=60,
        ):
            raise AppGone("the Shop's first page never came")
        box_row = app.screen.find("Search by name or price")
        table = name_cells(app.screen)
        assert box_row is not None and table is not None  # both were just seen
        first_row = table[0] + 1
        for _ in range(rounds):
            # The Shop opens with the cursor in its search box: down goes into the list
            # (its first row highlighted), and the moves are timed from there.
            app.send(DOWN)
            if steps.wait(lambda s: s.find("a Add") is not None, "the list focused"):
                move_ms += _moves(app, steps, first_row)
            app.send(b"/")
            if not steps.wait(
                lambda s: s.find("Leave search") is not None, "the search box focused"
            ):
                continue
            for phrase in TYPED:
                if not echoes(box_row, "")(app.screen):
                    # Wait for ctrl+u to be done before the next key: Textual runs a bound
                    # key (ctrl+u, backspace) after printable keys that came in the same
                    # read (Textual issue #6605), so "\x15h" would lose the "h".
                    app.send(CLEAR)
                    if not steps.wait(echoes(box_row, ""), "an empty search box"):
                        continue
                if not steps.wait(
                    lambda s: s.find("Page 1 of") is not None, "the first page again"
                ):
                    continue
                previous: tuple | None = None
                for n in range(1, len(phrase) + 1):
                    typed = phrase[:n]
                    want = expected[typed.strip()]
                    start = time.perf_counter()
                    app.send(phrase[n - 1].encode())
                    if typed.rstrip() == typed:  # a trailing space shows no text
                        if not steps.wait(echoes(box_row, typed), f"the echo of {typed!r}"):
                            break  # the rest of this phrase would be typed blind
                        echo_ms.append((time.perf_counter() - start) * 1000)
                    if want == previous:
                        unseen += 1  # looks the same as before: let it run, do not time it
                        app.settle(0.25)
                        continue
                    if not steps.wait(shows_result(want), f"the result for {typed!r}"):
                        break
                    result_ms.append((time.perf_counter() - start) * 1000)
                    previous = want
            app.send(b"\x1b")  # leave the search: the table has the focus again
            steps.wait(lambda s: s.find("Leave search") is None, "the search box left")
            app.settle(0.3)
    except AppGone as error:
        ended = str(error).split("\n", 1)[0]
        steps.miss("the rest of the run", ended)
    finally:
        app.close()
    return {
        "keystrokes": len(result_ms),
        "p50_ms": _percentile(result_ms, 0.5),
        "p95_ms": _percentile(result_ms, 0.95),
        "max_ms": max(result_ms, default=None),
        "not_visible_keystrokes": unseen,
        "echo_keystrokes": len(echo_ms),
        "echo_p50_ms": _percentile(echo_ms, 0.5),
        "echo_p95_ms": _percentile(echo_ms, 0.95),
        "moves": len(move_ms),
        "move_p50_ms": _percentile(move_ms, 0.5),
        "move_p95_ms": _percentile(move_ms, 0.95),
        "rounds": rounds,
        "missed_steps": len(steps.missed),
        "missed": steps.missed,
        "ended_early": ended,
        "note": "the real Shop search box over 100,100 products, in a real PTY: key written "
        "to the result on the screen",
    }


def _percentile(values: list[float], q: float) -> float | None:
    """As `percentile`, or None (null in results.json) when no step was seen."""
    return percentile(values, q) if values else None


def _moves(app: PtyApp, steps: Steps, first_row: int) -> list[float]:
    """Down-arrow MOVES times, then up as many; ms until the highlight is on the next row.

    A move not seen ends the moves of this round (where the highlight is is unknown)."""
    screen = app.screen
    col = 2
    highlight = screen.style_at(first_row, col)
    if highlight == screen.style_at(first_row + 1, col):
        steps.miss("the highlighted row", "cannot tell the highlighted row apart")
        return []
    times = []
    for key, step in [(DOWN, 1)] * MOVES + [(UP, -1)] * MOVES:
        row = next(
            (r for r in range(first_row, screen.rows) if screen.style_at(r, col) == highlight),
            None,
        )
        if row is None:
            steps.miss("the highlighted row", "no row has the highlight's style")
            break
        target = row + step

        def moved(s: Screen, target: int = target, row: int = row) -> bool:
            return s.style_at(target, col) == highlight and s.style_at(row, col) != highlight

        start = time.perf_counter()
        app.send(key)
        if not steps.wait(moved, f"the highlight on row {target}"):
            break
        times.append((time.perf_counter() - start) * 1000)
    return times


if __name__ == "__main__":  # pragma: no cover - run it on its own: a home with a catalog
    import json

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    found = shop_search_box_p95(Path(sys.argv[1]), dict(os.environ, PYTHONPATH=str(root)), rounds=1)
    print(json.dumps(found, indent=2))
