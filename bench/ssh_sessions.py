"""The SSH server under N sessions at once: memory per session, connect to first Shop
frame, and key echo.

    PYTHONPATH=. python bench/ssh_sessions.py [--sessions 10 40] [--keys 20]

Starts `buynow serve` on a free loopback port with a home of its own (the demo
catalog, seeded by the server's first start) and limits lifted for the bench (every
session comes from 127.0.0.1), then for each N:

1. **first frame**: N asyncssh clients connect at the same moment; each is timed
   from the start of its TCP connect until its screen shows the Shop: the header
   ("BuyNow"), the table's header row and the "Page 1 of" status line. Median and
   p95. Before the first N, sessions one at a time give the unloaded figure.
2. **memory**: a second after the last first frame, every process below the server
   (found through /proc's parent links, recursively: the server may fork through a
   helper) is read from /proc/PID/smaps_rollup: RSS, PSS (shared pages divided
   among the processes that share them, so PSS adds up to the memory really used)
   and USS (private pages only: what ending that process frees). A session's
   processes are those in a session led by a process on its own terminal (the app
   does setsid on its PTY); anything else below the server (a fork server,
   "zygote") is counted once as server overhead, with the server itself.
3. **echo**: in every session at once, `/` focuses the search box, then the
   session types printable keys no faster than one per `KEY_INTERVAL` (so each
   search runs, as it would for a quick typist); each key is timed from the write
   until the session's screen shows it in the search box. p95 over every key of
   every session.

Each session's output is fed to a terminal screen (bench/screen.py), so "shows"
means what the shopper's terminal would show. Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import asyncssh

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# (imported after the sys.path line above, so that the script runs on its own)
from bench.screen import Screen  # noqa: E402
from bench.search import percentile  # noqa: E402

COLS, ROWS = 80, 24
KEY_INTERVAL = 0.2  # seconds between one session's keys at the fastest (5 keys a second)
WORDS = [
    "headphone",
    "chromebook",
    "turntable",
    "smartwatch",
    "powerbank",
    "camera",
    "tablet",
    "speaker",
    "charger",
    "earbuds",
    "laptop",
    "handset",
    "mirrorless",
    "tracker",
]
MIB = 1024.0


class Anonymous(asyncssh.SSHClient):
    def kbdint_auth_requested(self) -> str:
        return ""


# -- /proc ---------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def descendants_of(pid: int) -> list[int]:
    """Every live (not zombie) process below `pid`, however deep."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and fields[0] not in ("Z", "X"):
                parent[int(entry.name)] = int(fields[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        here = frontier.pop()
        kids = [child for child, ppid in parent.items() if ppid == here]
        found += kids
        frontier += kids
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def memory_kib(pid: int) -> dict[str, int]:
    """RSS, PSS and USS (Private_Clean + Private_Dirty) of one process, in KiB."""
    found = {"rss": 0, "pss": 0, "uss": 0}
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name == "Rss":
            found["rss"] = int(rest.split()[0])
        elif name == "Pss":
            found["pss"] = int(rest.split()[0])
        elif name in ("Private_Clean", "Private_Dirty"):
            found["uss"] += int(rest.split()[0])
    return found


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """CPU a process has used, with that of its children it has reaped (utime, stime,
    cutime, cstime from /proc/PID/stat); 0.0 for a process that is gone."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return sum(int(fields[n]) for n in (11, 12, 13, 14)) / _TICK


def tree_cpu_seconds(server_pid: int) -> float:
    """CPU of the server and every live process below it (sessions, fork server)."""
    return cpu_seconds(server_pid) + sum(cpu_seconds(p) for p in descendants_of(server_pid))


def tree_pss_mib(server_pid: int) -> float:
    """PSS of the server and everything below it."""
    pids = [server_pid, *descendants_of(server_pid)]
    return sum(memory_kib(pid)["pss"] for pid in pids) / MIB


def split_processes(server_pid: int) -> tuple[list[int], list[int]]:
    """(the sessions' app processes, shared helpers) below the server.

    A session's app leads its own session on its own terminal (setsid and a
    controlling PTY); anything it starts stays in that session. Whatever else is below
    the server (a fork server or "zygote" the sessions are forked from) is a helper,
    counted once as overhead. The command line cannot tell them apart: an app forked
    from a zygote without exec keeps the zygote's command line.
    """
    below = {pid: _stat_fields(pid) for pid in descendants_of(server_pid)}
    leaders = {
        pid
        for pid, fields in below.items()
        if fields is not None and int(fields[3]) == pid and int(fields[4]) != 0
    }
    apps, helpers = [], []
    for pid, fields in below.items():
        if fields is not None and int(fields[3]) in leaders:
            apps.append(pid)
        else:
            helpers.append(pid)
    return apps, helpers


def memory_figures(server_pid: int, sessions: int) -> dict:
    apps, helpers = split_processes(server_pid)
    app_mem = [memory_kib(pid) for pid in apps]
    server = memory_kib(server_pid)
    helper_mem = {pid: memory_kib(pid) for pid in helpers}

    def per_session(kind: str) -> float:
        return sum(m[kind] for m in app_mem) / sessions / MIB

    overhead_pss = (server["pss"] + sum(m["pss"] for m in helper_mem.values())) / MIB
    return {
        "sessions": sessions,
        "app_processes": len(apps),
        "pss_per_session_mib": per_session("pss"),
        "rss_per_session_mib": per_session("rss"),
        "uss_per_session_mib": per_session("uss"),
        "server_rss_mib": server["rss"] / MIB,
        "server_pss_mib": server["pss"] / MIB,
        "helpers": [
            {"cmdline": cmdline(pid)[:120], **{k: v / MIB for k, v in m.items()}}
            for pid, m in helper_mem.items()
        ],
        "server_overhead_mib": overhead_pss,
        "total_pss_mib": overhead_pss + per_session("pss") * sessions,
    }


# -- one session -------------------------------------------------------------------------------


class Session:
    """One shopper's SSH session, its output kept on a terminal screen."""

    def __init__(self, conn: asyncssh.SSHClientConnection, process, began: float) -> None:  # type: ignore[no-untyped-def]
        self.conn = conn
        self.process = process
        self.began = began
        self.screen = Screen(COLS, ROWS)
        self.first_frame_s = 0.0

    @classmethod
    async def open(cls, port: int) -> Session:
        began = time.perf_counter()
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
            term_type="xterm-256color", term_size=(COLS, ROWS), encoding=None
        )
        session = cls(conn, process, began)
        await session.wait(shows_shop, "the Shop", timeout=120)
        session.first_frame_s = time.perf_counter() - began
        return session

    async def wait(
        self, condition: Callable[[Screen], bool], what: str, timeout: float = 30
    ) -> None:
        deadline = time.perf_counter() + timeout
        while not condition(self.screen):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{what} not shown; the screen reads:\n{self.screen.text()}")
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), left)
            except TimeoutError:
                continue
            if not chunk:
                raise RuntimeError(f"session ended before {what}:\n{self.screen.text()}")
            self.screen.feed(chunk)

    async def drain(self) -> None:
        """Feed the screen whatever has arrived, without waiting."""
        while True:
            try:
                chunk = await asyncio.wait_for(self.process.stdout.read(65536), 0.001)
            except TimeoutError:
                return
            if not chunk:
                return
            self.screen.feed(chunk)

    async def type_and_time(self, text: str, delay: float) -> list[float]:
        """`/`, then `text` a key at a time; ms from each write to its echo."""
        await asyncio.sleep(delay)
        await self.drain()
        box = self.screen.find("Search by name")
        if box is None:
            raise RuntimeError("no search box on the screen:\n" + self.screen.text())
        self.process.stdin.write(b"/")
        await self.wait(lambda s: s.find("Leave search") is not None, "the search box focused")
        times = []
        for n in range(1, len(text) + 1):
            typed = text[:n]
            start = time.perf_counter()
            self.process.stdin.write(text[n - 1].encode())
            await self.wait(
                lambda s, typed=typed: echo_of(s.line(box)) == typed,
                f"the echo of {typed!r}",
            )
            took = time.perf_counter() - start
            times.append(took * 1000)
            if took < KEY_INTERVAL:
                await asyncio.sleep(KEY_INTERVAL - took)
        return times

    def close(self) -> None:
        self.conn.close()


