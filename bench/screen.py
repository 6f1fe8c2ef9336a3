"""A small terminal screen for the benchmarks: what a terminal would show, from what the app wrote.

Reading for a marker in the raw byte stream is fooled by partial redraws (Textual
redraws only the lines that changed) and by text that appears somewhere else (the
search box echoes what was typed). This keeps a grid of cells instead, so a benchmark
can ask what a given line of the screen reads *now*, and which style a cell has (the
table's highlighted row).

It understands what Textual writes: cursor positioning, erasing, SGR styles (kept as
their parameter text, only compared for equality), carriage return and line feed, and
wide characters; every other escape sequence (modes, OSC, queries) is skipped. The
benchmarks check it against tmux's own screen (`python bench/screen.py --check`).
"""

from __future__ import annotations

import codecs
import re

from rich.cells import get_character_cell_size

CSI = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])")
CSI_PREFIX = re.compile(r"\x1b\[[0-?]*[ -/]*\Z")  # a CSI cut short by the end of a read
OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
DCS = re.compile(r"\x1bP[^\x1b]*\x1b\\")
ESC2 = re.compile(r"\x1b[ -/]*[0-~]")  # two-character escapes (ESC 7, ESC =, ESC ( B, ...)
TEXT = re.compile(r"[^\x00-\x1f\x7f]+")


