"""BuyNow benchmarks: `python bench/run.py [--quick]` prints a table, writes bench/results.json.

Every figure is a ratio against a baseline measured in the same run, or a percentile
over many operations: the machines are shared and noisy. See bench/README.md.

A part that fails (an exception, a screen that never came) is recorded under `missed`
in results.json with the reason, its figures are null, and the run goes on with the
other parts; the parts that needed it (the 100,000-product home) are missed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402 - after the path is set
    checkout,
    keystroke,
    login_timing,
    pg,
    search,
    seeding,
    ssh_sessions,
    startup,
    web_sessions,
)

TARGETS = {
    "startup_ratio": ("<=", 1.5),
    "startup_1m_ratio": ("<=", 1.6),
    "search_p95_ms": ("<=", 3.0),
    "search_1m_p95_ms": ("<=", 10.0),
    "keystroke_p95_ms": ("<=", 50.0),
    "checkout_ratio": (">=", 0.20),
    "oversold": ("==", 0),
    "ssh_rss_mib_per_session": ("<=", 12.0),
    "ssh_first_frame_s": ("<=", 0.30),
    "ssh_cpu_per_start_s": ("<=", 0.05),
    "pg_search_p95_ms": ("<=", 8.0),
    "pg_checkout_ratio": (">=", 0.4),
    "web_pss_mib_per_tab": ("<=", 30.0),
    "web_app_cpu_s": ("<=", 0.15),
    "seed_ratio": (">=", 0.30),
    "login_timing_ratio": ("within", (0.9, 1.1)),
}
PRODUCTS = 100_000
MILLION = 1_000_000
#: The SSH targets at 40 sessions at once (issue 18).
TARGETS_AT_40 = {
    "ssh_first_frame_s": ("<=", 1.2),
    "ssh_first_frame_p95_s": ("<=", 2.0),
    "ssh_echo_p95_ms": ("<=", 150.0),
}
SSH_SESSIONS = (10, 40)  # sessions at once; the first is the headline


def child_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BUYNOW_DATABASE_URL", "BUYNOW_HOME", "PGOPTIONS")
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def cli(home: Path, *args: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "buynow_tui", *args],
        capture_output=True,
        text=True,
        env=child_env(BUYNOW_HOME=str(home)),
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(f"buynow {' '.join(args)} failed: {out.stderr[-2000:]}")


# -- the parts ------------------------------------------------------------------------


def bench_seed(work: Path, home100k: Path, rounds: int) -> dict:
    """seed_ratio, and `home100k` made: the demo catalog plus 100k generated products."""
    say(f"seed: buynow seed --generate {PRODUCTS:,} (CLI, wall time)")
    cli_s = seeding.cli_generate(home100k, PRODUCTS, child_env())
    runs: dict[str, list[dict]] = {"store": [], "raw": [], "raw_batched": []}
    for n in range(rounds):
        for kind in runs:
            say(f"seed: {kind} round {n + 1}/{rounds}")
            runs[kind].append(
                seeding.run_one(kind, work / f"seed-{kind}.db", PRODUCTS, child_env())
            )
    rate = {
        kind: statistics.median(r["rows_per_s"] for r in reports) for kind, reports in runs.items()
    }
    return {
        "seed_ratio": rate["store"] / rate["raw"],
        "store_rows_per_s": rate["store"],
        "raw_executemany_rows_per_s": rate["raw"],
        "raw_batched_rows_per_s": rate["raw_batched"],
        "ratio_vs_raw_batched": rate["store"] / rate["raw_batched"],
        "cli_generate_wall_s": cli_s,
        "rounds": rounds,
    }


def startup_env(work: Path, home: Path) -> dict[str, str]:
    """As `child_env`, with bytecode cached in the work folder whatever the caller's
    environment says: the warm-up writes it and the timed runs read it, as an installed
    shop's would. Under PYTHONDONTWRITEBYTECODE=1 the shop's own modules were otherwise
    compiled on every run (~20 ms, 0.1 of the ratio), or not, if some earlier process
    had happened to leave __pycache__ folders in the tree."""
    env = child_env(BUYNOW_HOME=str(home), PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def bench_startup(work: Path, home100k: Path, runs: int) -> dict:
    home = work / "home-demo"
    cli(home, "seed")  # a fresh store: migrated, the demo catalog seeded
    kinds = {
        "shop": (startup.shop_argv(), startup_env(work, home)),
        "bare": (startup.bare_argv(), startup_env(work, home)),
        "shop_100k": (startup.shop_argv(), startup_env(work, home100k)),
    }
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for argv, env in kinds.values():  # warm the disk cache and .pyc files; not counted
        startup.time_to_markers(argv, env)
    for n in range(runs):
        say(f"startup: round {n + 1}/{runs}")
        for kind, (argv, env) in kinds.items():
            times[kind].append(startup.time_to_markers(argv, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "startup_ratio": med["shop"] / med["bare"],
        "startup_s": med["shop"],
        "bare_textual_s": med["bare"],
        "startup_100k_s": med["shop_100k"],
        "startup_100k_ratio": med["shop_100k"] / med["bare"],
        "runs": runs,
        "note": "until the header and the table's first page (its 'Page 1 of' line) are drawn",
    }


def bench_million(work: Path, runs: int, rounds: int) -> dict:
    """startup_1m_ratio and search_1m_p95_ms: a home with the demo catalog plus
    1,000,000 generated products; the shop's first frame on it over the bare Textual
    app's (interleaved, as for `startup_ratio`), and `Catalog.search` p95 on it."""
    home = work / "home-1m"
    say(f"million: buynow seed --generate {MILLION:,}")
    generate_s = seeding.cli_generate(home, MILLION, child_env())
    kinds = {
        "shop_1m": (startup.shop_argv(), startup_env(work, home)),
        "bare": (startup.bare_argv(), startup_env(work, home)),
    }
    for argv, env in kinds.values():
        startup.time_to_markers(argv, env)
    times: dict[str, list[float]] = {k: [] for k in kinds}
    for n in range(runs):
        say(f"million: startup round {n + 1}/{runs}")
        for kind, (argv, env) in kinds.items():
            times[kind].append(startup.time_to_markers(argv, env))
    med = {k: statistics.median(v) for k, v in times.items()}
    say("million: search")
    found = bench_search(home, rounds)
    return {
        "startup_1m_ratio": med["shop_1m"] / med["bare"],
        "startup_1m_s": med["shop_1m"],
        "bare_textual_s": med["bare"],
        "search_1m_p95_ms": found["p95_ms"],
        "search_1m_p50_ms": found["p50_ms"],
        "search_1m_slowest": found.get("slowest"),
        "generate_1m_wall_s": generate_s,
        "runs": runs,
    }


