"""Where BuyNow keeps its database, logs, config and SSH host key.

Nothing is computed at import time: callers build a `Paths` from an explicit home, the
`BUYNOW_HOME` environment variable, or the platform's user data folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from buynow_tui.config import Locations

#: The mode of the folders BuyNow makes; its files are 0600.
PRIVATE_FOLDER = 0o700


@dataclass(frozen=True)
class Paths:
    home: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> Paths:
        if home is None:
            home = Locations.from_env().home
        if home is None:
            from platformdirs import user_data_dir

            home = user_data_dir("buynow", appauthor=False)
        return cls(Path(home).expanduser().absolute())

    @property
    def database(self) -> Path:
        return self.home / "buynow.db"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def config(self) -> Path:
        return self.home / "config"

    @property
    def token_file(self) -> Path:
        """The local Remember me token (mode 0600)."""
        return self.config / "remember.token"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def host_key(self) -> Path:
        return self.home / "ssh_host_ed25519_key"

    def session_user_file(self, pid: int) -> Path:
        """Over SSH: who the session app `pid` has logged in, for the server's
        disconnect line (`logs.read_session_user`); in `config/`, 0600."""
        return self.config / f"session-{pid}.user"

    @property
    def server_state(self) -> Path:
        """Written by a running `buynow serve`; read by `buynow uptime`."""
        return self.home / "server.json"

    def ensure(self) -> None:
        """Make the home, logs and config folders, private (0700).

        They hold the database (every password and answer hash), the logs, the Remember
        me token and the host key. A home folder the admin made already keeps its mode
        (it may be a shared folder chosen on purpose; the files in it are 0600
        anyway); the logs and config folders are BuyNow's own and are made private.
        """
        if not self.home.is_dir():
            self.home.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.home.mkdir(mode=PRIVATE_FOLDER)
            except FileExistsError:
                if not self.home.is_dir():
                    raise
            else:
                os.chmod(self.home, PRIVATE_FOLDER)  # whatever the umask
        for folder in (self.logs, self.config):
            folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
            if folder.stat().st_mode & 0o077:
                os.chmod(folder, PRIVATE_FOLDER)

    def database_url(self) -> str:
        """`BUYNOW_DATABASE_URL`, or the embedded SQLite file in the home folder."""
        return Locations.from_env().database_url or f"sqlite:///{self.database}"


def masked_url(url: str) -> str:
    """`url` fit to show: a password in it (`user:secret@`, `?password=`) becomes `***`."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = parts.query
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(key.lower() == "password" for key, _ in pairs):
            query = urlencode(
                [(k, "***" if k.lower() == "password" else val) for k, val in pairs], safe="*"
            )
        if (netloc, query) == (parts.netloc, parts.query):
            return url
        return urlunsplit(parts._replace(netloc=netloc, query=query))
    except ValueError:
        return "(a database URL that cannot be read)"
