"""The layers stay apart: the store never pulls in Textual, and the CLI's import (so
`buynow --help`) pulls in neither Textual nor peewee. Each check is a fresh interpreter,
since this test process has long since imported everything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.repo import ROOT


def modules_after(code: str, tmp_path: Path) -> dict[str, Any]:
    """Run `code` in a fresh interpreter (cwd a temp folder); report what it imported and wrote."""
    probe = (
        "import json, sys\n"
        f"{code}\n"
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    env = dict(
        os.environ, PYTHONPATH=str(ROOT), HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data")
    )
    env.pop("BUYNOW_HOME", None)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return {
        "modules": set(json.loads(done.stdout.strip().splitlines()[-1])),
        "files": set(tmp_path.iterdir()),
    }


@pytest.mark.parametrize(
    "module",
    [
        "buynow_tui.store",
        "buynow_tui.store.services",
        "buynow_tui.store.migrate",
        "buynow_tui.store.seed",
        "buynow_tui.bootstrap",
    ],
)
def test_the_store_does_not_import_textual(module: str, tmp_path: Path) -> None:
    seen = modules_after(f"import {module}", tmp_path)
    assert "textual" not in seen["modules"]
    assert seen["files"] == set(), "importing the store made files"


def test_views_errors_and_validation_are_plain_python(tmp_path: Path) -> None:
    """Screens may import these for types and live form checks: no peewee behind them."""
    seen = modules_after(
        "import buynow_tui.store.views, buynow_tui.store.errors, buynow_tui.store.validation",
        tmp_path,
    )
    assert "peewee" not in seen["modules"]
    assert "textual" not in seen["modules"]


def test_the_cli_imports_neither_textual_nor_peewee(tmp_path: Path) -> None:
    seen = modules_after("import buynow_tui.cli", tmp_path)
    assert "textual" not in seen["modules"]
    assert "peewee" not in seen["modules"]
    assert seen["files"] == set()


def test_the_shop_entry_point_loads_no_cli_machinery(tmp_path: Path) -> None:
    """`buynow` with no arguments opens the shop without Typer (and the pydantic it
    brings), which cost about as much start-up time as the rest of the shop's own code."""
    seen = modules_after("import buynow_tui.__main__, buynow_tui.launch", tmp_path)
    assert {"typer", "pydantic", "textual", "peewee"}.isdisjoint(seen["modules"])
    assert seen["files"] == set()


def test_the_shop_on_sqlite_loads_no_server_driver(tmp_path: Path) -> None:
    """The shop's process on SQLite imports peewee without psycopg2 (or any other
    server driver); the drivers stay importable, and a PostgreSQL shop gets its own."""
    on_sqlite = modules_after(
        "from buynow_tui.runtime import import_peewee_for\n"
        "import_peewee_for('sqlite:////nowhere/buynow.db')\n"
        "import buynow_tui.store.db, buynow_tui.store.services\n",
        tmp_path,
    )
    assert "peewee" in on_sqlite["modules"]
    assert not {"psycopg2", "psycopg", "pymysql", "MySQLdb"} & on_sqlite["modules"]
    modules_after(
        "from buynow_tui.runtime import import_peewee_for\n"
        "import_peewee_for('sqlite:////nowhere/buynow.db')\n"
        "import psycopg2\n",
        tmp_path,
    )
    on_postgres = modules_after(
        "from buynow_tui.runtime import import_peewee_for\n"
        "import_peewee_for('postgresql://shop@db.internal/shop')\n"
        "import peewee\n"
        "assert peewee.psycopg2 is not None\n",
        tmp_path,
    )
    assert "psycopg2" in on_postgres["modules"]


def test_buynow_help_imports_neither_textual_nor_peewee(tmp_path: Path) -> None:
    code = (
        "sys.argv = ['buynow', '--help']\n"
        "from buynow_tui.cli import app\n"
        "try:\n"
        "    app()\n"
        "except SystemExit as done:\n"
        "    assert done.code in (0, None), done.code\n"
    )
    seen = modules_after(code, tmp_path)
    assert "textual" not in seen["modules"]
    assert "peewee" not in seen["modules"]
    assert seen["files"] == set(), "--help made files"


def test_the_web_server_runs_no_app_and_opens_no_store_at_import(tmp_path: Path) -> None:
    """The web front end only starts app processes: importing it pulls in neither
    Textual (each tab's app has its own) nor peewee, and makes no files."""
    seen = modules_after("import buynow_tui.web.server, buynow_tui.cli.web", tmp_path)
    assert "textual" not in seen["modules"]
    assert "peewee" not in seen["modules"]
    assert seen["files"] == set()


def test_the_login_session_is_headless(tmp_path: Path) -> None:
    """`session.py` is plain Python over the store: a web front end could drive it too."""
    seen = modules_after("import buynow_tui.session", tmp_path)
    assert {"textual", "rich"}.isdisjoint(seen["modules"])
    assert seen["files"] == set()


def test_screens_widgets_and_the_palette_never_import_the_app() -> None:
    """They post messages and read `context.Context` instead; not even a TYPE_CHECKING
    import of `buynow_tui.app` (or its part, `session_bridge`) couples them to it."""
    import ast

    package = ROOT / "buynow_tui"
    sources = [*(package / "screens").glob("*.py"), *(package / "widgets").glob("*.py")]
    sources += [package / name for name in ("commands.py", "messages.py", "context.py")]
    app_modules = {"buynow_tui.app", "buynow_tui.session_bridge"}
    offenders = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = {node.module or ""} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                names = {alias.name for alias in node.names}
            else:
                continue
            if names & app_modules:
                offenders.append(f"{source.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
