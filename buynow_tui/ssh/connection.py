"""One SSH connection: admission, identity, and what it may open.

Admission: a new connection is counted against the limits (`limits.Admission`) before
anything else. Far over a limit (a flood) it is dropped before the key exchange; over
one, it may still log in and then hears "busy" instead of a shop.

Identity: any public key is accepted. asyncssh does not record which key a client
authenticated with, so the server watches its auth callbacks: asyncssh answers a
signed public-key request with success straight after `validate_public_key` returned
True for that request's key and the signature checked out, with no other callback in
between; keyboard-interactive success always goes through `get_kbdint_challenge`. So
the key seen in the last `validate_public_key` before `auth_completed` -- and only if
no keyboard-interactive exchange came after it -- is the key the client proved. A key
that was only probed, or whose signature failed, never becomes the identity.

What it may open: session channels (`lifecycle.ShopSession`); every kind of port and
socket forwarding is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import asyncssh

from buynow_tui.limits import Verdict
from buynow_tui.logs import get_logger
from buynow_tui.ssh.hub import Hub
from buynow_tui.ssh.lifecycle import Peer, ShopSession
from buynow_tui.ssh.policy import MSG_NO_FORWARDING

log = get_logger("ssh")


@dataclass
class ProvenKey:
    """Which key the client proved it holds, from the order of asyncssh's callbacks."""

    candidate: asyncssh.SSHKey | None = None

    def offered(self, key: asyncssh.SSHKey) -> None:
        # Probe or signed request alike: only a success straight after this proves it.
        self.candidate = key

    def keyboard_interactive(self) -> None:
        self.candidate = None  # this auth is keyboard-interactive: anonymous

    def completed(self) -> str:
        """The SHA256 fingerprint of the proved key, or "" (anonymous)."""
        key, self.candidate = self.candidate, None
        return str(key.get_fingerprint("sha256")) if key is not None else ""


class ShopConnection(asyncssh.SSHServer):
    """The asyncssh callbacks of one client connection."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.conn: asyncssh.SSHServerConnection | None = None
        self.address = "unknown"
        self.verdict = Verdict.OK
        self.key = ProvenKey()
        self.fingerprint = ""

    # connection lifecycle

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername")
        self.address = str(peer[0]) if peer else "unknown"
        self.hub.connections.add(self)
        self.verdict = (
            Verdict.BUSY if self.hub.closing else self.hub.admission.connection_opened(self.address)
        )
        if self.verdict is Verdict.DROP:
            log.warning("dropped a connection from %s: far over the limits", self.address)
            asyncio.get_running_loop().call_soon(conn.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        self.hub.connections.discard(self)
        self.hub.admission.connection_closed(self.address)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()

    # authentication: anyone may come in; a proven key says who they are

    def begin_auth(self, username: str) -> bool:
        return True  # ask for auth, so clients offer their keys before falling back

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        self.key.offered(key)
        return True

    def kbdint_auth_supported(self) -> bool:
        return True

    def get_kbdint_challenge(self, username: str, lang: str, submethods: str) -> bool:
        self.key.keyboard_interactive()
        return True

    def validate_kbdint_response(self, username: str, responses: Sequence[str]) -> bool:
        self.key.keyboard_interactive()
        return True

    def password_auth_supported(self) -> bool:
        return False

    def auth_completed(self) -> None:
        self.fingerprint = self.key.completed()

    # what the connection may open

    def session_requested(self) -> tuple[asyncssh.SSHServerChannel[bytes], ShopSession]:
        assert self.conn is not None
        chan: asyncssh.SSHServerChannel[bytes] = self.conn.create_server_channel(encoding=None)
        session = ShopSession(self.hub, Peer(self.address, self.fingerprint, self.verdict))
        notice_agent_requests(chan, session.agent_requested)
        return chan, session

    def connection_requested(
        self, dest_host: str, dest_port: int, orig_host: str, orig_port: int
    ) -> NoReturn:
        log.warning("refused a port forward to %s:%s from %s", dest_host, dest_port, self.address)
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, MSG_NO_FORWARDING
        )

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        log.warning(
            "refused a remote port forward on %s:%s from %s", listen_host, listen_port, self.address
        )
        return False

    def unix_connection_requested(self, dest_path: str) -> NoReturn:
        log.warning("refused a socket forward from %s", self.address)
        raise asyncssh.ChannelOpenError(
            asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, MSG_NO_FORWARDING
        )

    def unix_server_requested(self, listen_path: str) -> bool:
        log.warning("refused a remote socket forward from %s", self.address)
        return False


#: asyncssh's (private) handler of OpenSSH's agent-forwarding request on a server
#: channel. Checked against asyncssh 1.5 (where it appeared) up to 2.24.1: asyncssh has
#: no public hook for this request -- `SSHServerSession` gets no callback for it, and
#: `get_agent_path()` only says whether forwarding was *granted*, which it never is
#: here (`agent_forwarding=False`). `tests/test_ssh_internals.py` fails loudly if the
#: name goes away or is no longer called.
AGENT_REQUEST_HANDLER = "_process_auth_agent_req_at_openssh_dot_com_request"


def notice_agent_requests(
    chan: asyncssh.SSHServerChannel[bytes], noticed: Callable[[], None]
) -> bool:
    """Call `noticed()` when the client asks to forward its agent; asyncssh still refuses.

    OpenSSH asks without wanting a reply, so the shopper would never learn it was
    refused; noticing it lets the session say so in one line. If asyncssh ever renames
    its handler, this returns False and the request is still refused, just silently.
    """
    original = getattr(chan, AGENT_REQUEST_HANDLER, None)
    if original is None:
        return False

    def handler(packet: Any) -> Any:
        noticed()
        return original(packet)

    setattr(chan, AGENT_REQUEST_HANDLER, handler)
    return True
