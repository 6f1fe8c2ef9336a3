"""What the admin chose for the web front end: where it listens, the address shoppers
use, and its limits.

The public URL is the address in the shoppers' address bar (behind a TLS proxy,
`https://shop.example.com`): a browser's WebSocket is accepted only from that origin,
and the page's Content-Security-Policy names it. It is only a scheme, a host and a
port; the shop is served at the root of it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from buynow_tui.limits import Limits

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")


class SpawnMode(Enum):
    """How a tab's app starts: forked from the fork server, or a fresh interpreter."""

    FORK = "fork"
    EXEC = "exec"

    @classmethod
    def of(cls, value: SpawnMode | str) -> SpawnMode:
        """`value` as a mode; a WebConfigError naming the choices for anything else."""
        try:
            return cls(value)
        except ValueError:
            choices = " or ".join(mode.value for mode in cls)
            raise WebConfigError(f"--spawn must be {choices}, not {value!r}") from None


class WebConfigError(ValueError):
    """A web setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class PublicUrl:
    """`scheme://host[:port]`, normalised: lower case, no default port."""

    scheme: str
    host: str
    port: int | None = None

    @property
    def origin(self) -> str:
        """What a browser sends as `Origin` from a page at this address."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port else "")

    @property
    def websocket_origin(self) -> str:
        """The same address for a WebSocket (`ws:`/`wss:`), as CSP's connect-src wants."""
        return ("wss" if self.secure else "ws") + self.origin[len(self.scheme) :]

    @property
    def secure(self) -> bool:
        return self.scheme == "https"

    @classmethod
    def parse(cls, text: str) -> PublicUrl:
        """`http(s)://host[:port]` (a trailing `/` is fine); anything more is refused."""
        raw = text.strip()
        try:
            parts = urlsplit(raw)
            port = parts.port
        except ValueError:
            raise WebConfigError(f"the public URL {raw!r} cannot be read") from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise WebConfigError(f"the public URL must start with https:// or http://, not {raw!r}")
        host = (parts.hostname or "").lower()
        if not host or not _valid_host(host):
            raise WebConfigError(f"the public URL {raw!r} has no usable host name")
        if parts.username is not None or parts.password is not None:
            raise WebConfigError("the public URL must not hold a user name or password")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise WebConfigError(
                f"the public URL must be only scheme://host[:port] (the shop is served at "
                f"its root), not {raw!r}"
            )
        if port == {"http": 80, "https": 443}[scheme]:
            port = None
        return cls(scheme, host, port)


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(_HOST_NAME.match(host)) and len(host) <= 253
    return True


@dataclass(frozen=True)
class WebConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    #: None: `http://HOST:PORT` once the port is known (port 0 picks a free one).
    public_url: PublicUrl | None = None
    limits: Limits = field(default_factory=Limits)
    #: Behind a reverse proxy every connection comes from the proxy: take the shopper's
    #: address from the last `X-Forwarded-For` entry (the one the proxy added) instead.
    forwarded_for: bool = False
    spawn: SpawnMode = SpawnMode.FORK

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise WebConfigError(f"the port must be from 0 to 65535, not {self.port}")
        if self.public_url is None and self.host in WILDCARD_HOSTS:
            raise WebConfigError(
                f"listening on {self.host or 'every address'} needs --public-url: the "
                "address shoppers' browsers use (for example https://shop.example.com)"
            )

    def public_for(self, bound_port: int) -> PublicUrl:
        """The public URL, or the listening address once the port is bound."""
        if self.public_url is not None:
            return self.public_url
        return PublicUrl.parse(f"http://{_url_host(self.host)}:{bound_port}")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
