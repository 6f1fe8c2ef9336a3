"""Everything BuyNow reads from the environment, read in one place and handed down.

`Settings` are the store's knobs; `Locations` where the admin put the shop's folder and
database (`Paths` uses them); `ClientEnvironment` is what the SSH server (and any other
front end) tells a session's app about the shopper on the other end. A value that
cannot be used is a `ConfigError`: one line for the admin, never a `SystemExit` from
library code. (The CLI's own options also name their environment variables, for Typer
to read and `--help` to show: `--home` is `BUYNOW_HOME` there too.)

`BUYNOW_BCRYPT_ROUNDS` exists for the test suite only: below 12 it is honoured only
when `BUYNOW_TESTING=1`, so a production shop can never be configured into weak hashes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypedDict

DEFAULT_BCRYPT_ROUNDS = 12
DEFAULT_SHIPPING_CENTS = 3000
#: Express delivery's price unless `BUYNOW_EXPRESS_CENTS` says otherwise (issue 15).
DEFAULT_EXPRESS_CENTS = 4500
#: Minutes an order may stay `placed` without a payment before the sweep cancels it.
DEFAULT_STRANDED_MINUTES = 10
#: Seconds before an email the SMTP server did not take is tried again.
DEFAULT_SMTP_RETRY_SECONDS = 60

HOME = "BUYNOW_HOME"
DATABASE_URL = "BUYNOW_DATABASE_URL"

#: What the SSH server sets in a session's environment (see `ssh/server.py`).
SSH_FLAG = "BUYNOW_SSH"
SSH_FINGERPRINT = "BUYNOW_SSH_FINGERPRINT"
SSH_PEER = "BUYNOW_SSH_PEER"
SERVER_STARTED = "BUYNOW_SERVER_STARTED"
#: What the web server sets in a tab's app (see `web/apps.py`): the SHA-256 of the
#: browser's cookie id, never the id itself.
WEB_FLAG = "BUYNOW_WEB"
WEB_CLIENT = "BUYNOW_WEB_CLIENT"
WEB_PEER = "BUYNOW_WEB_PEER"
_CLIENT_HASH = re.compile(r"[0-9a-f]{64}")


class ConfigError(ValueError):
    """A setting from the environment that cannot be used; the message names it."""


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    bcrypt_rounds: int = DEFAULT_BCRYPT_ROUNDS
    shipping_cents: int = DEFAULT_SHIPPING_CENTS
    lockout_failures: int = 5
    lockout_minutes: int = 15
    remember_days: int = 30
    extra: dict[str, str] = field(default_factory=dict)
    # -- checkout (issue 15): delivery prices, the payment sweep, receipts by email --
    express_cents: int = DEFAULT_EXPRESS_CENTS
    #: Standard delivery is free from this subtotal on (None: never free).
    free_delivery_from_cents: int | None = None
    stranded_minutes: int = DEFAULT_STRANDED_MINUTES
    #: Where receipts are mailed through (`BUYNOW_SMTP_URL`); None: no mail.
    smtp_url: str | None = field(default=None, repr=False)  # may hold a password
    smtp_retry_seconds: int = DEFAULT_SMTP_RETRY_SECONDS
    mail_from: str = "BuyNow <shop@localhost>"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        rounds = _int_env(env, "BUYNOW_BCRYPT_ROUNDS", DEFAULT_BCRYPT_ROUNDS)
        testing = env.get("BUYNOW_TESTING") == "1"
        if rounds < DEFAULT_BCRYPT_ROUNDS and not testing:
            rounds = DEFAULT_BCRYPT_ROUNDS
        rounds = max(4, min(rounds, 16))
        shipping = _int_env(env, "BUYNOW_SHIPPING_CENTS", DEFAULT_SHIPPING_CENTS)
        if shipping < 0:
            raise ConfigError("BUYNOW_SHIPPING_CENTS must not be negative")
        return cls(bcrypt_rounds=rounds, shipping_cents=shipping, **_checkout_settings(env))


class _CheckoutKnobs(TypedDict):
    express_cents: int
    free_delivery_from_cents: int | None
    stranded_minutes: int
    smtp_url: str | None
    smtp_retry_seconds: int
    mail_from: str


def _checkout_settings(env: Mapping[str, str]) -> _CheckoutKnobs:
    """The checkout's knobs (issue 15): delivery prices, the sweep, receipts by email."""
    express = _int_env(env, "BUYNOW_EXPRESS_CENTS", DEFAULT_EXPRESS_CENTS)
    free_raw = env.get("BUYNOW_FREE_DELIVERY_FROM_CENTS", "").strip()
    free = _int_env(env, "BUYNOW_FREE_DELIVERY_FROM_CENTS", 0) if free_raw else None
    stranded = _int_env(env, "BUYNOW_STRANDED_MINUTES", DEFAULT_STRANDED_MINUTES)
    retry = _int_env(env, "BUYNOW_SMTP_RETRY_SECONDS", DEFAULT_SMTP_RETRY_SECONDS)
    for name, value in (
        ("BUYNOW_EXPRESS_CENTS", express),
        ("BUYNOW_FREE_DELIVERY_FROM_CENTS", free or 0),
    ):
        if value < 0:
            raise ConfigError(f"{name} must not be negative")
    if stranded < 1:
        raise ConfigError("BUYNOW_STRANDED_MINUTES must be at least 1")
    if retry < 1:
        raise ConfigError("BUYNOW_SMTP_RETRY_SECONDS must be at least 1")
    smtp = env.get("BUYNOW_SMTP_URL", "").strip() or None
    if smtp is not None and not smtp.lower().startswith(("smtp://", "smtps://")):
        raise ConfigError("BUYNOW_SMTP_URL must start with smtp:// or smtps://")
    return {
        "express_cents": express,
        "free_delivery_from_cents": free,
        "stranded_minutes": stranded,
        "smtp_url": smtp,
        "smtp_retry_seconds": retry,
        "mail_from": env.get("BUYNOW_MAIL_FROM", "").strip() or "BuyNow <shop@localhost>",
    }


