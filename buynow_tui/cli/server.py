"""Where things live and the SSH server: `paths`, `serve` and `uptime`."""

from __future__ import annotations

from pathlib import Path

import typer

from buynow_tui.cli.shared import cli_errors, fail, paths


def paths_cmd() -> None:
    """Where the database, logs, config and SSH host key live."""
    from buynow_tui.config import Locations
    from buynow_tui.paths import masked_url
    from buynow_tui.ssh.hostkey import fingerprint_of, host_key_path

    p = paths()
    typer.echo(f"home      {p.home}")
    typer.echo(f"database  {masked_url(Locations.from_env().database_url or '') or p.database}")
    typer.echo(f"logs      {p.logs}")
    typer.echo(f"config    {p.config}")
    key_file = host_key_path(p)
    typer.echo(f"host key  {key_file}")
    fingerprint = fingerprint_of(key_file) if key_file.exists() else None
    if fingerprint:
        typer.echo(f"host key fingerprint  {fingerprint}")


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


def uptime() -> None:
    """Since when the SSH server runs, and how long ("not running" otherwise)."""
    from buynow_tui.clock import system_clock
    from buynow_tui.ssh.status_file import format_duration, running_status

    running = running_status(paths().server_state)
    if running is None:
        typer.echo("not running")
        raise typer.Exit(1)
    started = running.started_at
    up = (system_clock() - started).total_seconds()
    since = started.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    typer.echo(f"running since {since} (pid {running.pid}, {running.host}:{running.port})")
    typer.echo(f"up for        {format_duration(up)}")
    typer.echo(f"sessions      {running.sessions_served} served, {running.sessions_live} live")
