"""`buynow serve`: the shop over SSH, one isolated app process per session.

The server as a whole: prepare the store and the host key once, listen, run until a
signal, and stop gracefully (every shopper told, every terminal restored, every app
reaped), keeping the status file (`server.json`, `status_file.py`) up to date
meanwhile. The other modules of `buynow_tui.ssh` are listed in its `__init__`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import asyncssh

from buynow_tui.limits import Limits
from buynow_tui.logs import get_logger
from buynow_tui.paths import Paths
from buynow_tui.ssh.connection import ShopConnection
from buynow_tui.ssh.hub import Hub
from buynow_tui.ssh.policy import MSG_CLOSING
from buynow_tui.ssh.spawner import SpawnMode
from buynow_tui.ssh.status_file import remove_status, running_status

log = get_logger("ssh")

HEARTBEAT_SECONDS = 30.0
#: Seconds between the store's chores (the stranded-order sweep, mail that is due).
HOUSEKEEPING_SECONDS = 60.0


class Running:
    """A listening server and its hub; `close()` stops it the graceful way."""

    def __init__(self, acceptor: asyncssh.SSHAcceptor, hub: Hub, fingerprint: str) -> None:
        self.acceptor = acceptor
        self.hub = hub
        self.fingerprint = fingerprint

    @property
    def port(self) -> int:
        return self.hub.port

    async def close(self) -> None:
        """Stop listening, tell every session, restore terminals, reap every child."""
        hub = self.hub
        hub.closing = True
        self.acceptor.close()
        starting = [task for task in hub.starts if not task.done()]
        if starting:
            # Sessions half-way through starting finish starting (and see `closing`).
            await asyncio.wait(starting, timeout=hub.limits.start_wait + 10)
        endings = [session.end("the server stopped", MSG_CLOSING) for session in list(hub.sessions)]
        await asyncio.gather(*(e for e in endings if e is not None), return_exceptions=True)
        for connection in list(hub.connections):
            connection.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.acceptor.wait_closed(), 5)
        await hub.spawner.close()
        remove_status(hub.paths.server_state)
        log.info("stopped after serving %s sessions", hub.served)


async def start(
    paths: Paths,
    host: str,
    port: int,
    limits: Limits,
    host_key: asyncssh.SSHKey,
    *,
    spawn: SpawnMode | str = SpawnMode.FORK,
) -> Running:
    """Listen for shoppers (port 0: any free port) and write the status file.

    With `spawn="fork"` the fork server is started first (its imports take a moment), so
    the first shopper does not wait for it.
    """
    hub = Hub(paths, limits, host, port, spawn=spawn)
    if hub.spawner.mode is SpawnMode.FORK:
        await hub.spawner.start_forkserver()
    acceptor = await asyncssh.create_server(
        lambda: ShopConnection(hub),
        host,
        port,
        server_host_keys=[host_key],
        config=None,
        authorized_client_keys=None,
        encoding=None,
        line_editor=False,
        allow_pty=True,
        agent_forwarding=False,
        x11_forwarding=False,
        password_auth=False,
        gss_host=None,
        login_timeout=limits.login_timeout,
        keepalive_interval=30,
        keepalive_count_max=4,
        server_version="BuyNow",
        reuse_address=True,
    )
    bound = acceptor.sockets[0].getsockname() if acceptor.sockets else (host, port)
    hub.status.port = int(bound[1])
    hub.write_status()
    fingerprint = str(host_key.get_fingerprint("sha256"))
    log.info("serving on %s:%s, host key %s", host, hub.port, fingerprint)
    return Running(acceptor, hub, fingerprint)


async def serve(
    paths: Paths,
    host: str,
    port: int,
    limits: Limits,
    host_key: asyncssh.SSHKey,
    *,
    echo: Callable[[str], None] = print,
    spawn: SpawnMode | str = SpawnMode.FORK,
) -> int:
    """Serve until SIGTERM, SIGINT or SIGHUP; then close every session cleanly. Returns 0.

    What the server prints is for whoever watches it; nothing depends on it being read.
    With its output in a pipe (`buynow serve | tee log`), Ctrl-C stops the reader too,
    and a write to the closed pipe must not cut the shutdown short: see `Say`.
    """
    say = Say(echo)
    running = await start(paths, host, port, limits, host_key, spawn=spawn)
    hub = running.hub
    shown_host = host if host not in ("0.0.0.0", "::", "") else "HOST"
    say(f"BuyNow SSH server listening on {host}:{running.port} (pid {os.getpid()})")
    say(f"Host key fingerprint: {running.fingerprint}")
    say(f"Shoppers connect with: ssh -p {running.port} {shown_host}")

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    signals = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    stopped_by: list[str] = []

    def stopping(sig: signal.Signals) -> None:
        stopped_by.append(sig.name)
        stop.set()

    for sig in signals:
        loop.add_signal_handler(sig, stopping, sig)

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            hub.write_status()

    beat = asyncio.ensure_future(heartbeat())
    chores = asyncio.ensure_future(housekeeping())
    try:
        await stop.wait()
    finally:
        beat.cancel()
        chores.cancel()
        log.info(
            "closing on %s: telling %d shoppers",
            stopped_by[0] if stopped_by else "request",
            len(hub.sessions),
        )
        say("Closing: telling shoppers and stopping their sessions...")
        await running.close()
        for sig in signals:
            loop.remove_signal_handler(sig)
    say(f"Stopped after serving {hub.served} session{'s' if hub.served != 1 else ''}.")
    return 0


async def housekeeping() -> None:
    """The store's chores while the server runs (issue 15): every minute (or every mail
    retry interval, if shorter) cancel orders a crash left unpaid and send the mail that
    is due. In a thread, so the event loop never waits on the database or SMTP."""
    from buynow_tui.store.services import Services

    services = Services()
    every = min(HOUSEKEEPING_SECONDS, services.settings.smtp_retry_seconds)
    while True:
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(services.checkout.housekeeping)
        except Exception as error:  # the database is away for a moment: next time
            log.warning("housekeeping failed: %r", error)


class Say:
    """The server's own output lines, which never stop the server.

    If standard output goes away (its pipe's reader exited), the first failed write is
    logged, and standard output is pointed at /dev/null so neither later lines nor
    Python's flush at exit fail again; the server goes on (and stops) as it would.
    """

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.gone = False

    def __call__(self, line: str) -> None:
        if self.gone:
            return
        try:
            self.echo(line)
        except (OSError, ValueError) as error:  # EPIPE, EIO; ValueError: a closed file
            self.gone = True
            log.warning("standard output is gone (%s); the server goes on without it", error)
            _silence_stdout()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def run(
    paths: Paths,
    host: str,
    port: int,
    limits: Limits,
    host_key_file: Path,
    *,
    echo: Callable[[str], None] = print,
    spawn: SpawnMode | str = SpawnMode.FORK,
) -> int:
    """Prepare the store and host key once, then serve (blocking)."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.ssh.hostkey import load_or_create
    from buynow_tui.store.db import close_db

    mode = SpawnMode.of(spawn)
    other = running_status(paths.server_state)
    if other is not None and other.pid != os.getpid():
        raise RuntimeError(
            f"a server is already running for {paths.home} (pid {other.pid}, port {other.port}); "
            "stop it first or use another --home"
        )
    # Migrate and seed here, once, so sessions starting together never race to do it.
    open_store(paths)
    close_db()
    key = load_or_create(host_key_file)
    return asyncio.run(serve(paths, host, port, limits, key, echo=echo, spawn=mode))
