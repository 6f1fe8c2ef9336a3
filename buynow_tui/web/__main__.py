"""`python -m buynow_tui.web`: serve the shop to browsers (until `buynow web` exists).

Every option has an environment variable, as `buynow serve`'s do; a bad value is one
`error:` line and exit code 2, before anything starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from buynow_tui.limits import Limits
from buynow_tui.web.config import DEFAULT_HOST, DEFAULT_PORT, PublicUrl, WebConfig, WebConfigError

T = TypeVar("T")
_DEFAULTS = Limits()

#: option -> (environment variable, Limits field, type, help)
LIMIT_OPTIONS: dict[str, tuple[str, str, type, str]] = {
    "--max-sessions": ("BUYNOW_WEB_MAX_SESSIONS", "max_sessions", int, "tabs at once, in total"),
    "--max-per-address": (
        "BUYNOW_WEB_MAX_PER_ADDRESS",
        "max_per_address",
        int,
        "tabs at once from one address",
    ),
    "--connections-per-minute": (
        "BUYNOW_WEB_CONNECTIONS_PER_MINUTE",
        "connections_per_minute",
        int,
        "new tabs per minute from one address",
    ),
    "--max-starting": (
        "BUYNOW_WEB_MAX_STARTING",
        "max_starting",
        int,
        "tabs starting their app at once (others wait up to 5 s)",
    ),
    "--idle-timeout": (
        "BUYNOW_WEB_IDLE_TIMEOUT",
        "idle_timeout",
        float,
        "seconds without a keystroke before a tab's session ends",
    ),
    "--session-cap": (
        "BUYNOW_WEB_SESSION_CAP",
        "session_cap",
        float,
        "seconds a tab's session may last",
    ),
}


def _env(environ: Mapping[str, str], name: str, kind: Callable[[str], T], default: T) -> T:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise WebConfigError(f"{name} must be a number, not {raw!r}") from None


def parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    ask = argparse.ArgumentParser(
        prog="python -m buynow_tui.web",
        description="Serve the BuyNow shop to web browsers, one app per browser tab.",
    )
    ask.add_argument("--home", help="BuyNow's folder (database, logs); default $BUYNOW_HOME")
    ask.add_argument(
        "--host",
        default=environ.get("BUYNOW_WEB_HOST") or DEFAULT_HOST,
        help="address to listen on",
    )
    ask.add_argument(
        "--port",
        type=int,
        default=_env(environ, "BUYNOW_WEB_PORT", int, DEFAULT_PORT),
        help="port to listen on (0: any free port)",
    )
    ask.add_argument(
        "--public-url",
        default=environ.get("BUYNOW_WEB_PUBLIC_URL") or None,
        help="the address shoppers' browsers use, e.g. https://shop.example.com "
        "(default http://HOST:PORT)",
    )
    ask.add_argument(
        "--forwarded-for",
        action="store_true",
        default=environ.get("BUYNOW_WEB_FORWARDED_FOR") == "1",
        help="behind a reverse proxy: take each shopper's address from X-Forwarded-For",
    )
    for option, (variable, field, kind, words) in LIMIT_OPTIONS.items():
        ask.add_argument(
            option,
            type=kind,
            default=_env(environ, variable, kind, getattr(_DEFAULTS, field)),
            help=f"{words} (default {getattr(_DEFAULTS, field):g}; ${variable})",
        )
    return ask


def config_from(args: argparse.Namespace) -> WebConfig:
    try:
        limits = Limits(
            **{field: getattr(args, field) for _, field, _, _ in LIMIT_OPTIONS.values()}
        )
    except ValueError as error:
        raise WebConfigError(str(error)) from None
    public = PublicUrl.parse(args.public_url) if args.public_url else None
    return WebConfig(
        host=args.host,
        port=args.port,
        public_url=public,
        limits=limits,
        forwarded_for=args.forwarded_for,
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    try:
        args = parser(env).parse_args(argv)
        config = config_from(args)
    except WebConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from buynow_tui.paths import Paths
    from buynow_tui.web.server import run

    try:
        paths = Paths.resolve(args.home)
        return run(paths, config)
    except KeyboardInterrupt:
        return 130
    except OSError as error:
        print(f"error: {error.strerror or error}", file=sys.stderr)
        return 1
    except Exception as error:
        from buynow_tui.store.problems import for_admin

        message = for_admin(error)
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
