"""`buynow serve | tee log`, then Ctrl-C: the reader of the server's output dies with it,
and the server must still shut down the graceful way for every shopper."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ssh import Server, connect, open_shop, process_gone, start_server

MSG_CLOSING = b"The shop is closing. Goodbye."
RESTORE_ALT_SCREEN = b"\x1b[?1049l"


@pytest.fixture
def server(home: Path) -> Iterator[Server]:
    running = start_server(home)
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()
    running.kill_leftovers()


async def test_stopping_with_its_output_pipe_closed_still_says_goodbye_and_cleans_up(
    server: Server,
) -> None:
    conn = await connect(server.port)
    term = await open_shop(conn)
    await term.see(b"BuyNow")
    [app] = server.wait_children(1)
    term.set_mark()

    assert server.proc.stdout is not None and server.proc.stderr is not None  # both piped
    server.proc.stdout.close()  # `tee` is gone
    server.proc.send_signal(signal.SIGINT)  # Ctrl-C

    tail = await term.read_to_end(timeout=30)
    assert RESTORE_ALT_SCREEN in tail and MSG_CLOSING in tail  # the terminal is put back
    loop = asyncio.get_running_loop()
    code = await loop.run_in_executor(None, server.proc.wait, 30)
    errors = server.proc.stderr.read()
    conn.close()

    assert code == 0, errors
    assert "Traceback" not in errors and "Broken pipe" not in errors
    assert not server.state_file.exists()
    assert process_gone(app)
    log = (server.home / "logs" / "all.log").read_text()
    assert "closing on SIGINT: telling 1 shoppers" in log
    assert "standard output is gone" in log
    assert "stopped after serving 1 sessions" in log