def bench_search(home100k: Path, rounds: int) -> dict:
    from buynow_tui.store.catalog import Catalog
    from buynow_tui.store.db import close_db, init_db

    init_db(f"sqlite:///{home100k / 'buynow.db'}")
    try:
        found = search.measure_search(Catalog(), rounds=rounds)
    finally:
        close_db()
    return found


def bench_checkout(work: Path, users: int, rounds: int) -> dict:
    reports = []
    for n in range(rounds):
        say(f"checkout: round {n + 1}/{rounds} ({users} carts, 4 processes, store then raw)")
        reports.append(
            checkout.sqlite_round(
                work, users, 4, child_env(BUYNOW_HOME=str(work / "home-co")), str(n)
            )
        )
    ratio = statistics.median(r["ratio"] for r in reports)
    return {
        "checkout_ratio": ratio,
        "store_per_s": statistics.median(r["store"]["per_s"] for r in reports),
        "raw_per_s": statistics.median(r["raw"]["per_s"] for r in reports),
        "oversold": sum(
            r["store"]["ledger"]["oversold"] + r["raw"]["ledger"]["oversold"] for r in reports
        ),
        "ledger_balanced": all(
            r[k]["ledger"]["unbalanced_products"] == 0
            and r[k]["ledger"]["orders_without_lines"] == 0
            for r in reports
            for k in ("store", "raw")
        ),
        "busy_failures_store": sum(r["store"]["busy_failures"] for r in reports),
        "placed_refused_store": [(r["store"]["placed"], r["store"]["refused"]) for r in reports],
        "placed_refused_raw": [(r["raw"]["placed"], r["raw"]["refused"]) for r in reports],
        "ratios": [r["ratio"] for r in reports],
        "rounds": rounds,
        "carts": users,
    }