class Screen:
    """A grid of `cols` x `rows` cells; `feed` it the bytes the app wrote."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.chars = [[" "] * cols for _ in range(rows)]
        self.styles = [[""] * cols for _ in range(rows)]
        self.x = self.y = 0
        self.style = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._held = ""

    # -- reading --------------------------------------------------------------------
    def line(self, row: int) -> str:
        """Row `row` (0-based) as text, right-stripped."""
        return "".join(c for c in self.chars[row] if c).rstrip()

    def lines(self) -> list[str]:
        return [self.line(r) for r in range(self.rows)]

    def text(self) -> str:
        return "\n".join(self.lines())

    def cells(self, row: int, start: int, stop: int) -> str:
        """The text of cells `start` to `stop - 1` of `row` (a wide character once)."""
        return "".join(self.chars[row][start:stop])

    def style_at(self, row: int, col: int) -> str:
        return self.styles[row][col]

    def find(self, needle: str) -> int | None:
        """The first row whose text contains `needle`."""
        for row in range(self.rows):
            if needle in self.line(row):
                return row
        return None

    # -- writing --------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        text = self._held + self._decoder.decode(data)
        self._held = ""
        pos, end = 0, len(text)
        while pos < end:
            char = text[pos]
            if char == "\x1b":
                if pos + 1 == end:
                    self._held = text[pos:]  # cut by the read: wait for the rest
                    return
                kind = text[pos + 1]
                pattern = {"[": CSI, "]": OSC, "P": DCS}.get(kind, ESC2)
                match = pattern.match(text, pos)
                if match is None:
                    unfinished = (
                        CSI_PREFIX.match(text, pos) is not None
                        if kind == "["
                        else kind in "]P" and end - pos < 4096
                    )
                    if unfinished:
                        self._held = text[pos:]
                        return
                    pos += 1  # not a sequence we know: drop the ESC
                    continue
                if kind == "[":
                    self._csi(match.group(1), match.group(2), match.group(3))
                pos = match.end()
            elif char >= " " and char != "\x7f":
                match = TEXT.match(text, pos)
                assert match is not None
                self._write(match.group(0))
                pos = match.end()
            else:
                if char == "\r":
                    self.x = 0
                elif char == "\n":
                    if self.y == self.rows - 1:
                        self._scroll()
                    else:
                        self.y += 1
                elif char == "\b":
                    self.x = max(0, self.x - 1)
                pos += 1

    def _scroll(self) -> None:
        del self.chars[0], self.styles[0]
        self.chars.append([" "] * self.cols)
        self.styles.append([""] * self.cols)

    def _write(self, text: str) -> None:
        row_chars, row_styles = self.chars[self.y], self.styles[self.y]
        style, cols = self.style, self.cols
        if text.isascii():
            room = cols - self.x
            if room <= 0:  # autowrap is off in Textual: the last column is overwritten
                self.x = cols - 1
                room = 1
                text = text[-1:]
            part = text[:room]
            n = len(part)
            row_chars[self.x : self.x + n] = part
            row_styles[self.x : self.x + n] = [style] * n
            self.x = min(self.x + n, cols)
            return
        for char in text:
            width = get_character_cell_size(char)
            if width == 0:
                continue
            if self.x + width > cols:
                self.x = cols - width
            row_chars[self.x] = char
            row_styles[self.x] = style
            if width == 2:
                row_chars[self.x + 1] = ""  # the right half of a wide character
                row_styles[self.x + 1] = style
            self.x += width

    def _csi(self, params: str, intermediate: str, final: str) -> None:
        if intermediate or (params and params[0] in "<=>?"):
            return  # modes, queries, keyboard protocol: nothing drawn
        if final == "m":
            if params in ("", "0"):
                self.style = ""
            elif params.startswith("0;"):
                self.style = params[2:]
            else:
                self.style = f"{self.style};{params}" if self.style else params
            return
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(index: int, default: int) -> int:
            return numbers[index] if len(numbers) > index and numbers[index] else default

        if final in "Hf":
            self.y = min(max(arg(0, 1) - 1, 0), self.rows - 1)
            self.x = min(max(arg(1, 1) - 1, 0), self.cols - 1)
        elif final == "A":
            self.y = max(0, self.y - arg(0, 1))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + arg(0, 1))
        elif final == "C":
            self.x = min(self.cols - 1, self.x + arg(0, 1))
        elif final == "D":
            self.x = max(0, self.x - arg(0, 1))
        elif final == "G":
            self.x = min(max(arg(0, 1) - 1, 0), self.cols - 1)
        elif final == "d":
            self.y = min(max(arg(0, 1) - 1, 0), self.rows - 1)
        elif final == "K":
            mode = arg(0, 0)
            start, stop = {0: (self.x, self.cols), 1: (0, self.x + 1)}.get(mode, (0, self.cols))
            self._blank(self.y, start, stop)
        elif final == "J":
            mode = arg(0, 0)
            if mode == 0:
                self._blank(self.y, self.x, self.cols)
                rows = range(self.y + 1, self.rows)
            elif mode == 1:
                self._blank(self.y, 0, self.x + 1)
                rows = range(self.y)
            else:
                rows = range(self.rows)
            for row in rows:
                self._blank(row, 0, self.cols)

    def _blank(self, row: int, start: int, stop: int) -> None:
        for col in range(start, stop):
            self.chars[row][col] = " "
            self.styles[row][col] = self.style


def _check_against_tmux() -> int:  # pragma: no cover - a manual check
    """Run the shop in tmux and in a PTY side by side; compare the screens."""
    import os
    import shutil
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from bench.keystroke import PtyApp

    home = Path(tempfile.mkdtemp(prefix="buynow-screen-"))
    env = dict(os.environ, PYTHONPATH=str(root), BUYNOW_HOME=str(home))
    subprocess.run(
        [sys.executable, "-m", "buynow_tui", "seed"], env=env, check=True, capture_output=True
    )
    steps = [b"", b"/", b"hea", b"d", b"\x15", b"[/", b"\x1b", b"\x1b[B", b"\x1b[B"]
    tmux = ["tmux", "-L", f"buynow-screen-{os.getpid()}"]
    command = (
        f"env PYTHONPATH={root} BUYNOW_HOME={home} TERM=xterm-256color"
        f" {sys.executable} -m buynow_tui"
    )
    subprocess.run([*tmux, "new", "-d", "-s", "s", "-x", "120", "-y", "40", command], check=True)
    app = PtyApp([sys.executable, "-m", "buynow_tui"], env)
    mismatches = 0
    try:
        app.settle(4)
        for step in steps:
            if step:
                app.send(step)
                subprocess.run([*tmux, "send-keys", "-t", "s", "-l", step.decode()], check=True)
            app.settle(1.5)
            theirs = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "s"], check=True, capture_output=True, text=True
            ).stdout.splitlines()
            ours = app.screen.lines()
            for n, (a, b) in enumerate(zip(ours, theirs + [""] * 40, strict=False)):
                if a.rstrip() != b.rstrip():
                    mismatches += 1
                    print(f"after {step!r} row {n}:\n  ours : {a!r}\n  tmux : {b!r}")
        print("same screens" if not mismatches else f"{mismatches} rows differ")
    finally:
        app.close()
        subprocess.run([*tmux, "kill-server"], check=False)
        shutil.rmtree(home, ignore_errors=True)
    return 1 if mismatches else 0


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] == ["--check"]:
        raise SystemExit(_check_against_tmux())
    print(__doc__)
