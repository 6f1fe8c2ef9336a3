"""login_timing_ratio: a fresh process's first log in, unknown email over known email.

Each measurement is a new interpreter that opens the shop's store as the app does
(`open_store`: logs, database, migrations) and times its first `authenticate` call
with a wrong password, at bcrypt cost 12: what someone probing which emails have
accounts sees, once per SSH session or `buynow` run. Unknown and known runs are
interleaved; the ratio is of their medians (1.0: the answer time tells nothing).
Between runs the attempts are cleared, so no run meets a lockout.

`bench/run.py` measures it with the rest. Standalone:
`PYTHONPATH=. python bench/login_timing.py [--rounds N] [--write]` prints the figures
and with `--write` puts them into `bench/results.json` beside the others (which stay
as they were, with this run's time and commit in `details.login_timing`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWN = "known.shopper@example.com"
ROUNDS = 12


def child(home: str, email: str) -> None:
    """In the fresh process: open the store, time the first log in, print seconds."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.errors import AuthError

    opened = open_store(Paths(Path(home)), seed_fresh=False)
    accounts = opened.services.accounts  # type: ignore[attr-defined]
    start = time.perf_counter()
    with contextlib.suppress(AuthError):
        accounts.authenticate(email, "not the password")
    print(json.dumps({"seconds": time.perf_counter() - start}))


def _env(home: Path, env: dict[str, str]) -> dict[str, str]:
    out = {k: v for k, v in env.items() if not k.startswith("BUYNOW_")}
    out.update(PYTHONPATH=str(ROOT), BUYNOW_HOME=str(home), BUYNOW_BCRYPT_ROUNDS="12")
    return out


def _first_log_in(home: Path, email: str, env: dict[str, str]) -> float:
    sqlite = sqlite3.connect(home / "buynow.db")
    try:
        sqlite.execute("DELETE FROM login_failure")
        sqlite.commit()
    finally:
        sqlite.close()
    out = subprocess.run(
        [sys.executable, "-m", "bench.login_timing", "--child", str(home), email],
        capture_output=True,
        text=True,
        env=_env(home, env),
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def _prepare(home: Path, env: dict[str, str]) -> None:
    """A shop with one account, its password and answer hashed at cost 12."""
    script = (
        "from pathlib import Path; from buynow_tui.bootstrap import open_store;"
        "from buynow_tui.paths import Paths;"
        f"s = open_store(Paths(Path({str(home)!r})), seed_fresh=False).services;"
        f"s.accounts.register(email={KNOWN!r}, username='known', password='the right one',"
        " question='pet', answer='Rex')"
    )
    subprocess.run(
        [sys.executable, "-c", script], env=_env(home, env), cwd=ROOT, timeout=120, check=True
    )


def run(work: Path, env: dict[str, str], rounds: int = ROUNDS) -> dict:
    home = work / "home-login"
    _prepare(home, env)
    known: list[float] = []
    unknown: list[float] = []
    for n in range(rounds):  # interleaved, so drift in the machine's load hits both
        known.append(_first_log_in(home, KNOWN, env))
        unknown.append(_first_log_in(home, f"nobody{n}@example.com", env))
    return {
        "login_timing_ratio": statistics.median(unknown) / statistics.median(known),
        "unknown_first_s": statistics.median(unknown),
        "known_first_s": statistics.median(known),
        "unknown_runs_s": unknown,
        "known_runs_s": known,
        "bcrypt_cost": 12,
        "rounds": rounds,
        "note": "first authenticate() of a fresh process, wrong password; medians",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--write", action="store_true", help="update bench/results.json")
    parser.add_argument("--child", nargs=2, metavar=("HOME", "EMAIL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="buynow-bench-login-"))
    try:
        found = run(work, dict(os.environ), args.rounds)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(found, indent=2))
    if args.write:
        write_results(found, ROOT / "bench" / "results.json")


def write_results(found: dict, path: Path) -> None:
    """Merge this figure into an existing results file, leaving the others alone."""
    from bench.run import git_commit, target_text

    results = json.loads(path.read_text("utf-8")) if path.exists() else {}
    results["login_timing_ratio"] = found["login_timing_ratio"]
    results.setdefault("targets", {})["login_timing_ratio"] = target_text("login_timing_ratio")
    stamp = {"commit": git_commit(), "when": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    results.setdefault("details", {})["login_timing"] = {**found, **stamp}
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote login_timing_ratio into {path}")


if __name__ == "__main__":
    main()