def bench_ssh(work: Path, quick: bool) -> dict:
    """`buynow serve` with 10 and then 40 sessions at once (bench/ssh_sessions.py)."""
    say(f"ssh: {', '.join(map(str, SSH_SESSIONS))} sessions at once over loopback")
    return ssh_sessions.run(
        work / "home-ssh",
        child_env(),
        counts=list(SSH_SESSIONS),
        sequential=5 if quick else 10,
        keys=8 if quick else 25,
    )


def bench_wish(work: Path, quick: bool) -> dict:
    """The Go peer (Wish + Bubble Tea) under the same client, counts and keys."""
    binary, why = ssh_sessions.build_wish(work)
    if binary is None:
        return {"skipped": why}
    say(f"wish: the Go peer, {', '.join(map(str, SSH_SESSIONS))} sessions at once")
    return ssh_sessions.run_wish(
        binary,
        work,
        counts=list(SSH_SESSIONS),
        sequential=5 if quick else 10,
        keys=8 if quick else 25,
    )


def wish_results(ssh: dict | None, wish: dict | None) -> dict:
    """The Go peer's headline figures and ours over its (`*_vs_wish`: how many times
    the Go peer's figure ours is; 1.0 would be a tie)."""
    if not wish or "skipped" in wish:
        return {"wish_skipped": (wish or {}).get("skipped", "not run")}
    head = wish[f"at_{SSH_SESSIONS[0]}"]
    found: dict = {
        "wish_first_frame_s": head["first_frame_median_s"],
        "wish_first_frame_one_s": wish["one_at_a_time"]["first_frame_median_s"],
        "wish_pss_mib_per_session": head["pss_added_per_session_mib"],
        "wish_cpu_per_start_s": head["cpu_per_start_s"],
        "wish_echo_p95_ms": head["echo_p95_ms"],
        f"wish_at_{SSH_SESSIONS[-1]}": {
            k: wish[f"at_{SSH_SESSIONS[-1]}"][v]
            for k, v in (
                ("wish_first_frame_s", "first_frame_median_s"),
                ("wish_first_frame_p95_s", "first_frame_p95_s"),
                ("wish_echo_p95_ms", "echo_p95_ms"),
            )
        },
    }
    if ssh:
        ours = ssh[f"at_{SSH_SESSIONS[0]}"]

        def ratio(a: float, b: float) -> float | None:
            return a / b if b > 0 else None

        found["ssh_first_frame_vs_wish"] = ratio(
            ours["first_frame_median_s"], head["first_frame_median_s"]
        )
        found["ssh_pss_vs_wish"] = ratio(
            ours["pss_per_session_mib"], head["pss_added_per_session_mib"]
        )
        found["ssh_echo_vs_wish"] = ratio(ours["echo_p95_ms"], head["echo_p95_ms"])
    return found


def bench_web(quick: bool) -> dict:
    """`buynow web` in headless Chromium, tabs forked and then exec'd
    (bench/web_sessions.py)."""
    say("web: tabs in headless Chromium, forked from the fork server and then exec'd")
    return web_sessions.run(sequential=3 if quick else 5, tabs=5)


