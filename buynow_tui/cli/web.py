"""`buynow web`: the shop in browsers, one app per tab (see `buynow_tui.web`).

Its options mirror `buynow serve`'s, each with an environment variable of its own
(`BUYNOW_WEB_…`); a value the server cannot use is one `error:` line and exit code 1,
before anything starts. Like `buynow serve` it runs in the foreground until SIGTERM or
Ctrl-C, and carries on if its output goes away (`buynow web | tee log`, then Ctrl-C).
"""

from __future__ import annotations

import typer

from buynow_tui.cli.shared import cli_errors, fail, paths


@cli_errors
def web(
    host: str = typer.Option(
        "127.0.0.1", "--host", envvar="BUYNOW_WEB_HOST", help="Address to listen on."
    ),
    port: int = typer.Option(
        8080,
        "--port",
        envvar="BUYNOW_WEB_PORT",
        min=0,
        max=65535,
        help="Port to listen on (0: any free port).",
    ),
    public_url: str | None = typer.Option(
        None,
        "--public-url",
        envvar="BUYNOW_WEB_PUBLIC_URL",
        help="The address in shoppers' address bars, e.g. https://shop.example.com "
        "(default http://HOST:PORT). Only pages at it may open a session; https makes "
        "the cookie Secure.",
    ),
    forwarded_for: bool = typer.Option(
        False,
        "--forwarded-for",
        envvar="BUYNOW_WEB_FORWARDED_FOR",
        help="Behind a reverse proxy: take each shopper's address from the last "
        "X-Forwarded-For entry.",
    ),
    max_sessions: int = typer.Option(
        50, "--max-sessions", envvar="BUYNOW_WEB_MAX_SESSIONS", help="Tabs at once, in total."
    ),
    max_per_address: int = typer.Option(
        5,
        "--max-per-address",
        envvar="BUYNOW_WEB_MAX_PER_ADDRESS",
        help="Tabs at once from one address.",
    ),
    connections_per_minute: int = typer.Option(
        20,
        "--connections-per-minute",
        envvar="BUYNOW_WEB_CONNECTIONS_PER_MINUTE",
        help="New tabs per minute from one address.",
    ),
    max_starting: int = typer.Option(
        8,
        "--max-starting",
        envvar="BUYNOW_WEB_MAX_STARTING",
        help="Tabs starting their app at once (others wait up to 5 s).",
    ),
    idle_timeout: float = typer.Option(
        900,
        "--idle-timeout",
        envvar="BUYNOW_WEB_IDLE_TIMEOUT",
        help="Seconds without a keystroke before a tab's session ends.",
    ),
    session_cap: float = typer.Option(
        7200,
        "--session-cap",
        envvar="BUYNOW_WEB_SESSION_CAP",
        help="Seconds a tab's session may last at most.",
    ),
    spawn: str = typer.Option(
        "fork",
        "--spawn",
        envvar="BUYNOW_WEB_SPAWN",
        help="How tabs start: fork (from one pre-imported process: less memory, faster) "
        "or exec (a fresh interpreter each).",
    ),
) -> None:
    """Serve the shop to web browsers, one app per browser tab."""
    from buynow_tui.limits import Limits
    from buynow_tui.web.config import PublicUrl, SpawnMode, WebConfig, WebConfigError

    try:
        limits = Limits(
            max_sessions=max_sessions,
            max_per_address=max_per_address,
            connections_per_minute=connections_per_minute,
            max_starting=max_starting,
            idle_timeout=idle_timeout,
            session_cap=session_cap,
        )
        config = WebConfig(
            host=host,
            port=port,
            public_url=PublicUrl.parse(public_url) if public_url else None,
            limits=limits,
            forwarded_for=forwarded_for,
            spawn=SpawnMode.of(spawn),
        )
    except ValueError as error:  # WebConfigError too
        fail(str(error))
    from buynow_tui.web.server import run

    try:
        code = run(paths(), config, echo=typer.echo)
    except WebConfigError as error:
        fail(str(error))
    except OSError as error:  # the port is taken, say
        fail(error.strerror or str(error))
    raise typer.Exit(code)
