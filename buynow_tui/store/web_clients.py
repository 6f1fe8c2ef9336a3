"""Browsers the web front end knows: their consent to the notice, kept per browser.

A browser is known by the SHA-256 of the random id in its cookie (`client_hash`); the
web server computes it and hands the tab's app only that, so neither the store nor any
process but the server ever sees the id itself. Its Remember me is in `Accounts`
(`remember_browser`, a `remember_token` of kind "web", beside the SSH key bindings).
What is here is the browser's own: whether it accepted the consent notice while nobody
was logged in, so one visitor's Accept never hides the notice from another browser.

A row is made only when a browser first has something to remember (accepting the
notice), so a page view costs the database nothing; every later visit moves its
`seen_at` on, and rows unseen for as long as the cookie lasts (`remember_days`) are
purged whenever a browser is written. Two tabs of one browser accepting at once make
one row, and the first acceptance's time is kept (an insert that ignores a conflict,
then an update only where the consent is still empty).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.store import validation as v
from buynow_tui.store.db import connection, write
from buynow_tui.store.models import WebClient


class WebClients:
    def __init__(self, settings: Settings, *, clock: Clock = system_clock) -> None:
        self.settings = settings
        self.clock = clock

    @property
    def lifetime(self) -> timedelta:
        """How long a browser unseen is remembered: as long as its cookie lasts."""
        return timedelta(days=self.settings.remember_days)

    def consent_at(self, client_hash: str) -> datetime | None:
        """When this browser accepted the notice (None: never, or forgotten); a visit,
        so a known browser's `seen_at` moves on."""
        key = v.check_client_hash(client_hash)
        now = self.clock()
        with write():
            row = WebClient.get_or_none(WebClient.client_hash == key)
            if row is None:
                return None
            if row.seen_at <= now - self.lifetime:
                row.delete_instance()
                return None
            WebClient.update(seen_at=now).where(WebClient.client_hash == key).execute()
            consent: datetime | None = row.consent_at
            return consent

    def accept_consent(self, client_hash: str) -> datetime:
        """Record that this browser accepted the notice; the time it first did."""
        key = v.check_client_hash(client_hash)
        now = self.clock()
        with write():
            self._purge(now)
            WebClient.insert(
                client_hash=key, consent_at=now, created_at=now, seen_at=now
            ).on_conflict_ignore().execute()
            WebClient.update(consent_at=now).where(
                (WebClient.client_hash == key) & WebClient.consent_at.is_null()
            ).execute()
            WebClient.update(seen_at=now).where(WebClient.client_hash == key).execute()
            when: datetime = WebClient.get(WebClient.client_hash == key).consent_at
        return when

    def count(self) -> int:
        """How many browsers the shop remembers (for the admin and the tests)."""
        with connection():
            counted: int = WebClient.select().count()
        return counted

    def _purge(self, now: datetime) -> int:
        removed: int = WebClient.delete().where(WebClient.seen_at <= now - self.lifetime).execute()
        return removed