@dataclass(frozen=True)
class Locations:
    """`BUYNOW_HOME` (the folder for the database, logs, config and host key) and
    `BUYNOW_DATABASE_URL` (another database); None where unset or empty."""

    home: str | None = None
    database_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Locations:
        env = os.environ if environ is None else environ
        return cls(home=env.get(HOME) or None, database_url=env.get(DATABASE_URL) or None)


def has_own_driver(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process was given a Textual driver of its own (`TEXTUAL_DRIVER`, as
    a web front end does): it then talks to that rather than to a terminal."""
    env = os.environ if environ is None else environ
    return bool(env.get("TEXTUAL_DRIVER"))


def parse_utc(text: str) -> datetime | None:
    """An ISO 8601 time as aware UTC (naive times are taken as UTC); None if unreadable."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class ClientEnvironment:
    """Who is on the other end of this app, as its front end said.

    Locally nothing is set: the shopper is at this machine. Run by the SSH server
    (`BUYNOW_SSH=1`), the app is one shopper's session: `ssh_fingerprint` is the SHA256
    fingerprint of the key they proved they hold ("" for an anonymous shopper), and
    `server_started` the server's launch (About shows its uptime). Run by the web
    server (`BUYNOW_WEB=1`), it is one browser tab: `web_client` names the browser as
    `BUYNOW_WEB_CLIENT` gave it (anything but 64 hex digits counts as no browser).
    """

    over_ssh: bool = False
    ssh_fingerprint: str = ""
    peer: str = ""
    server_started: datetime | None = None
    #: Run by the web server for one browser tab (`BUYNOW_WEB=1`); `web_client` is the
    #: SHA-256 of the browser's cookie id ("" for a browser without the cookie).
    over_web: bool = False
    web_client: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ClientEnvironment:
        env = os.environ if environ is None else environ
        if env.get(WEB_FLAG) == "1" and env.get(SSH_FLAG) != "1":
            client = env.get(WEB_CLIENT, "").strip()
            return cls(
                over_web=True,
                web_client=client if _CLIENT_HASH.fullmatch(client) else "",
                peer=env.get(WEB_PEER, "").strip(),
                server_started=parse_utc(env.get(SERVER_STARTED, "")),
            )
        if env.get(SSH_FLAG) != "1":
            return cls()
        return cls(
            over_ssh=True,
            ssh_fingerprint=env.get(SSH_FINGERPRINT, "").strip(),
            peer=env.get(SSH_PEER, "").strip(),
            server_started=parse_utc(env.get(SERVER_STARTED, "")),
        )
