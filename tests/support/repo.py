"""The checkout the tests run from, and what it ships."""

from __future__ import annotations

import json
from pathlib import Path

#: The repository's root (the worktree under test: subprocesses get it as PYTHONPATH).
ROOT = Path(__file__).resolve().parents[2]

#: How many products the shipped catalog (data/catalog.json) seeds a new shop with.
CATALOG_SIZE: int = len(json.loads((ROOT / "data" / "catalog.json").read_text("utf-8"))["products"])