def echo_of(line: str) -> str:
    """What a search box line shows typed: without its borders (the app's ▊▎) or its
    prompt (the Go peer's " > ")."""
    return line.strip(" ▊▎").removeprefix(">").strip()


def shows_shop(screen: Screen) -> bool:
    return (
        screen.find("BuyNow") is not None
        and screen.find("Page 1 of") is not None
        and any("Name" in line and "Category" in line for line in screen.lines())
    )


def typed_text(index: int, keys: int) -> str:
    words = WORDS[index % len(WORDS) :] + WORDS[: index % len(WORDS)]
    return "".join(words)[:keys]


# -- rounds --------------------------------------------------------------------------------------


async def no_sessions_left(server_pid: int, timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while split_processes(server_pid)[0]:
        if time.perf_counter() > deadline:
            raise TimeoutError("session processes still running after their sessions closed")
        await asyncio.sleep(0.05)


async def one_at_a_time(port: int, server_pid: int, count: int) -> dict:
    warm = await Session.open(port)  # the first start fills the page cache; not counted
    warm.close()
    times = []
    for _ in range(count):
        await no_sessions_left(server_pid)
        session = await Session.open(port)
        times.append(session.first_frame_s)
        session.close()
    await no_sessions_left(server_pid)
    return {
        "sessions": count,
        "first_frame_median_s": statistics.median(times),
        "first_frame_min_s": min(times),
        "first_frame_max_s": max(times),
    }


async def at_once(port: int, server_pid: int, count: int, keys: int) -> dict:
    # The bench's own CPU share while it waits: near 1.0 would mean the client, not the
    # server, is what is slow.
    idle_pss = tree_pss_mib(server_pid)
    server_cpu = tree_cpu_seconds(server_pid)
    wall, cpu = time.perf_counter(), time.process_time()
    sessions = await asyncio.gather(*(Session.open(port) for _ in range(count)))
    opening_cpu_share = (time.process_time() - cpu) / (time.perf_counter() - wall)
    # Server-side CPU (server, fork server, the sessions' apps) from before the first
    # connect until the last first frame, per session.
    cpu_per_start = (tree_cpu_seconds(server_pid) - server_cpu) / count
    try:
        first = [s.first_frame_s for s in sessions]
        await asyncio.sleep(1.0)  # let the apps settle after their first frame
        memory = memory_figures(server_pid, count)
        # What the sessions added to the whole tree's PSS: the figure for a server
        # whose sessions are not processes of their own (the Go peer's goroutines).
        memory["pss_added_per_session_mib"] = (tree_pss_mib(server_pid) - idle_pss) / count
        rng = random.Random(count)
        wall, cpu = time.perf_counter(), time.process_time()
        typed = await asyncio.gather(
            *(
                s.type_and_time(typed_text(n, keys), rng.uniform(0, KEY_INTERVAL))
                for n, s in enumerate(sessions)
            )
        )
        typing_cpu_share = (time.process_time() - cpu) / (time.perf_counter() - wall)
        echo = [ms for times in typed for ms in times]
        after_typing = memory_figures(server_pid, count)
    finally:
        for s in sessions:
            s.close()
    await no_sessions_left(server_pid)
    return {
        "sessions": count,
        "first_frame_median_s": statistics.median(first),
        "first_frame_p95_s": percentile(first, 0.95),
        "first_frame_max_s": max(first),
        "cpu_per_start_s": cpu_per_start,
        **{k: v for k, v in memory.items() if k != "sessions"},
        "pss_per_session_after_typing_mib": after_typing["pss_per_session_mib"],
        "echo_keys": len(echo),
        "echo_p50_ms": percentile(echo, 0.5),
        "echo_p95_ms": percentile(echo, 0.95),
        "echo_max_ms": max(echo),
        "client_cpu_share_opening": opening_cpu_share,
        "client_cpu_share_typing": typing_cpu_share,
    }


async def measure(
    port: int, server_pid: int, counts: list[int], sequential: int, keys: int
) -> dict:
    found: dict = {"one_at_a_time": await one_at_a_time(port, server_pid, sequential)}
    for count in counts:
        found[f"at_{count}"] = await at_once(port, server_pid, count, keys)
    return found


# -- the server ----------------------------------------------------------------------------------


def server_options(most: int) -> list[str]:
    """Limits lifted so N sessions from one address can start together."""
    return [
        "--max-sessions", str(most + 10),
        "--max-per-address", str(most + 10),
        "--connections-per-minute", "10000",
        "--max-starting", str(most),
        "--login-timeout", "120",
        "--idle-timeout", "600",
    ]  # fmt: skip


def run(
    home: Path,
    env: dict[str, str],
    *,
    counts: list[int],
    sequential: int = 5,
    keys: int = 20,
) -> dict:
    """Start a server on `home`, measure, stop it; the figures."""
    home.mkdir(parents=True, exist_ok=True)
    options = server_options(max(counts))
    server = subprocess.Popen(
        [sys.executable, "-m", "buynow_tui", "--home", str(home), "serve", "--port", "0",
         *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env, PYTHONPATH=str(ROOT)),
        cwd=str(ROOT),
        start_new_session=True,  # not in the bench's session, nor on its terminal
    )  # fmt: skip
    try:
        state_file = home / "server.json"
        deadline = time.monotonic() + 60
        port = 0
        while not port:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"the server did not start: {server.stderr.read()[-2000:]!r}")
            try:
                state = json.loads(state_file.read_text())
                port = int(state["port"]) if state.get("pid") == server.pid else 0
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.05)
        found = asyncio.run(measure(port, server.pid, counts, sequential, keys))
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    found["server_options"] = " ".join(options)
    found["terminal"] = f"{COLS}x{ROWS}"
    found["key_interval_s"] = KEY_INTERVAL
    found["keys_per_session"] = keys
    return found


