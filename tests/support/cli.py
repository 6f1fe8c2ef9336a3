"""The admin CLI as an admin runs it: `python -m buynow_tui ARGS` in a subprocess, on
the worktree's code (PYTHONPATH), with BUYNOW_HOME set to the test's home."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.support.repo import ROOT


def subprocess_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our environment for a subprocess of the worktree's code (PYTHONPATH), without the
    developer's own server settings (BUYNOW_SSH*, BUYNOW_HOST_KEY), plus `extra`."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    for name in [n for n in env if n.startswith("BUYNOW_SSH") or n == "BUYNOW_HOST_KEY"]:
        del env[name]  # the developer's own server settings must not leak into tests
    env.update(extra or {})
    return env


def stop_process(proc: subprocess.Popen[str], sig: int, timeout: float) -> str:
    """Send `sig` to a running server and collect what it wrote; killed if it outlives
    `timeout`. Its exit code is then `proc.returncode`."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return (out or "") + (err or "")


def cli_env(
    home: Path | None, extra: Mapping[str, str] | None = None, *, database_url: str | None = None
) -> dict[str, str]:
    """`subprocess_env` with `home` as BUYNOW_HOME and no BUYNOW_DATABASE_URL from our
    environment: a CLI run uses a database only when told (`database_url`, or `extra`)."""
    env = subprocess_env()
    env.pop("BUYNOW_DATABASE_URL", None)
    if home is not None:
        env["BUYNOW_HOME"] = str(home)
    if database_url is not None:
        env["BUYNOW_DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def run_cli(
    home: Path,
    *args: str | bytes,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    database_url: str | None = None,
    cwd: Path = ROOT,
    wrap: list[str] | None = None,
    preexec: Callable[[], None] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the CLI to the end. Without `stdin` it reads an empty stdin (/dev/null), as
    from a script; `wrap` runs it under another command (e.g. a resource limit)."""
    return subprocess.run(
        [*(wrap or []), sys.executable, "-m", "buynow_tui", *args],
        cwd=cwd,
        env=cli_env(home, env, database_url=database_url),
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        preexec_fn=preexec,
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The CLI refused: exit 1, no traceback, one `error: ...` line on stderr."""
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]
