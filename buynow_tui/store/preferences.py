"""What a client chose (its theme), kept for the next visit over SSH.

In a shopper's own terminal the settings file keeps it (`session.SettingsFile`); over
SSH the shop keeps it here, keyed by the same hash of the shopper's key as the
remembered logins (`Accounts`), so the theme follows the key to every front end on one
PostgreSQL, logged in or not. Never the key itself. A write is one upsert: two
sessions of one key choosing at once leave one of their choices, never an error.
"""

from __future__ import annotations

import re

from buynow_tui.clock import Clock, system_clock
from buynow_tui.store.accounts import Accounts
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import ValidationError
from buynow_tui.store.models import ClientPreference

THEME_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")


def check_theme_name(theme: str) -> str:
    """A plausible theme name (which themes exist is the app's to know)."""
    if not THEME_NAME.fullmatch(theme):
        raise ValidationError(f"{theme[:60]!r} is not a theme name.", field="theme")
    return theme


class Preferences:
    def __init__(self, *, clock: Clock = system_clock) -> None:
        self.clock = clock

    def theme_for_key(self, fingerprint: str) -> str | None:
        """The theme last chosen with this SSH key, or None."""
        if not fingerprint:
            return None
        with connection():
            theme: str | None = (
                ClientPreference.select(ClientPreference.theme)
                .where(ClientPreference.client_hash == Accounts.key_hash(fingerprint))
                .scalar()
            )
        return theme

    def keep_theme_for_key(self, fingerprint: str, theme: str) -> None:
        """Remember `theme` for this SSH key (replacing what it chose before)."""
        if not fingerprint:
            raise ValidationError("There is no key to remember the theme by.")
        theme = check_theme_name(theme)
        now = self.clock()
        with write():
            ClientPreference.insert(
                client_hash=Accounts.key_hash(fingerprint), theme=theme, updated_at=now
            ).on_conflict(
                conflict_target=[ClientPreference.client_hash],
                update={ClientPreference.theme: theme, ClientPreference.updated_at: now},
            ).execute()
