"""Where things live and the SSH server: `paths`, `serve` and `uptime`."""

from __future__ import annotations

from pathlib import Path

import typer

from buynow_tui import formats as f
from buynow_tui.cli.output import FORMAT_OPTION, JSON_OPTION, emit
from buynow_tui.cli.shared import cli_errors, fail, paths
from buynow_tui.formats import Format

PATHS_FIELDS = (
    f.text("home"),
    f.text("database"),
    f.text("logs"),
    f.text("config"),
    f.text("host_key"),
    f.text("host_key_fingerprint"),
)


@cli_errors
def paths_cmd(form: Format | None = FORMAT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Where the database, logs, config and SSH host key live."""
    from buynow_tui.config import Locations
    from buynow_tui.paths import masked_url
    from buynow_tui.ssh.hostkey import fingerprint_of, host_key_path

    p = paths()
    key_file = host_key_path(p)
    values = {
        "home": str(p.home),
        "database": masked_url(Locations.from_env().database_url or "") or str(p.database),
        "logs": str(p.logs),
        "config": str(p.config),
        "host_key": str(key_file),
        "host_key_fingerprint": fingerprint_of(key_file) if key_file.exists() else None,
    }

    def lines() -> list[str]:
        shown = [f"{name:<10}{values[key]}" for key, name in PATHS_LABELS]
        if values["host_key_fingerprint"]:
            shown.append(f"host key fingerprint  {values['host_key_fingerprint']}")
        return shown

    emit(f.Record(PATHS_FIELDS, values, lines=lines), form, as_json)


PATHS_LABELS = (
    ("home", "home"),
    ("database", "database"),
    ("logs", "logs"),
    ("config", "config"),
    ("host_key", "host key"),
)


@cli_errors
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="BUYNOW_SSH_HOST", help="Address to listen on."
    ),
    port: int = typer.Option(
        2222,
        "--port",
        envvar="BUYNOW_SSH_PORT",
        min=0,
        max=65535,
        help="Port to listen on (0: any free port).",
    ),
    host_key: Path | None = typer.Option(  # Typer declares options so
        None,
        "--host-key",
        envvar="BUYNOW_HOST_KEY",
        help="Ed25519 host key file (made if missing); default in the home folder.",
    ),
    max_sessions: int = typer.Option(
        50, "--max-sessions", envvar="BUYNOW_SSH_MAX_SESSIONS", help="Sessions at once, in total."
    ),
    max_per_address: int = typer.Option(
        5,
        "--max-per-address",
        envvar="BUYNOW_SSH_MAX_PER_ADDRESS",
        help="Sessions at once from one address.",
    ),
    connections_per_minute: int = typer.Option(
        20,
        "--connections-per-minute",
        envvar="BUYNOW_SSH_CONNECTIONS_PER_MINUTE",
        help="New connections per minute from one address.",
    ),
    max_starting: int = typer.Option(
        8,
        "--max-starting",
        envvar="BUYNOW_SSH_MAX_STARTING",
        help="Sessions starting their app at once.",
    ),
    login_timeout: float = typer.Option(
        30,
        "--login-timeout",
        envvar="BUYNOW_SSH_LOGIN_TIMEOUT",
        help="Seconds a client has to log in.",
    ),
    idle_timeout: float = typer.Option(
        900,
        "--idle-timeout",
        envvar="BUYNOW_SSH_IDLE_TIMEOUT",
        help="Seconds without a keystroke before a session ends.",
    ),
    session_cap: float = typer.Option(
        7200,
        "--session-cap",
        envvar="BUYNOW_SSH_SESSION_CAP",
        help="Seconds a session may last at most.",
    ),
    spawn: str = typer.Option(
        "fork",
        "--spawn",
        envvar="BUYNOW_SSH_SPAWN",
        help="How sessions start: fork (from one pre-imported process: less memory, faster) "
        "or exec (a fresh interpreter each).",
    ),
) -> None:
    """Run the SSH server so shoppers can `ssh -p PORT host`."""
    from buynow_tui.limits import Limits
    from buynow_tui.ssh.hostkey import HostKeyError, host_key_path
    from buynow_tui.ssh.server import run

    try:
        limits = Limits(
            max_sessions=max_sessions,
            max_per_address=max_per_address,
            connections_per_minute=connections_per_minute,
            max_starting=max_starting,
            login_timeout=login_timeout,
            idle_timeout=idle_timeout,
            session_cap=session_cap,
        )
    except ValueError as error:
        fail(str(error))
    if spawn not in ("fork", "exec"):
        fail(f"--spawn must be fork or exec, not {spawn!r}")
    p = paths()
    try:
        code = run(p, host, port, limits, host_key_path(p, host_key), echo=typer.echo, spawn=spawn)
    except (HostKeyError, RuntimeError) as error:
        fail(str(error))
    raise typer.Exit(code)


UPTIME_FIELDS = (
    f.flag("running"),
    f.time("started_at"),
    f.number("up_seconds"),
    f.text("up_for"),
    f.number("pid"),
    f.text("host"),
    f.number("port"),
    f.number("sessions_served"),
    f.number("sessions_live"),
)


@cli_errors
def uptime(form: Format | None = FORMAT_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Since when the SSH server runs, and how long ("not running" and exit code 1
    otherwise)."""
    from buynow_tui.clock import system_clock
    from buynow_tui.ssh.status_file import format_duration, running_status

    running = running_status(paths().server_state)
    if running is None:
        values: dict[str, object] = {"running": False}
        emit(f.Record(UPTIME_FIELDS, values, lines=lambda: ["not running"]), form, as_json)
        raise typer.Exit(1)
    started = running.started_at
    up = int((system_clock() - started).total_seconds())
    values = {
        "running": True,
        "started_at": started,
        "up_seconds": up,
        "up_for": format_duration(up),
        "pid": running.pid,
        "host": running.host,
        "port": running.port,
        "sessions_served": running.sessions_served,
        "sessions_live": running.sessions_live,
    }

    def lines() -> list[str]:
        since = started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
        return [
            f"running since {since} (pid {running.pid}, {running.host}:{running.port})",
            f"up for        {format_duration(up)}",
            f"sessions      {running.sessions_served} served, {running.sessions_live} live",
        ]

    emit(f.Record(UPTIME_FIELDS, values, lines=lines), form, as_json)
