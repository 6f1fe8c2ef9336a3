"""The web front end in a real browser: open to the Shop drawn, and memory per tab.

    PYTHONPATH=. python bench/web_sessions.py [--sequential 5] [--tabs 5] [--spawn fork exec]

For each way tabs start (`--spawn fork`, the default: forked from the web server's fork
server; `exec`: a fresh interpreter each, phase 1's way), starts `buynow web` on a free
loopback port with a home of its own (the demo catalog, seeded by the server's first
start) and limits lifted for the bench, and headless Chromium (Debian's `chromium` and
`chromium-driver`, through Selenium, as tests/test_web.py drives it), then:

1. **web_first_frame_s**: tabs one at a time; each is timed inside the browser, from
   the start of the navigation (`performance.now()` counts from it) until the
   terminal's rows show the Shop: the search box's placeholder and the first row
   of the catalog. That includes loading the page, its scripts and font, the
   WebSocket, starting the tab's app process (forked, or a fresh interpreter) and its
   first frame. Median, min and max. The tab's app's CPU time (user + system) when
   its Shop is drawn is read from /proc as well (a forked app's counts from the fork).
2. **memory**: with N tabs open at once (each showing the Shop), every tab's app
   process is read from /proc/PID/smaps_rollup: RSS, PSS (shared pages divided among
   the processes sharing them, so PSS adds up) and USS (private pages only); the
   server's own too, and the fork server's (`helpers`), which are overhead, not per
   tab. Chromium's memory is not counted.

Prints the figures; asserts nothing. About 25 s per mode on 2 CPUs with the defaults
(most of it Chromium and the server starting).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ssh_sessions import MIB, descendants_of, memory_kib  # noqa: E402
from tests.support.ssh import FORK_SERVER, name_of  # noqa: E402
from tests.support.web import WebServer, chromium, screen, start_web  # noqa: E402

SHOP = ("Search by name or price", "10-inch Family Tablet")
TICKS = os.sysconf("SC_CLK_TCK")

#: Resolves with [`performance.now()`, the page's load event end] (ms since the
#: navigation began) once the rows show the Shop; polls each animation frame, so it
#: adds at most a frame.
WAIT_FOR_SHOP = """
const done = arguments[arguments.length - 1];
const wanted = arguments[0];
function look() {
  const rows = document.querySelector('.xterm-rows');
  const text = rows ? rows.innerText : '';
  if (wanted.every((w) => text.includes(w))) {
    const nav = performance.getEntriesByType('navigation')[0];
    done([performance.now(), nav ? nav.loadEventEnd : 0]);
    return;
  }
  requestAnimationFrame(look);
}
look();
"""


def cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def tab_apps(server: WebServer) -> list[int]:
    """The server's tabs' app processes (forked or exec'd), not its fork server."""
    return [pid for pid in descendants_of(server.proc.pid) if name_of(pid) != FORK_SERVER]


def helpers(server: WebServer) -> list[int]:
    return [pid for pid in descendants_of(server.proc.pid) if name_of(pid) == FORK_SERVER]


def first_frames(server: WebServer, driver: Any, count: int) -> dict[str, Any]:
    driver.set_script_timeout(60)
    times, loads, cpus = [], [], []
    for _ in range(count):
        driver.get("about:blank")
        server.wait_no_tabs(60)
        driver.get(server.url + "/")
        drawn, loaded = driver.execute_async_script(WAIT_FOR_SHOP, list(SHOP))
        times.append(drawn / 1000.0)
        loads.append(loaded / 1000.0)
        cpus += [cpu_seconds(pid) for pid in tab_apps(server)]
    driver.get("about:blank")
    server.wait_no_tabs(60)
    return {
        "tabs": count,
        "web_first_frame_s": statistics.median(times),
        "web_first_frame_min_s": min(times),
        "web_first_frame_max_s": max(times),
        "page_loaded_s": statistics.median(loads),
        "app_cpu_at_first_frame_s": statistics.median(cpus) if cpus else 0.0,
    }


def memory_with_tabs(server: WebServer, driver: Any, count: int) -> dict[str, Any]:
    for index in range(count):
        if index:
            driver.switch_to.new_window("tab")
        driver.get(server.url + "/")
        driver.execute_async_script(WAIT_FOR_SHOP, list(SHOP))
    time.sleep(1.0)  # let every app settle after its first frame
    apps = tab_apps(server)
    mem = [memory_kib(pid) for pid in apps]
    own = memory_kib(server.proc.pid)
    helper_pss = sum(memory_kib(pid)["pss"] for pid in helpers(server))

    def per_tab(kind: str) -> float:
        return sum(m[kind] for m in mem) / max(1, len(mem)) / MIB

    found = {
        "tabs": count,
        "app_processes": len(apps),
        "pss_per_tab_mib": per_tab("pss"),
        "rss_per_tab_mib": per_tab("rss"),
        "uss_per_tab_mib": per_tab("uss"),
        "server_pss_mib": own["pss"] / MIB,
        "server_rss_mib": own["rss"] / MIB,
        "helpers_pss_mib": helper_pss / MIB,
        "shown": all(text in screen(driver) for text in SHOP),
    }
    for handle in driver.window_handles[1:]:
        driver.switch_to.window(handle)
        driver.close()
    driver.switch_to.window(driver.window_handles[0])
    driver.get("about:blank")
    server.wait_no_tabs(60)
    return found


def run_mode(spawn: str, sequential: int, tabs: int) -> dict[str, Any]:
    began = time.monotonic()
    home = Path(tempfile.mkdtemp(prefix="buynow-web-bench-"))
    most = str(tabs + 5)
    server = start_web(
        home,
        *("--max-sessions", most, "--max-per-address", most, "--max-starting", most),
        *("--connections-per-minute", "10000", "--spawn", spawn),
    )
    driver = chromium()
    try:
        found = {
            "one_at_a_time": first_frames(server, driver, sequential),
            "at_once": memory_with_tabs(server, driver, tabs),
        }
    finally:
        driver.quit()
        server.stop(signal.SIGTERM)
        shutil.rmtree(home, ignore_errors=True)
    found["bench_seconds"] = time.monotonic() - began
    return found


def run(sequential: int, tabs: int, spawns: tuple[str, ...] = ("fork", "exec")) -> dict[str, Any]:
    """Each spawn mode's figures, by mode (`fork` first: the headline)."""
    return {spawn: run_mode(spawn, sequential, tabs) for spawn in spawns}


def report(results: dict[str, Any]) -> str:
    return "\n".join(report_mode(spawn, found) for spawn, found in results.items())


def report_mode(spawn: str, found: dict[str, Any]) -> str:
    one, many = found["one_at_a_time"], found["at_once"]
    return "\n".join(
        [
            f"tabs started by {spawn}:",
            (
                f"web_first_frame_s (open -> Shop drawn, one tab at a time): median "
                f"{one['web_first_frame_s']:.2f} s (min {one['web_first_frame_min_s']:.2f}, "
                f"max {one['web_first_frame_max_s']:.2f}; {one['tabs']} tabs); the page itself "
                f"had loaded at {one['page_loaded_s']:.2f} s, and the tab's app had used "
                f"{one['app_cpu_at_first_frame_s']:.2f} s of CPU by the Shop"
            ),
            (
                f"{many['tabs']} tabs at once: PSS per tab {many['pss_per_tab_mib']:.1f} MiB "
                f"(RSS {many['rss_per_tab_mib']:.1f}, USS {many['uss_per_tab_mib']:.1f}; "
                f"{many['app_processes']} app processes); server PSS "
                f"{many['server_pss_mib']:.1f} MiB (RSS {many['server_rss_mib']:.1f}), "
                f"fork server PSS {many['helpers_pss_mib']:.1f} MiB"
            ),
            f"(the bench took {found['bench_seconds']:.0f} s)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sequential", type=int, default=5, help="tabs opened one at a time")
    parser.add_argument("--tabs", type=int, default=5, help="tabs open at once for memory")
    parser.add_argument(
        "--spawn", nargs="+", default=["fork", "exec"], choices=["fork", "exec"], help="modes"
    )
    args = parser.parse_args()
    print(report(run(args.sequential, args.tabs, tuple(args.spawn))))


if __name__ == "__main__":
    main()