# -- the Go peer ---------------------------------------------------------------------------------

#: Where the Wish + Bubble Tea peer's source is (`shared/anchors/wish-shop` beside the
#: project or a folder above it, or BUYNOW_WISH_SHOP).
WISH_SOURCE = Path(
    os.environ.get("BUYNOW_WISH_SHOP")
    or next(
        (
            up / "shared" / "anchors" / "wish-shop"
            for up in ROOT.parents
            if (up / "shared" / "anchors" / "wish-shop" / "main.go").is_file()
        ),
        ROOT.parent / "shared" / "anchors" / "wish-shop",
    )
)


def build_wish(workdir: Path) -> tuple[Path | None, str]:
    """Build the Go peer into `workdir` (offline, from Debian's Go packages, as its
    README says); (the binary, "") or (None, why not)."""
    import shutil

    go = shutil.which("go")
    main_go = WISH_SOURCE / "main.go"
    if go is None:
        return None, "no `go` on this machine (apt-get install golang-go and the charm packages)"
    if not main_go.is_file():
        return None, f"no Go peer at {WISH_SOURCE} (set BUYNOW_WISH_SHOP)"
    out = workdir / "wish-shop"
    build = workdir / "wish-build"
    build.mkdir(parents=True, exist_ok=True)
    (build / "main.go").write_bytes(main_go.read_bytes())
    env = dict(
        os.environ,
        GO111MODULE="off",
        GOPATH=os.environ.get("GOPATH", "/usr/share/gocode"),
        GOCACHE=str(workdir / "go-cache"),
        GOPROXY="off",
    )
    done = subprocess.run(
        [go, "build", "-o", str(out), "main.go"],
        cwd=build,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        return None, "the Go peer did not build: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return out, ""


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_wish(
    binary: Path, workdir: Path, *, counts: list[int], sequential: int = 5, keys: int = 20
) -> dict:
    """The same client, rounds and figures against the Go peer. Its sessions are
    goroutines in one process, so its memory per session is what the sessions added
    to the process's PSS (`pss_added_per_session_mib`)."""
    port = _free_port()
    server = subprocess.Popen(
        [str(binary), "-addr", f"127.0.0.1:{port}",
         "-catalog", str(ROOT / "data" / "catalog.json"),
         "-hostkey", str(workdir / "wish_host_ed25519")],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=str(workdir),
        start_new_session=True,
        text=True,
    )  # fmt: skip
    try:
        line = server.stdout.readline() if server.stdout else ""
        if not line.startswith("listening"):
            raise RuntimeError(f"the Go peer did not start: {line!r} {server.stderr.read()!r}")  # type: ignore[union-attr]
        found = asyncio.run(measure(port, server.pid, counts, sequential, keys))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    found["terminal"] = f"{COLS}x{ROWS}"
    found["key_interval_s"] = KEY_INTERVAL
    found["keys_per_session"] = keys
    return found


def report(found: dict) -> str:
    one = found["one_at_a_time"]
    ms = {
        k: one[k] * 1000 for k in ("first_frame_median_s", "first_frame_min_s", "first_frame_max_s")
    }
    lines = [
        (
            "connect -> first Shop frame, one at a time:"
            f" median {ms['first_frame_median_s']:.0f} ms"
            f" (min {ms['first_frame_min_s']:.0f}, max {ms['first_frame_max_s']:.0f};"
            f" {one['sessions']} sessions)"
        )
    ]
    for key, at in found.items():
        if not key.startswith("at_"):
            continue
        helpers = (
            ", ".join(f"{h['cmdline'][:40]!r} PSS {h['pss']:.1f}" for h in at["helpers"]) or "none"
        )
        lines += [
            f"{at['sessions']} sessions at once:",
            (
                f"  first frame        median {at['first_frame_median_s']:.2f} s,"
                f" p95 {at['first_frame_p95_s']:.2f} s, max {at['first_frame_max_s']:.2f} s"
            ),
            f"  server CPU         {at['cpu_per_start_s'] * 1000:.0f} ms per session start",
            (
                f"  memory per session PSS {at['pss_per_session_mib']:.1f} MiB,"
                f" RSS {at['rss_per_session_mib']:.1f} MiB, USS {at['uss_per_session_mib']:.1f} MiB"
                f" ({at['app_processes']} app processes;"
                f" the whole tree grew {at['pss_added_per_session_mib']:.1f} MiB a session);"
                f" PSS after typing {at['pss_per_session_after_typing_mib']:.1f} MiB"
            ),
            (
                f"  server             RSS {at['server_rss_mib']:.1f} MiB,"
                f" PSS {at['server_pss_mib']:.1f} MiB; helpers: {helpers};"
                f" overhead (PSS) {at['server_overhead_mib']:.1f} MiB"
            ),
            (
                f"  key echo           p50 {at['echo_p50_ms']:.0f} ms,"
                f" p95 {at['echo_p95_ms']:.0f} ms,"
                f" max {at['echo_max_ms']:.0f} ms over {at['echo_keys']} keys"
            ),
            (
                f"  the bench client's own CPU: {at['client_cpu_share_opening']:.0%} of a core"
                f" while opening, {at['client_cpu_share_typing']:.0%} while typing"
            ),
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 40])
    parser.add_argument("--sequential", type=int, default=5, help="sessions one at a time")
    parser.add_argument("--keys", type=int, default=20, help="keys typed per session")
    parser.add_argument("--wish", action="store_true", help="measure the Go peer instead")
    args = parser.parse_args()
    if args.wish:
        with tempfile.TemporaryDirectory(prefix="buynow-wish-bench-") as work:
            binary, why = build_wish(Path(work))
            if binary is None:
                raise SystemExit(why)
            found = run_wish(
                binary, Path(work), counts=args.sessions, sequential=args.sequential,
                keys=args.keys,
            )  # fmt: skip
        print(report(found))
        return
    with tempfile.TemporaryDirectory(prefix="buynow-ssh-bench-") as home:
        found = run(
            Path(home),
            dict(os.environ),
            counts=args.sessions,
            sequential=args.sequential,
            keys=args.keys,
        )
    print(report(found))


if __name__ == "__main__":
    main()