def web_results(web: dict) -> dict:
    """The headline web figures (tabs forked), beside the same with tabs exec'd."""
    found = {}
    for spawn, suffix in (("fork", ""), ("exec", "_exec")):
        if spawn not in web:
            continue
        one, many = web[spawn]["one_at_a_time"], web[spawn]["at_once"]
        found |= {
            f"web_first_frame_s{suffix}": one["web_first_frame_s"],
            f"web_app_cpu_s{suffix}": one["app_cpu_at_first_frame_s"],
            f"web_pss_mib_per_tab{suffix}": many["pss_per_tab_mib"],
            f"web_uss_mib_per_tab{suffix}": many["uss_per_tab_mib"],
        }
    if "fork" in web:
        many = web["fork"]["at_once"]
        found["web_server_overhead_mib"] = many["server_pss_mib"] + many["helpers_pss_mib"]
    return found


def ssh_results(ssh: dict) -> dict:
    """The headline SSH figures (at 10 sessions) and the same at 40."""
    head, most = ssh[f"at_{SSH_SESSIONS[0]}"], ssh[f"at_{SSH_SESSIONS[-1]}"]
    return {
        "ssh_rss_mib_per_session": head["pss_per_session_mib"],
        "ssh_rss_raw_mib_per_session": head["rss_per_session_mib"],
        "ssh_uss_mib_per_session": head["uss_per_session_mib"],
        "ssh_server_overhead_mib": head["server_overhead_mib"],
        "ssh_server_rss_mib": head["server_rss_mib"],
        "ssh_first_frame_s": head["first_frame_median_s"],
        "ssh_first_frame_p95_s": head["first_frame_p95_s"],
        "ssh_first_frame_one_s": ssh["one_at_a_time"]["first_frame_median_s"],
        "ssh_echo_p95_ms": head["echo_p95_ms"],
        "ssh_cpu_per_start_s": head["cpu_per_start_s"],
        f"ssh_at_{SSH_SESSIONS[-1]}": {
            "ssh_rss_mib_per_session": most["pss_per_session_mib"],
            "ssh_rss_raw_mib_per_session": most["rss_per_session_mib"],
            "ssh_uss_mib_per_session": most["uss_per_session_mib"],
            "ssh_server_overhead_mib": most["server_overhead_mib"],
            "ssh_first_frame_s": most["first_frame_median_s"],
            "ssh_first_frame_p95_s": most["first_frame_p95_s"],
            "ssh_echo_p95_ms": most["echo_p95_ms"],
            "ssh_cpu_per_start_s": most["cpu_per_start_s"],
        },
    }


def attempt(
    name: str,
    run: Callable[[], dict],
    details: dict[str, dict],
    missed: dict[str, dict],
    needs: Sequence[str] = (),
) -> dict | None:
    """Run one part into `details[name]`; a part that fails is recorded in `missed` with
    the reason (and the traceback) instead of ending the run. None when it was missed."""
    if unmet := [n for n in needs if n in missed or n not in details]:
        missed[name] = {"reason": f"not run: it needs {', '.join(unmet)}, which was missed"}
        say(f"{name}: MISSED ({missed[name]['reason']})")
        return None
    try:
        details[name] = run()
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        missed[name] = {"reason": reason, "traceback": traceback.format_exc()}
        say(f"{name}: MISSED ({reason.splitlines()[0]})")
        return None
    return details[name]


def figure(details: dict[str, dict], part: str, key: str) -> object:
    """A part's figure, or None when the part was missed."""
    return details.get(part, {}).get(key)


# -- output -------------------------------------------------------------------------------


def verdict(key: str, value: object, targets: dict | None = None) -> str:
    targets = TARGETS if targets is None else targets
    if key not in targets:
        return ""
    if value is None:
        return "n/a"
    op, target = targets[key]
    if op == "within":
        low, high = target  # type: ignore[misc]
        return "ok" if low <= value <= high else "MISSED"  # type: ignore[operator]
    ok = {"<=": value <= target, ">=": value >= target, "==": value == target}[op]  # type: ignore[operator]
    return "ok" if ok else "MISSED"


