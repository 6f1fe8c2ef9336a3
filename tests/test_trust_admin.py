"""A careless admin cannot lose the shop: downgrades that would drop data ask first and
back up, a once-used database is never re-seeded, new databases are made once however
many processes open them (and resumed after a crash), files are private, and the CLI
behaves in pipes, without a terminal and with odd state files.

Real `python -m buynow_tui` processes throughout; store rules on both backends.
"""

from __future__ import annotations

import multiprocessing
import os
import pty
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import cli_env, one_error_line, run_cli
from tests.support.repo import CATALOG_SIZE, ROOT
from tests.support.store import register

PASSWORD = "admin secret 1"


def emails(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [e for (e,) in conn.execute("SELECT email FROM user ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def shop(home: Path) -> Path:
    """A seeded shop with one user, made through the CLI."""
    assert run_cli(home, "seed").returncode == 0
    added = run_cli(
        home,
        "users",
        "add",
        "--email",
        "ann@example.com",
        "--username",
        "ann",
        "--password-stdin",
        "--answer",
        "Rex",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    return home


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- db downgrade ----------------------------------------------------------------------------------


def test_a_downgrade_that_would_drop_a_shop_is_refused_without_yes(shop: Path) -> None:
    before = sorted(p.name for p in shop.iterdir())
    refused = run_cli(shop, "db", "downgrade", "--steps", "99")
    line = one_error_line(refused)
    assert "user (1 row)" in line and f"product ({CATALOG_SIZE} rows)" in line and "--yes" in line
    assert emails(shop / "buynow.db") == ["ann@example.com"]
    assert "Pending" not in run_cli(shop, "db", "current").stdout
    assert sorted(p.name for p in shop.iterdir()) == before  # and no backup either


def test_with_yes_it_backs_up_first_names_the_copy_and_never_reseeds(shop: Path) -> None:
    done = run_cli(shop, "db", "downgrade", "--steps", "99", "--yes")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith("Backup of the database: ")
    backup = Path(first.split(": ", 1)[1])
    assert backup.parent == shop and backup.is_file() and mode(backup) == 0o600
    assert emails(backup) == ["ann@example.com"]  # the shop, whole, in the copy
    assert "Dropped: " in done.stdout and "user (1 row)" in done.stdout

    # The next command migrates the database again: a once-used one gets no demo catalog.
    listed = run_cli(shop, "products", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1:] == []
    assert emails(shop / "buynow.db") == []


def test_on_a_terminal_it_asks_and_no_changes_nothing(shop: Path) -> None:
    for answer, code in ((b"n\n", 1), (b"y\n", 0)):
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [sys.executable, "-m", "buynow_tui", "db", "downgrade", "--steps", "99"],
            cwd=ROOT,
            env=cli_env(shop),
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        os.close(slave)
        os.write(master, answer)  # typed ahead: the terminal keeps it until it is read
        out, err = proc.communicate(timeout=120)
        os.close(master)
        assert proc.returncode == code, err
        assert "user (1 row)" in err and "Drop them? [y/N]" in err
        if code:  # (the terminal, not stderr, echoes the "n" typed after the prompt)
            assert err.endswith("[y/N] error: nothing was changed\n"), err
            assert emails(shop / "buynow.db") == ["ann@example.com"]
    assert "Backup of the database: " in out
    conn = sqlite3.connect(shop / "buynow.db")
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    assert "user" not in tables and "migration_history" in tables


@pytest.mark.backends
def test_the_store_refuses_to_drop_rows_unless_told_and_a_dropped_shop_stays_empty(
    home: Path, database_url: str
) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db
    from buynow_tui.store.errors import DataWouldBeLost
    from buynow_tui.store.migrate import downgrade, status

    services: Any = open_store(Paths(home)).services
    register(services)
    every = len(status().applied)
    with pytest.raises(DataWouldBeLost, match=r"user \(1 row\)"):
        downgrade(every)
    assert status().pending == ()
    assert services.accounts.list_users()[0].email == "ann@example.com"

    assert downgrade(every, accept_loss=True)
    again = open_store(Paths(home))
    assert again.seeded == 0
    assert again.services.catalog.count() == 0  # emptied on purpose, never re-seeded
    close_db()


# -- a new database: made once, seeded once, resumed after a crash ---------------------------------


def _open_new_shop(home: str, url: str, barrier: Any, results: Any) -> None:
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    barrier.wait(timeout=60)
    try:
        results.put(("ok", open_store(Paths(Path(home))).seeded))
    except Exception as error:
        results.put(("error", repr(error)))


@pytest.mark.backends
def test_processes_opening_a_new_database_at_once_make_and_seed_it_once(
    home: Path, database_url: str
) -> None:
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.migrate import status
    from buynow_tui.store.services import Services

    starters = 4
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(starters), ctx.Queue()
    procs = [
        ctx.Process(target=_open_new_shop, args=(str(home), database_url, barrier, results))
        for _ in range(starters)
    ]
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=120) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert sorted(seeded for _, seeded in outcomes) == [0, 0, 0, CATALOG_SIZE]
    init_db(database_url)
    assert status().pending == ()
    assert Services().catalog.count() == CATALOG_SIZE
    close_db()


def _crash_while_opening(home: str, url: str, where: str) -> None:
    """Open a new shop, and die by SIGKILL at `where` in its first seed."""
    os.environ["BUYNOW_DATABASE_URL"] = url
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store import seed
    from buynow_tui.store.models import Product

    def die(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    # The ignores: a function replaced by one that kills the process (it never returns).
    if where == "before seeding":
        seed.shipped_catalog_text = die  # type: ignore[assignment]
    else:
        Product.insert_many = classmethod(die)  # type: ignore[assignment,method-assign]
    open_store(Paths(Path(home)))


@pytest.mark.backends
@pytest.mark.parametrize("where", ["before seeding", "while inserting products"])
def test_a_crash_between_creating_and_seeding_is_resumed_by_the_next_start(
    home: Path, database_url: str, where: str
) -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=_crash_while_opening, args=(str(home), database_url, where))
    proc.start()
    proc.join(timeout=120)
    assert proc.exitcode == -signal.SIGKILL

    opened = open_store(Paths(home))
    assert opened.seeded == CATALOG_SIZE
    assert opened.services.catalog.count() == CATALOG_SIZE
    close_db()


# -- private files ---------------------------------------------------------------------------------


def test_the_home_tree_and_every_file_the_cli_makes_are_private(tmp_path: Path) -> None:
    home = tmp_path / "shop" / "home"
    assert run_cli(home, "seed").returncode == 0
    for folder in (home, home / "logs", home / "config"):
        assert mode(folder) == 0o700, folder
    db = home / "buynow.db"
    assert mode(db) == 0o600

    # While a reader holds the database, a write goes through the WAL: its -wal and -shm
    # files take the database file's mode.
    reader = sqlite3.connect(db)
    try:
        reader.execute("SELECT COUNT(*) FROM product").fetchone()
        assert run_cli(home, "stock", "set", "BN-WAT-001", "9").returncode == 0
        for part in ("buynow.db-wal", "buynow.db-shm"):
            assert mode(home / part) == 0o600, part
    finally:
        reader.close()

    backed = run_cli(home, "db", "downgrade", "--steps", "99", "--yes")
    assert backed.returncode == 0, backed.stderr
    assert mode(Path(backed.stdout.splitlines()[0].split(": ", 1)[1])) == 0o600


def test_an_existing_world_readable_database_is_made_private(home: Path) -> None:
    assert run_cli(home, "seed").returncode == 0
    os.chmod(home / "buynow.db", 0o644)
    os.chmod(home / "config", 0o755)
    assert run_cli(home, "products", "list").returncode == 0
    assert mode(home / "buynow.db") == 0o600
    assert mode(home / "config") == 0o700


def test_the_servers_state_file_and_host_key_are_private(home: Path) -> None:
    from tests.support.ssh import start_server

    server = start_server(home)
    try:
        assert mode(server.state_file) == 0o600
        assert mode(home / "ssh_host_ed25519_key") == 0o600
    finally:
        assert server.stop() == 0


def test_remember_me_through_the_real_app_leaves_a_private_token(home: Path) -> None:
    from tests.support.ssh import PtyClient

    assert run_cli(home, "seed").returncode == 0
    assert (
        run_cli(
            home,
            "users",
            "add",
            "--email",
            "ann@example.com",
            "--username",
            "ann",
            "--password-stdin",
            "--answer",
            "Rex",
            stdin=PASSWORD + "\n",
        ).returncode
        == 0
    )
    app = PtyClient.spawn(
        [sys.executable, "-m", "buynow_tui"], cols=100, rows=30, env=cli_env(home)
    )
    try:
        app.see(b"Page 1 of")
        app.type(b"\t5")  # out of the search box, Account
        app.see(b"Log in to use your cart")
        mark = len(app.data)
        app.type(f"ann@example.com\t{PASSWORD}\t ".encode())  # the box ticked with space
        ticked = re.compile(rb"X\s*\xe2\x96\x8c\s*Remember me")
        app.read_until(
            lambda data: bool(ticked.search(re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", data[mark:])))
        )
        app.type(b"\x1b[Z\r")  # back to the password (shift+tab), enter
        app.see(b"Log out")
    finally:
        app.close()
    token = home / "config" / "remember.token"
    assert token.is_file() and mode(token) == 0o600


# -- the CLI in pipes and without a terminal -------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["products", "list"],
        ["users", "list"],
        ["orders", "list"],
        ["paths"],
        ["db", "current"],
        ["uptime"],
        ["seed"],
        ["--help"],
    ],
    ids=" ".join,
)
def test_a_command_whose_reader_has_gone_ends_quietly(shop: Path, args: list[str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "buynow_tui", *args],
        cwd=ROOT,
        env=cli_env(shop),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head -0`: nobody reads
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert err == b"", err
    assert proc.returncode in (0, 1)


def test_products_list_into_head_prints_nothing_but_the_first_line(shop: Path) -> None:
    assert run_cli(shop, "seed", "--generate", "3000").returncode == 0  # more than a pipe holds
    proc = subprocess.Popen(
        # (every product: a list cut by --limit says so on stderr)
        [sys.executable, "-m", "buynow_tui", "products", "list", "--limit", "5000"],
        cwd=ROOT,
        env=cli_env(shop),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert first.startswith(b"SKU ")
    assert err == b"", err


@pytest.mark.parametrize("args", [[], ["--open", "cart"], ["--open=orders"], ["--home", "{home}"]])
def test_the_shop_with_its_output_in_a_pipe_says_it_needs_a_terminal(
    home: Path, args: list[str]
) -> None:
    done = run_cli(home, *[a.format(home=home) for a in args])
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "buynow needs a terminal; see buynow --help\n"
    assert not (home / "buynow.db").exists()  # it gave up before doing anything


# -- odd paths and state files ---------------------------------------------------------------------


def test_paths_masks_the_database_password(home: Path) -> None:
    url = "postgresql://shop:s3cret-Pa55@db.internal:5432/shop?sslmode=require&password=other"
    shown = run_cli(home, "paths", database_url=url)
    assert shown.returncode == 0, shown.stderr
    assert "s3cret-Pa55" not in shown.stdout and "other" not in shown.stdout
    assert "database  postgresql://shop:***@db.internal:5432/shop?sslmode=require&password=***" in (
        shown.stdout
    )


def test_a_process_that_merely_mentions_serve_is_not_the_server(home: Path) -> None:
    impostor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "serve"])
    try:
        (home / "server.json").write_text(
            f'{{"pid": {impostor.pid}, "started": "2026-01-01T00:00:00+00:00", "host": "x", '
            '"port": 1}'
        )
        shown = run_cli(home, "uptime")
        assert (shown.returncode, shown.stdout) == (1, "not running\n")
    finally:
        impostor.kill()
        impostor.wait()


@pytest.mark.parametrize(
    "text",
    [
        '{"pid": {pid}, "started": "yesterday", "host": "x", "port": 1}',
        '{"pid": {pid}, "started": "2026-01-01T00:00:00", "port": "many"}',
        '{"pid": 1e400, "started": "2026-01-01T00:00:00"}',
        '{"pid": 99999999999999999999, "started": "2026-01-01T00:00:00"}',
        '["pid", {pid}]',
        '{"pid": true, "started": "2026-01-01T00:00:00"}',
        "\x00\xff not json",
        "",
    ],
)
def test_a_garbled_state_file_reads_as_not_running(home: Path, text: str) -> None:
    (home / "server.json").write_text(
        text.replace("{pid}", str(os.getpid())), errors="surrogateescape"
    )
    shown = run_cli(home, "uptime")
    assert (shown.returncode, shown.stdout, shown.stderr) == (1, "not running\n", "")


def test_a_host_key_path_that_links_to_nothing_is_one_clear_error(
    home: Path, tmp_path: Path
) -> None:
    link = tmp_path / "shared_key"
    link.symlink_to(tmp_path / "missing" / "ssh_host_ed25519_key")
    line = one_error_line(run_cli(home, "serve", "--port", "0", "--host-key", str(link)))
    assert f"the host key {link} is a link to" in line and "does not exist" in line
    assert not (tmp_path / "missing").exists()


# -- users add -------------------------------------------------------------------------------------


def test_users_add_needs_an_answer_and_its_help_says_so(home: Path) -> None:
    shown = run_cli(home, "users", "add", "--help")
    assert shown.returncode == 0
    answer_help = " ".join(shown.stdout.split()).split("--answer", 1)[1]
    assert "[required]" in answer_help.split("--", 1)[0]
    missing = run_cli(
        home,
        "users",
        "add",
        "--email",
        "bo@example.com",
        "--username",
        "bo",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: Missing option '--answer'")
    assert missing.stderr.count("\n") == 1
    assert not (home / "buynow.db").exists()
