"""Seeding throughput: the store's `generate` against raw `sqlite3` executemany.

Both run in a fresh subprocess on a freshly migrated database with the same schema
(the FTS triggers included) and insert the same 100,000 rows (same generator, same
random seed, with their search documents, built before the clock starts for raw) in
one transaction. The store is timed around `seed.generate(N)` inside
the process (interpreter start and migration excluded); raw is timed around
`BEGIN; executemany; COMMIT` of the rows already built (building them is reported
separately, so the baseline is the bare insert).
"""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import time
from datetime import UTC
from pathlib import Path

from bench.checkout import RAW_PRAGMAS


def rows_like_generate(count: int, start: int, now_text: str, seed_value: int = 7) -> list[tuple]:
    """The rows `buynow_tui.store.seed.generate` makes, built the same way."""
    from buynow_tui.store.search_text import document
    from buynow_tui.store.seed import _ADJECTIVES, _NOUNS, GENERATED_PREFIX

    rng = random.Random(seed_value)
    categories = list(_NOUNS)
    rows = []
    for n in range(start, start + count):
        category = categories[n % len(categories)]
        noun = rng.choice(_NOUNS[category])
        name = f"{rng.choice(_ADJECTIVES)} {noun} {n}"
        price = rng.randrange(999, 250000)
        description = f"A generated {noun.lower()}."
        doc = document(name, category, description, ())
        rows.append(
            (
                f"{GENERATED_PREFIX}{n:07d}",
                name,
                category,
                price,
                rng.randrange(0, 80),
                description,
                "{}",
                now_text,
                doc.name,
                doc.category,
                doc.body,
                doc.tag,
            )
        )
    return rows


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    from buynow_tui.store.db import close_db, init_db
    from buynow_tui.store.migrate import upgrade

    init_db(f"sqlite:///{path}")
    upgrade()
    close_db()


def _store(path: Path, count: int) -> dict:
    from buynow_tui.store.db import init_db
    from buynow_tui.store.seed import generate

    init_db(f"sqlite:///{path}")
    start = time.perf_counter()
    made = generate(count)
    return {"seconds": time.perf_counter() - start, "rows": made}


def _raw(path: Path, count: int, *, batched: bool = False) -> dict:
    """executemany of single-row INSERTs; or (batched) 2,000-row multi-VALUES INSERTs."""
    from datetime import datetime

    con = sqlite3.connect(path, isolation_level=None, timeout=5)
    for pragma in RAW_PRAGMAS:
        con.execute(pragma)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    built = time.perf_counter()
    rows = rows_like_generate(count, 1, now)
    start = time.perf_counter()
    insert = (
        "INSERT INTO product (sku, name, category, price_cents, stock, description, specs, "
        "created_at, search_name, search_category, search_body, search_tag) VALUES "
    )
    one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    con.execute("BEGIN IMMEDIATE")
    if batched:
        for first in range(0, len(rows), 2000):
            chunk = rows[first : first + 2000]
            con.execute(insert + ", ".join([one] * len(chunk)), [v for row in chunk for v in row])
    else:
        con.executemany(insert + one, rows)
    con.execute("COMMIT")
    end = time.perf_counter()
    con.close()
    return {"seconds": end - start, "build_seconds": start - built, "rows": len(rows)}


def run_one(kind: str, path: Path, count: int, env: dict[str, str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.seeding", kind, str(path), str(count)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(f"seeding {kind} failed: {out.stderr[-2000:]}")
    report = json.loads(out.stdout.strip().splitlines()[-1])
    report["rows_per_s"] = report["rows"] / report["seconds"]
    return report


def cli_generate(home: Path, count: int, env: dict[str, str]) -> float:
    """Wall seconds of `python -m buynow_tui seed --generate N` (a fresh home)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "buynow_tui", "seed", "--generate", str(count)],
        capture_output=True,
        text=True,
        env=dict(env, BUYNOW_HOME=str(home)),
        timeout=900,
    )
    if out.returncode != 0:
        raise RuntimeError(f"seed --generate failed: {out.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    kind, path, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    _fresh(path)
    report = (
        _store(path, count) if kind == "store" else _raw(path, count, batched=kind == "raw_batched")
    )
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
