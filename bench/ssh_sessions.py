"""Measure the SSH server: memory per session and time from connect to the first Shop frame.

    python bench/ssh_sessions.py [--sessions 10]

Starts `buynow serve` on a free loopback port with a temporary home, then:
1. opens sessions one after another, timing TCP connect -> the first frame holding
   "BuyNow" (the header title), and
2. keeps N sessions open at once and sums the resident memory (RSS, and PSS, which
   splits shared pages fairly) of their app processes.
Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncssh

ROOT = Path(__file__).resolve().parent.parent


class Anonymous(asyncssh.SSHClient):
    def kbdint_auth_requested(self) -> str:
        return ""


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB."""
    rss = pss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def children_of(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                kids.append(int(entry.name))
    return kids


async def open_session(port: int, cols: int = 80, rows: int = 24):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    conn = await asyncssh.connect(
        "127.0.0.1",
        port,
        known_hosts=None,
        client_keys=None,
        client_factory=Anonymous,
        username="bench",
        config=None,
        agent_path=None,
    )
    process = await conn.create_process(
        term_type="xterm-256color", term_size=(cols, rows), encoding=None
    )
    seen = b""
    while b"BuyNow" not in seen:
        chunk = await asyncio.wait_for(process.stdout.read(65536), 30)
        if not chunk:
            raise RuntimeError("session ended before the first frame")
        seen += chunk
    return conn, process, time.perf_counter() - started


async def measure(port: int, server_pid: int, sessions: int) -> dict[str, float]:
    # Warm-up (first imports fill the page cache), then sequential first-frame times.
    conn, _, _ = await open_session(port)
    conn.close()
    times = []
    for _ in range(sessions):
        conn, _, elapsed = await open_session(port)
        times.append(elapsed)
        conn.close()
        await conn.wait_closed()
    # Wait for the apps to be gone before the concurrent round.
    while children_of(server_pid):
        await asyncio.sleep(0.05)

    opened = await asyncio.gather(*(open_session(port) for _ in range(sessions)))
    concurrent = [elapsed for _, _, elapsed in opened]
    await asyncio.sleep(1.0)  # let the apps settle after their first frame
    kids = children_of(server_pid)
    rss = [memory_kib(pid)[0] for pid in kids]
    pss = [memory_kib(pid)[1] for pid in kids]
    server_rss = memory_kib(server_pid)[0]
    for conn, _, _ in opened:
        conn.close()
    return {
        "sessions": len(kids),
        "first_frame_median_s": statistics.median(times),
        "first_frame_min_s": min(times),
        "first_frame_max_s": max(times),
        "first_frame_concurrent_median_s": statistics.median(concurrent),
        "first_frame_concurrent_max_s": max(concurrent),
        "rss_per_session_mib": sum(rss) / len(rss) / 1024,
        "pss_per_session_mib": sum(pss) / len(pss) / 1024 if any(pss) else 0.0,
        "server_rss_mib": server_rss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        server = subprocess.Popen(
            # Every bench session comes from 127.0.0.1: lift the per-address limits.
            [
                sys.executable,
                "-m",
                "buynow_tui",
                "--home",
                home,
                "serve",
                "--port",
                "0",
                "--max-per-address",
                "1000",
                "--connections-per-minute",
                "1000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            cwd=str(ROOT),
        )
        try:
            state_file = Path(home) / "server.json"
            deadline = time.monotonic() + 30
            while not state_file.exists():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.05)
            port = json.loads(state_file.read_text())["port"]
            figures = asyncio.run(measure(port, server.pid, args.sessions))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(f"sessions open at once                 {figures['sessions']:.0f}")
    print(
        f"connect -> first 'BuyNow' frame       median {figures['first_frame_median_s'] * 1000:.0f} ms "
        f"(min {figures['first_frame_min_s'] * 1000:.0f}, max {figures['first_frame_max_s'] * 1000:.0f}), one at a time"
    )
    print(
        f"  with {args.sessions} connecting at once      median {figures['first_frame_concurrent_median_s'] * 1000:.0f} ms, "
        f"max {figures['first_frame_concurrent_max_s'] * 1000:.0f} ms"
    )
    print(
        f"memory per session (app process)      RSS {figures['rss_per_session_mib']:.1f} MiB, "
        f"PSS {figures['pss_per_session_mib']:.1f} MiB"
    )
    print(f"server process                        RSS {figures['server_rss_mib']:.1f} MiB")


if __name__ == "__main__":
    main()
