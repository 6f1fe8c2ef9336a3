"""Remembered preferences: the theme chosen in the palette survives a restart, locally
(the settings file) and over SSH (bound to the key, in the store); `--theme`; one
high-contrast entry in the palette."""

from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from tests.support.app import file_mode, make_app, settle
from tests.support.cli import run_cli
from tests.support.ssh import Server, async_wait_for, connect, open_shop, start_server
from tests.test_shell import palette, palette_prompts, pick_first

KEY = "SHA256:q1w2e3r4t5y6"
SSH = {"BUYNOW_SSH": "1", "BUYNOW_SSH_FINGERPRINT": KEY}


async def choose_theme(pilot: Any, name: str) -> None:
    await palette(pilot, f"theme: {name}")
    await pick_first(pilot)
    await settle(pilot)
    assert pilot.app.theme == name


# -- locally: the settings file ---------------------------------------------------------
async def test_the_theme_survives_a_restart_locally(services: Any, home: Path) -> None:
    first = make_app(services, home, theme=None)
    async with first.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert first.theme == "textual-dark"
        await choose_theme(pilot, "nord")
    settings = home / "config" / "settings.json"
    assert json.loads(settings.read_text())["theme"] == "nord"
    assert file_mode(settings) == 0o600

    again = make_app(services, home, theme=None)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "nord"
        assert again.current_theme.name == "nord"


async def test_a_theme_given_wins_for_that_run_and_is_not_saved(services: Any, home: Path) -> None:
    first = make_app(services, home, theme=None)
    async with first.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await choose_theme(pilot, "gruvbox")
    given = make_app(services, home, theme="buynow-high-contrast")
    async with given.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert given.theme == "buynow-high-contrast"
    settings = json.loads((home / "config" / "settings.json").read_text())
    assert settings["theme"] == "gruvbox"


