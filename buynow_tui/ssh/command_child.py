"""A shopper's command (`ssh host orders --json`) in a process of its own, on pipes.

No PTY and no Textual: the server starts `python -P -m buynow_tui.ssh.shopper WORDS`
(`shopper.py`) with the session's environment (so it knows the key the client proved)
in the home folder, relays its stdout and stderr to the channel and hands its exit
status to the client. The words are the checked command (`policy.ShopperCommand`),
passed as arguments: no shell ever sees them. A command that has not finished after
`COMMAND_TIMEOUT` seconds is killed and the shopper told so; one whose client left is
killed at once. Output is read only while the client keeps up (the channel's write
buffer, as for the app).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

MODULE = "buynow_tui.ssh.shopper"
COMMAND_TIMEOUT = 30.0
READ_SIZE = 65536
MSG_TOO_SLOW = "BuyNow took too long to answer; please try again."

Write = Callable[[bytes], None]


class CommandChild:
    """The process running one shopper's command."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, words: Sequence[str], *, env: dict[str, str], cwd: Path) -> CommandChild:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",  # nothing in the home folder can stand in for the shop's code
            "-m",
            MODULE,
            *words,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=str(cwd),
            start_new_session=True,
        )
        return cls(process)

    async def relay(self, out: Write, err: Write, ready: Callable[[], Awaitable[bool]]) -> int:
        """Copy the process's output until it ends (`ready()` waits for the client and
        says False once it is gone); its exit status."""

        async def copy(stream: asyncio.StreamReader | None, write: Write) -> None:
            if stream is None:
                return
            while chunk := await stream.read(READ_SIZE):
                if not await ready():
                    self.kill()
                    return
                write(chunk)

        await asyncio.gather(copy(self.process.stdout, out), copy(self.process.stderr, err))
        return await self.process.wait()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    async def run(
        self, out: Write, err: Write, ready: Callable[[], Awaitable[bool]], timeout: float
    ) -> int | None:
        """`relay` within `timeout` seconds; None if it took longer (it is killed)."""
        try:
            return await asyncio.wait_for(self.relay(out, err, ready), timeout)
        except TimeoutError:
            self.kill()
            await self.process.wait()
            return None
