"""Store-level search: `Catalog.search` over a big catalog, p95 of varied queries.

The queries (`bench/queries.py`) are what a shopper types, one keystroke at a time
(every prefix of a phrase), plus prices, product numbers, one- and two-letter words,
several words, and hostile text. They are deterministic, so runs compare.
"""

from __future__ import annotations

import statistics
import time

from bench.queries import queries


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure_search(catalog: object, *, rounds: int = 1, warmup: bool = True) -> dict:
    """Time every query (`rounds` passes); p50/p95/max in ms and the hit counts."""
    qs = queries()
    if warmup:
        for q in qs[:40]:
            catalog.search(q)  # type: ignore[attr-defined]
    times: list[float] = []
    worst: list[tuple[float, str]] = []
    for _ in range(rounds):
        for q in qs:
            start = time.perf_counter()
            catalog.search(q)  # type: ignore[attr-defined]
            elapsed = (time.perf_counter() - start) * 1000
            times.append(elapsed)
            worst.append((elapsed, q))
    worst.sort(reverse=True)
    return {
        "queries": len(times),
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "max_ms": max(times),
        "slowest": [q for _, q in worst[:5]],
    }


def main() -> None:
    """`python -m bench.search DATABASE_URL`: search figures on an existing store."""
    import json
    import sys

    from buynow_tui.store.catalog import Catalog
    from buynow_tui.store.db import init_db

    init_db(sys.argv[1])
    print(
        json.dumps(measure_search(Catalog(), rounds=int(sys.argv[2]) if len(sys.argv) > 2 else 1))
    )


if __name__ == "__main__":
    main()
