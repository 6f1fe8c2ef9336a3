"""Store-level search: `Catalog.search` over a big catalog, p95 of varied queries.

The queries are what a shopper types, one keystroke at a time (every prefix of a
phrase), plus prices, product numbers, one- and two-letter words, several words, and
hostile text. They are deterministic, so runs compare.
"""

from __future__ import annotations

import random
import statistics
import time

PHRASES = [
    "headphone",
    "bluetooth headphone",
    "smart watch",
    "smart wat",
    "new smart phone",
    "portable speakers",
    "wireless ear",
    "pro lap",
    "compact speaker",
    "ultra slim tablet",
    "phone",
    "cam",
    "usb-c charger",
    "e-reader",
    "drone",
    "gaming headset",
    "power bank",
    "mini",
    "sport band",
    "travel zoom",
    "studio monitor",
    "rugged case",
    "max 123",
    "quantum notebook",
    "eco radio",
]
SHORT_WORDS = [
    "a",
    "s",
    "pr",
    "sm",
    "ul",
    "ca",
    "ph",
    "wa",
    "e",
    "5g",
    "4k",
    "mi",
    "hi",
    "ki",
    "us",
]
PRICES = [
    "150",
    "$150.00",
    "200",
    "250",
    "$175",
    "1,299",
    "24.99",
    "$ 99",
    "0.5",
    "999999999",
    "2,499.99",
    "35",
    "1000",
    "$1,299.00",
    "12.3",
]
HOSTILE = [
    "%",
    "_",
    "'",
    '"',
    "*",
    "(",
    "[/",
    "[@click=app.quit]",
    "[link=x]y[/link]",
    "🎧",
    "🎧 headphone",
    "héadphone",
    "HEADPHONE",
    "a" * 200,
    "   ",
    "\x1b[31mred",
    "--",
    "a b c d e f g h i j",
    "NEAR(a b)",
    "OR",
    "AND phone",
    "-phone",
    "phone*",
    "^sm",
    "name:phone",
    "%%%",
    "' OR 1=1 --",
    "\\",
    "\u202e",
    "\x00",
]


def queries(seed: int = 11) -> list[str]:
    """About 330 queries: keystroke prefixes of phrases, then the other kinds."""
    rng = random.Random(seed)
    out: list[str] = []
    for phrase in PHRASES:
        out.extend(phrase[: n + 1] for n in range(len(phrase)) if phrase[n] != " ")
    out.extend(SHORT_WORDS)
    out.extend(PRICES)
    out.extend(HOSTILE)
    out.extend(str(rng.randrange(1, 100_000)) for _ in range(15))  # product numbers
    out.extend(str(rng.randrange(1, 1000)) for _ in range(10))  # pieces of numbers / prices
    return out


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
