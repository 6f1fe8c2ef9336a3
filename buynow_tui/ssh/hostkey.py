"""The server's Ed25519 host key: made once, kept private, reused on every start.

Shoppers' SSH clients pin the host key the first time they connect, so it must never
change by accident: it is generated only when the file does not exist, written with
mode 0600 from the start (never world-readable, not even for a moment), and a key file
that others can read is refused rather than silently used. `BUYNOW_HOST_KEY` (or
`--host-key`) points several front ends at one shared key.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from buynow_tui.paths import Paths

if TYPE_CHECKING:
    from asyncssh import SSHKey

HOST_KEY_ENV = "BUYNOW_HOST_KEY"


class HostKeyError(Exception):
    """The host key exists but cannot be used as it is (one line for the admin)."""


def host_key_path(paths: Paths, override: str | Path | None = None) -> Path:
    """`--host-key`, else `BUYNOW_HOST_KEY`, else the key in the home folder."""
    chosen = override or os.environ.get(HOST_KEY_ENV) or None
    return Path(chosen).expanduser().absolute() if chosen else paths.host_key


def load_or_create(path: Path) -> SSHKey:
    """The private key at `path`, generated (Ed25519, 0600) if there is none yet.

    A path that is a symlink to nothing is refused: writing a new key through it would
    put the key wherever the link points, and it most likely means the shared key it
    should point at is missing.
    """
    import asyncssh

    if path.is_symlink() and not path.exists():
        raise HostKeyError(
            f"the host key {path} is a link to {os.readlink(path)}, which does not exist; "
            "restore the key there or remove the link"
        )
    if not path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519", comment="buynow host key")
        path.parent.mkdir(parents=True, exist_ok=True)
        data = key.export_private_key()
        try:
            # O_EXCL: two servers starting at once never overwrite each other's key.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            if not path.exists():  # a link made meanwhile
                raise HostKeyError(f"the host key {path} appeared as a link to nothing") from None
            return _read(path)  # the other server made it first: use that one
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return key
    return _read(path)


def _read(path: Path) -> SSHKey:
    import asyncssh

    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise HostKeyError(
            f"the host key {path} can be read by others (mode {mode:04o}); run: chmod 600 {path}"
        )
    try:
        return asyncssh.read_private_key(str(path))
    except (asyncssh.KeyImportError, ValueError) as error:
        raise HostKeyError(f"the host key {path} is not a usable private key: {error}") from None


def fingerprint_of(path: Path) -> str | None:
    """The SHA256 fingerprint of the key at `path`, or None if there is no usable key."""
    import asyncssh

    try:
        return str(asyncssh.read_private_key(str(path)).get_fingerprint("sha256"))
    except (OSError, asyncssh.KeyImportError, ValueError):
        return None