async def test_a_remembered_theme_that_no_longer_exists_is_ignored(
    services: Any, home: Path
) -> None:
    from buynow_tui.session import write_private

    write_private(home / "config" / "settings.json", json.dumps({"theme": "gone-theme"}))
    app = make_app(services, home, theme=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"


async def test_the_palette_has_one_high_contrast_entry(services: Any, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette(pilot, "high contrast")
        contrast = [p.splitlines()[0] for p in palette_prompts(app) if "contrast" in p.lower()]
        assert contrast == ["Theme: high contrast"], contrast
        await pick_first(pilot)
        assert app.theme == "buynow-high-contrast"


# -- over SSH: the store, by key --------------------------------------------------------
@pytest.mark.backends
def test_the_store_keeps_a_theme_per_key(services: Any) -> None:
    from buynow_tui.store.errors import ValidationError
    from buynow_tui.store.models import ClientPreference

    prefs = services.preferences
    assert prefs.theme_for_key(KEY) is None
    prefs.keep_theme_for_key(KEY, "nord")
    prefs.keep_theme_for_key(KEY, "dracula")
    prefs.keep_theme_for_key("SHA256:other", "nord")
    assert prefs.theme_for_key(KEY) == "dracula"
    assert prefs.theme_for_key("SHA256:other") == "nord"
    assert prefs.theme_for_key("") is None
    stored = {row.client_hash for row in ClientPreference.select()}
    assert KEY not in stored and all(len(h) == 64 for h in stored), "only a hash of the key"
    for bad in ("", "Nord!", "x" * 61, "[bold]"):
        with pytest.raises(ValidationError):
            prefs.keep_theme_for_key(KEY, bad)
    assert prefs.theme_for_key(KEY) == "dracula"


def _keep_themes(url: str, home: str, theme: str, start: Any) -> None:
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    services = open_store(Paths(Path(home))).services
    start.wait()
    for _ in range(30):
        services.preferences.keep_theme_for_key(KEY, theme)


@pytest.mark.backends
def test_sessions_of_one_key_choosing_at_once_leave_one_choice(
    services: Any, database_url: str, home: Path
) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    themes = ("nord", "dracula", "gruvbox", "monokai")
    workers = [
        context.Process(target=_keep_themes, args=(database_url, str(home), theme, start))
        for theme in themes
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0] * len(themes), "no upsert failed"
    from buynow_tui.store.models import ClientPreference

    assert services.preferences.theme_for_key(KEY) in themes
    assert ClientPreference.select().count() == 1


async def test_over_ssh_the_theme_is_kept_by_key_and_never_in_the_settings_file(
    services: Any, home: Path
) -> None:
    app = make_app(services, home, environ=SSH, theme=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await choose_theme(pilot, "dracula")
    assert services.preferences.theme_for_key(KEY) == "dracula"
    assert not (home / "config" / "settings.json").exists()
    again = make_app(services, home, environ=SSH, theme=None)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "dracula"
    keyless = make_app(
        services, home, environ={"BUYNOW_SSH": "1", "BUYNOW_SSH_FINGERPRINT": ""}, theme=None
    )
    async with keyless.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert keyless.theme == "textual-dark"
        await choose_theme(pilot, "nord")  # for this session only: nothing to bind it to
    assert services.preferences.theme_for_key(KEY) == "dracula"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "home"
    home.mkdir()
    running = start_server(home)
    yield running
    running.stop()
    running.kill_leftovers()


def theme_of_key(home: Path, fingerprint: str) -> str | None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    try:
        theme: str | None = open_store(Paths(home)).services.preferences.theme_for_key(fingerprint)
        return theme
    finally:
        close_db()


NORD_BACKGROUND = b"48;2;46;52;64"  # nord's #2E3440, in a truecolor terminal


async def test_over_real_ssh_the_theme_follows_the_key(server: Server) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519")
    fingerprint = str(key.get_fingerprint("sha256"))
    truecolor = {"COLORTERM": "truecolor"}
    async with await connect(server.port, key) as conn:
        term = await open_shop(conn, cols=100, rows=30, env=truecolor)
        await term.see(b"Read policy")
        await term.quiet()
        assert NORD_BACKGROUND not in term.data
        term.process.stdin.write(b"\x10")  # ctrl+p
        await term.see(b"earch for commands")  # the steady cursor is on its "S"
        term.process.stdin.write(b"theme: nord")
        await term.see(b"nord")
        await term.quiet()
        term.process.stdin.write(b"\x1b[B")  # down, then enter: the best hit
        await term.quiet()
        term.process.stdin.write(b"\r")
        await term.see(NORD_BACKGROUND)
        await async_wait_for(
            lambda: theme_of_key(server.home, fingerprint) == "nord", 10, "the theme to be kept"
        )
    async with await connect(server.port, key) as conn:
        term = await open_shop(conn, cols=100, rows=30, env=truecolor)
        await term.see(NORD_BACKGROUND)
    other = asyncssh.generate_private_key("ssh-ed25519")
    async with await connect(server.port, other) as conn:
        term = await open_shop(conn, cols=100, rows=30, env=truecolor)
        await term.see(b"Read policy")
        await term.quiet()
        assert NORD_BACKGROUND not in term.data, "another key keeps its own colours"


# -- the command line -------------------------------------------------------------------
def test_theme_on_the_command_line_good_and_bad(home: Path) -> None:
    bad = run_cli(home, "--theme", "sparkly")
    assert bad.returncode == 1
    assert bad.stderr.count("\n") == 1, bad.stderr
    assert bad.stderr.startswith("error: unknown theme 'sparkly'; use one of: ")
    assert "buynow-high-contrast" in bad.stderr and "Traceback" not in bad.stderr
    misplaced = run_cli(home, "--theme", "nord", "paths")
    assert misplaced.returncode == 1 and "give it no command" in misplaced.stderr
    # A good one gets past the check: without a terminal the shop says it needs one...
    good = run_cli(home, "--theme", "nord")
    assert good.returncode == 1 and "needs a terminal" in good.stderr
    assert "theme" not in good.stderr
    # ...and on a terminal the shop opens in nord's colours, and quits on q.
    screen = run_shop_on_a_terminal(home, "--theme", "nord")
    assert NORD_BACKGROUND in screen


def run_shop_on_a_terminal(home: Path, *args: str) -> bytes:
    """`python -m buynow_tui ARGS` on a pseudo-terminal: what it drew once the Shop
    showed, after which `q` quits it."""
    import pty
    import select
    import subprocess
    import sys
    import time

    from tests.test_cli import REPO

    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), BUYNOW_HOME=str(home), COLORTERM="truecolor")
    env.pop("BUYNOW_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "buynow_tui", *args],
        cwd=REPO, env=env, stdin=slave, stdout=slave, stderr=slave,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while b"Read policy" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                seen += os.read(master, 65536)
        assert b"Read policy" in seen, seen[-500:]
        os.write(master, b"\tq")  # out of the Shop's search box, then quit
        while proc.poll() is None and time.monotonic() < deadline:  # drain: it writes as it goes
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:  # its side closed
                    break
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return seen
