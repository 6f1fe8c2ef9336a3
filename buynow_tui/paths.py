"""Where BuyNow keeps its database, logs, config and SSH host key.

Nothing is computed at import time: callers build a `Paths` from an explicit home, the
`BUYNOW_HOME` environment variable, or the platform's user data folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    home: Path

    @classmethod
    def resolve(cls, home: str | Path | None = None) -> Paths:
        if home is None:
            home = os.environ.get("BUYNOW_HOME") or None
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

    @property
    def server_state(self) -> Path:
        """Written by a running `buynow serve`; read by `buynow uptime`."""
        return self.home / "server.json"

    def ensure(self) -> None:
        for folder in (self.home, self.logs, self.config):
            folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.config, 0o700)

    def database_url(self) -> str:
        """`BUYNOW_DATABASE_URL`, or the embedded SQLite file in the home folder."""
        return os.environ.get("BUYNOW_DATABASE_URL") or f"sqlite:///{self.database}"