def fmt(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def target_text(key: str, targets: dict | None = None) -> str:
    op, target = (TARGETS if targets is None else targets)[key]
    if op == "within":
        low, high = target  # type: ignore[misc]
        return f"{low}-{high}"
    return f"{op} {target}"


def table(results: dict) -> str:
    rows = [
        ("startup_ratio", "shop first frame / bare Textual app (PTY)"),
        ("startup_100k_ratio", "same, 100,000 products"),
        ("startup_100k_s", "seconds to first frame, 100,000 products"),
        ("startup_1m_ratio", "same, 1,000,000 products"),
        ("search_p95_ms", "Catalog.search p95, 100,000 products"),
        ("search_1m_p95_ms", "Catalog.search p95, 1,000,000 products"),
        ("keystroke_p95_ms", "Shop search: key to result drawn, p95"),
        ("keystroke_echo_p95_ms", "Shop search: key to echo in the box, p95"),
        ("keystroke_move_p95_ms", "Shop table: down/up arrow to highlight moved, p95"),
        ("keystroke_missed_steps", "Shop keystrokes: steps not seen in time (details.keystroke)"),
        ("checkout_ratio", "store checkouts/s / raw sqlite3, 4 processes"),
        ("oversold", "units sold beyond stock (ledger check)"),
        ("seed_ratio", "generate rows/s / raw executemany"),
        ("login_timing_ratio", "first log in of a process: unknown / known email"),
        ("ssh_rss_mib_per_session", "SSH 10 sessions: PSS MiB per session"),
        ("ssh_rss_raw_mib_per_session", "SSH 10 sessions: RSS MiB per session"),
        ("ssh_uss_mib_per_session", "SSH 10 sessions: USS MiB per session"),
        ("ssh_server_overhead_mib", "SSH 10 sessions: server (+ helpers) PSS MiB"),
        ("ssh_server_rss_mib", "SSH 10 sessions: server RSS MiB"),
        ("ssh_first_frame_s", "SSH 10 connecting at once: first Shop frame, median s"),
        ("ssh_first_frame_p95_s", "SSH 10 connecting at once: first Shop frame, p95 s"),
        ("ssh_first_frame_one_s", "SSH one at a time: first Shop frame, median s"),
        ("ssh_echo_p95_ms", "SSH 10 sessions typing at once: key echo p95"),
        ("ssh_cpu_per_start_s", "SSH 10 connecting at once: server CPU s per session start"),
        ("wish_first_frame_s", "Go peer (Wish), 10 connecting at once: first frame, median s"),
        ("wish_pss_mib_per_session", "Go peer, 10 sessions: PSS MiB added per session"),
        ("wish_cpu_per_start_s", "Go peer, 10 connecting at once: CPU s per session start"),
        ("wish_echo_p95_ms", "Go peer, 10 sessions typing at once: key echo p95"),
        ("ssh_first_frame_vs_wish", "SSH first frame (10 at once) / Go peer's"),
        ("ssh_pss_vs_wish", "SSH PSS per session / Go peer's"),
        ("ssh_echo_vs_wish", "SSH key echo p95 (10 typing) / Go peer's"),
        ("web_first_frame_s", "web, tabs forked: page opened to Shop drawn, median s"),
        ("web_app_cpu_s", "web, tabs forked: a tab's app CPU s by its Shop"),
        ("web_pss_mib_per_tab", "web, 5 tabs forked: PSS MiB per tab"),
        ("web_uss_mib_per_tab", "web, 5 tabs forked: USS MiB per tab"),
        ("web_server_overhead_mib", "web: server + fork server PSS MiB"),
        ("web_first_frame_s_exec", "web, tabs exec'd: page opened to Shop drawn, median s"),
        ("web_app_cpu_s_exec", "web, tabs exec'd: a tab's app CPU s by its Shop"),
        ("web_pss_mib_per_tab_exec", "web, 5 tabs exec'd: PSS MiB per tab"),
        ("web_uss_mib_per_tab_exec", "web, 5 tabs exec'd: USS MiB per tab"),
    ]

    def line(key: str, value: object, target: str, ok: str, what: str) -> str:
        return f"{key:<31} {fmt(value):>10}  {target:<8} {ok:<7} {what}"

    lines = [line("figure", "value", "target", "", "what"), "-" * 100]
    for key, what in rows:
        target = target_text(key) if key in TARGETS else ""
        lines.append(line(key, results.get(key), target, verdict(key, results.get(key)), what))
    most = SSH_SESSIONS[-1]
    for key, value in (results.get(f"ssh_at_{most}") or {}).items():
        what = next((w for k, w in rows if k == key), key)
        target = target_text(key, TARGETS_AT_40) if key in TARGETS_AT_40 else ""
        ok = verdict(key, value, TARGETS_AT_40)
        lines.append(line(f"{key}@{most}", value, target, ok, what.replace("10 ", f"{most} ")))
    for key, value in (results.get(f"wish_at_{most}") or {}).items():
        lines.append(line(f"{key}@{most}", value, "", "", f"Go peer, {most} at once"))
    if results.get("wish_skipped"):
        lines.append(line("wish", "skipped", "", "", results["wish_skipped"]))
    if results.get("postgres"):
        p = results["postgres"]
        if "skipped" in p:
            lines.append(line("postgres", "skipped", "", "", p["skipped"]))
        elif "missed" in p:
            lines.append(line("postgres", "missed", "", "MISSED", p["missed"].splitlines()[0]))
        else:
            sqlite_search = fmt(results.get("search_p95_ms"))
            sqlite_checkout = fmt(figure(results["details"], "checkout", "store_per_s"))
            lines += [
                line(
                    "pg_search_p95_ms",
                    p["search_p95_ms"],
                    target_text("pg_search_p95_ms"),
                    verdict("pg_search_p95_ms", p["search_p95_ms"]),
                    f"PostgreSQL, same queries (SQLite: {sqlite_search})",
                ),
                line(
                    "pg_checkout_ratio",
                    p.get("pg_checkout_ratio"),
                    target_text("pg_checkout_ratio"),
                    verdict("pg_checkout_ratio", p.get("pg_checkout_ratio")),
                    "PostgreSQL store checkouts/s / raw psycopg2, 4 processes",
                ),
                line(
                    "pg checkout_per_s",
                    p["checkout_per_s"],
                    "",
                    "",
                    f"PostgreSQL, 4 processes (SQLite store: {sqlite_checkout})",
                ),
                line(
                    "pg oversold",
                    p["oversold"],
                    "== 0",
                    verdict("oversold", p["oversold"]),
                    "PostgreSQL ledger check",
                ),
            ]
    for name, why in (results.get("missed") or {}).items():
        lines.append(line(f"missed: {name}", "", "", "MISSED", why["reason"].splitlines()[0]))
    return "\n".join(lines)


def git_commit() -> str | None:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip()
            or None
        )
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds (under 5 minutes on 2 cores)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL section")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    quick = args.quick
    began = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="buynow-bench-"))
    details: dict[str, dict] = {}
    missed: dict[str, dict] = {}
    home100k = work / "home-100k"
    try:
        attempt(
            "seed", lambda: bench_seed(work, home100k, rounds=2 if quick else 3), details, missed
        )
        attempt(
            "startup",
            lambda: bench_startup(work, home100k, runs=7 if quick else 15),
            details,
            missed,
            needs=["seed"],
        )
        attempt(
            "search",
            lambda: bench_search(home100k, rounds=2 if quick else 5),
            details,
            missed,
            needs=["seed"],
        )
        say("keystroke: typing in the Shop's search box in a PTY, 100,000 products")
        keys = attempt(
            "keystroke",
            lambda: keystroke.shop_search_box_p95(home100k, child_env(), rounds=1 if quick else 3),
            details,
            missed,
            needs=["seed"],
        )
        if keys and keys["missed_steps"]:
            say(f"keystroke: {keys['missed_steps']} steps missed (details.keystroke.missed)")
        attempt(
            "checkout",
            lambda: bench_checkout(work, users=3000 if quick else 8000, rounds=3 if quick else 5),
            details,
            missed,
        )
        attempt(
            "million",
            lambda: bench_million(work, runs=5 if quick else 9, rounds=1 if quick else 2),
            details,
            missed,
        )
        attempt("ssh", lambda: bench_ssh(work, quick), details, missed)
        attempt("wish", lambda: bench_wish(work, quick), details, missed)
        attempt("web", lambda: bench_web(quick), details, missed)
        say("login timing: first log in of fresh processes, unknown and known email (cost 12)")
        attempt(
            "login_timing",
            lambda: login_timing.run(work, child_env(), rounds=7 if quick else 15),
            details,
            missed,
        )
        url = pg.pg_url()
        if args.no_postgres:
            postgres: dict = {"skipped": "--no-postgres"}
        elif (why := pg.reachable(url)) is not None:
            postgres = {"skipped": f"PostgreSQL not reachable at {url.split('@')[-1]}: {why}"}
        else:
            say("postgres: seed, search, checkout in a schema of its own")
            postgres = attempt(
                "postgres",
                lambda: pg.run(
                    url,
                    child_env(),
                    products=PRODUCTS,
                    users=1200 if quick else 4000,
                    search_rounds=1 if quick else 2,
                    workdir=work,
                ),
                details,
                missed,
            ) or {"missed": missed["postgres"]["reason"]}
            details.pop("postgres", None)  # kept under results["postgres"]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    results = {
        "startup_ratio": figure(details, "startup", "startup_ratio"),
        "startup_100k_s": figure(details, "startup", "startup_100k_s"),
        "startup_100k_ratio": figure(details, "startup", "startup_100k_ratio"),
        "startup_1m_ratio": figure(details, "million", "startup_1m_ratio"),
        "search_p95_ms": figure(details, "search", "p95_ms"),
        "search_1m_p95_ms": figure(details, "million", "search_1m_p95_ms"),
        "keystroke_p95_ms": figure(details, "keystroke", "p95_ms"),
        "keystroke_echo_p95_ms": figure(details, "keystroke", "echo_p95_ms"),
        "keystroke_move_p95_ms": figure(details, "keystroke", "move_p95_ms"),
        "keystroke_missed_steps": figure(details, "keystroke", "missed_steps"),
        "keystroke_note": figure(details, "keystroke", "note"),
        "checkout_ratio": figure(details, "checkout", "checkout_ratio"),
        "oversold": figure(details, "checkout", "oversold"),
        "seed_ratio": figure(details, "seed", "seed_ratio"),
        "login_timing_ratio": figure(details, "login_timing", "login_timing_ratio"),
        **(ssh_results(details["ssh"]) if "ssh" in details else {}),
        **wish_results(details.get("ssh"), details.get("wish")),
        **(web_results(details["web"]) if "web" in details else {}),
        "postgres": postgres,
        "missed": missed,
        "targets": {
            **{k: target_text(k) for k in TARGETS},
            **{f"{k}@{SSH_SESSIONS[-1]}": target_text(k, TARGETS_AT_40) for k in TARGETS_AT_40},
        },
        "details": details,
        "meta": {
            "quick": quick,
            "commit": git_commit(),
            "python": platform.python_version(),
            "sqlite": __import__("sqlite3").sqlite_version,
            "textual": __import__("textual").__version__,
            "cpus": os.cpu_count(),
            "seconds": round(time.perf_counter() - began, 1),
            "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        },
    }
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(table(results))
    print(f"\nwrote {args.out} in {results['meta']['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
