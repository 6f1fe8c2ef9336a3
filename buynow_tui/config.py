"""Settings read once from the environment and handed down explicitly.

`BUYNOW_BCRYPT_ROUNDS` exists for the test suite only: below 12 it is honoured only
when `BUYNOW_TESTING=1`, so a production shop can never be configured into weak hashes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_BCRYPT_ROUNDS = 12
DEFAULT_SHIPPING_CENTS = 3000


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    bcrypt_rounds: int = DEFAULT_BCRYPT_ROUNDS
    shipping_cents: int = DEFAULT_SHIPPING_CENTS
    lockout_failures: int = 5
    lockout_minutes: int = 15
    remember_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        rounds = _int_env("BUYNOW_BCRYPT_ROUNDS", DEFAULT_BCRYPT_ROUNDS)
        testing = os.environ.get("BUYNOW_TESTING") == "1"
        if rounds < DEFAULT_BCRYPT_ROUNDS and not testing:
            rounds = DEFAULT_BCRYPT_ROUNDS
        rounds = max(4, min(rounds, 16))
        shipping = _int_env("BUYNOW_SHIPPING_CENTS", DEFAULT_SHIPPING_CENTS)
        if shipping < 0:
            raise SystemExit("BUYNOW_SHIPPING_CENTS must not be negative")
        return cls(bcrypt_rounds=rounds, shipping_cents=shipping)
