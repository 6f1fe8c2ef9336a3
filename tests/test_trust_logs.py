"""Issue 11, logs: nothing typed in the wrong box is logged, no column can be forged,
many processes share the files without losing a line, and the files are private."""

from __future__ import annotations

import multiprocessing
import re
import stat
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.errors import AuthError
from buynow_tui.store.services import Services
from tests.support.store import register

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \| (INFO|WARNING|ERROR|CRITICAL)"
    r" \| buynow[\w.]* \| .* \| .*$"
)
WRITERS = 10
LINES_EACH = 300


def every_log(home: Path) -> str:
    return "".join(p.read_text("utf-8") for p in sorted((home / "logs").iterdir()))


# -- what is logged -----------------------------------------------------------------------


@pytest.mark.backends
def test_a_password_typed_into_the_email_box_never_reaches_a_log(
    services: Services, home: Path
) -> None:
    register(services)
    typed = "Hunter2-Canary-Pass!"
    with pytest.raises(AuthError):
        services.accounts.authenticate(typed, "correct horse")
    services.accounts.question_for(typed)
    with pytest.raises(AuthError):
        services.accounts.reset_password(typed, "Rex", "brand new secret")
    # An unknown address that looks like one keeps only its first letter and domain.
    with pytest.raises(AuthError):
        services.accounts.authenticate("Mallory.Secret@corp.example", "whatever")

    logged = every_log(home)
    for text in (typed, "hunter2", "mallory.secret"):
        assert text.lower() not in logged.lower(), text
    # Each failure is still logged, under a masked name.
    assert "failed log in for unknown identifier #" in logged
    assert "failed reset for unknown identifier #" in logged
    assert "failed log in for unknown m…@corp.example" in logged


def test_a_pipe_in_a_username_or_message_cannot_forge_a_column(
    services: Services, home: Path
) -> None:
    from buynow_tui.logs import get_logger

    register(services, username="eve | ERROR | forged")
    services.accounts.authenticate("ann@example.com", "correct horse")
    get_logger("test").warning("shopper typed %s", "a | b || c")

    lines = every_log(home).splitlines()
    assert lines
    for line in lines:
        assert LINE.match(line), line
        assert len(line.split(" | ")) == 5, line
    entered = next(line for line in lines if line.endswith("logged in"))
    assert entered.split(" | ")[3] == "eve \\x7c ERROR \\x7c forged"
    assert any(line.endswith("shopper typed a \\x7c b \\x7c\\x7c c") for line in lines)


# -- many processes, one set of files -----------------------------------------------------


def _writer(folder: str, number: int, barrier: Any) -> None:
    from buynow_tui.logs import get_logger, setup_logging

    setup_logging(Path(folder), max_bytes=20_000, backups=200)
    log = get_logger("test")
    barrier.wait(timeout=60)
    for n in range(LINES_EACH):
        log.info("writer %d line %d %s", number, n, "." * 60)


def in_order(folder: Path, name: str) -> list[str]:
    """Every line of a log and its backups, oldest first."""
    backups = sorted(
        (p for p in folder.glob(f"{name}.*") if p.suffix[1:].isdigit()),
        key=lambda p: int(p.suffix[1:]),
        reverse=True,
    )
    lines: list[str] = []
    for path in [*backups, folder / name]:
        text = path.read_text("utf-8")
        assert text.endswith("\n"), path.name  # no line cut short at the end of a file
        lines += text.splitlines()
    return lines


def test_ten_processes_writing_and_rotating_one_log_lose_and_double_nothing(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WRITERS)
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), n, barrier)) for n in range(WRITERS)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=120)
        assert proc.exitcode == 0

    for name in ("all.log", "info.log"):
        assert len(list(tmp_path.glob(f"{name}.*"))) > 10  # it really rotated, many times
        seen: dict[int, list[int]] = defaultdict(list)
        for line in in_order(tmp_path, name):
            assert LINE.match(line), line
            found = re.search(r"writer (\d+) line (\d+) \.{60}$", line)
            assert found is not None, line
            number, n = found.groups()
            seen[int(number)].append(int(n))
        # Every line of every writer once, in the order each wrote them.
        assert seen == {w: list(range(LINES_EACH)) for w in range(WRITERS)}, name
        assert all(p.stat().st_size <= 20_000 for p in tmp_path.glob(f"{name}*"))


# -- private files ------------------------------------------------------------------------


def test_log_files_are_created_private_and_old_ones_made_so(tmp_path: Path) -> None:
    from buynow_tui.logs import get_logger, setup_logging

    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "error.log").write_text("", "utf-8")
    (folder / "error.log").chmod(0o644)  # left by an older version
    setup_logging(folder, max_bytes=2_000, backups=2)
    for n in range(100):
        get_logger("test").info("line %d with some padding to fill the file", n)
    get_logger("test").warning("a warning")
    get_logger("test").error("an error")

    names = {p.name for p in folder.iterdir()}
    assert {"all.log", "all.log.1", "info.log", "warning.log", "error.log"} <= names
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
