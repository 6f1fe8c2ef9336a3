"""The browser's cookie: a random id by which the shop knows one browser again.

The id is 256 random bits (`secrets.token_urlsafe(32)`). It is sent on every page,
renewing its lifetime, with `HttpOnly` (no script can read it), `SameSite=Strict` (no
other site's page or link makes the browser send it), `Path=/`, and `Secure` when the
public URL is https -- where it is also named with the `__Host-` prefix, so that no
other host (a sibling subdomain) can plant one for the shop. It lasts as long as
Remember me does (`Settings.remember_days`: 30 days).

The id never leaves the server: the tab's app gets its SHA-256 (`client_hash`), and
that is all the store keeps. A cookie that is not an id the server could have made is
ignored (the browser gets a new one with the next page).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from aiohttp import web

from buynow_tui.config import Settings
from buynow_tui.web.config import PublicUrl

NAME = "buynow_client"
SECURE_NAME = "__Host-" + NAME
MAX_AGE = Settings().remember_days * 24 * 3600
_ID = re.compile(r"[A-Za-z0-9_-]{43}")


def name_for(public: PublicUrl) -> str:
    return SECURE_NAME if public.secure else NAME


def new_id() -> str:
    return secrets.token_urlsafe(32)


def client_id(request: web.Request, public: PublicUrl) -> str | None:
    """The id this browser's cookie holds, if it is one the server could have made."""
    value = request.cookies.get(name_for(public), "")
    return value if _ID.fullmatch(value) else None


def client_hash(client: str) -> str:
    """What the tab's app and the store know the browser by."""
    return hashlib.sha256(client.encode("ascii")).hexdigest()


def give(response: web.StreamResponse, client: str | None, public: PublicUrl) -> str:
    """Set (or renew) the browser's cookie on `response`; the id it holds."""
    client = client or new_id()
    response.set_cookie(
        name_for(public),
        client,
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=public.secure,
    )
    return client
