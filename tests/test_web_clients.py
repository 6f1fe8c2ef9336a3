"""The store's half of the web session contract, on SQLite and PostgreSQL: a browser is
known only by the SHA-256 of its cookie id; Remember me binds an account to it (a
remember token of kind "web") and consent is kept per browser; logging out, a password
change or reset, and time all end what they should. Races run in real processes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.errors import ValidationError
from tests.support.store import register

pytestmark = pytest.mark.backends


def browser() -> tuple[str, str]:
    """A cookie id as the web server makes one, and the hash the app is handed."""
    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


def test_remember_me_binds_the_browser_and_log_out_forgets_it(services: Any, backend: str) -> None:
    user = register(services)
    _, first = browser()
    _, second = browser()
    accounts = services.accounts
    assert accounts.resolve_browser(first) is None
    accounts.remember_browser(user.id, first)
    assert accounts.resolve_browser(first).id == user.id
    assert accounts.resolve_browser(second) is None  # another browser is not logged in
    accounts.forget_browser(first)
    assert accounts.resolve_browser(first) is None


def test_consent_is_kept_per_browser(services: Any, backend: str) -> None:
    _, accepted = browser()
    _, other = browser()
    clients = services.web_clients
    assert clients.consent_at(accepted) is None
    when = clients.accept_consent(accepted)
    assert clients.consent_at(accepted) == when
    assert clients.consent_at(other) is None  # one visitor's Accept is not another's
    assert clients.accept_consent(accepted) == when  # the first acceptance is kept
    assert clients.count() == 1


def test_a_password_change_or_reset_revokes_the_browsers_remember_me(
    services: Any, backend: str
) -> None:
    user = register(services)
    _, one = browser()
    _, two = browser()
    services.accounts.remember_browser(user.id, one)
    services.logins.begin(user.id, user.credentials_version)
    services.accounts.change_password(user.id, "correct horse", "a much better horse")
    assert services.accounts.resolve_browser(one) is None
    services.accounts.remember_browser(user.id, two)
    services.accounts.reset_password("ann@example.com", "Rex", "yet another horse")
    assert services.accounts.resolve_browser(two) is None


def test_remembered_browsers_and_consent_expire_with_the_cookie(
    services: Any, backend: str, frozen_clock: list[Any]
) -> None:
    user = register(services)
    _, kept = browser()
    _, gone = browser()
    services.accounts.remember_browser(user.id, kept)
    services.web_clients.accept_consent(kept)
    services.web_clients.accept_consent(gone)
    frozen_clock[0] += timedelta(days=20)
    assert services.web_clients.consent_at(kept) is not None  # a visit: seen again
    frozen_clock[0] += timedelta(days=15)  # 35 days after the login, 15 after the visit
    assert services.accounts.resolve_browser(kept) is None  # Remember me lasts 30 days
    assert services.web_clients.consent_at(kept) is not None
    assert services.web_clients.consent_at(gone) is None  # unseen for 35 days: forgotten
    services.web_clients.accept_consent(browser()[1])  # a write purges the unseen ones
    assert services.web_clients.count() == 2


@pytest.mark.parametrize("bad", ["", "abc", "G" * 64, "A" * 64, "0" * 63, "0" * 64 + "\n"])
def test_anything_but_a_hash_is_refused_and_nothing_is_written(
    services: Any, backend: str, bad: str
) -> None:
    user = register(services)
    with pytest.raises(ValidationError):
        services.web_clients.accept_consent(bad)
    with pytest.raises(ValidationError):
        services.accounts.remember_browser(user.id, bad)
    with pytest.raises(ValidationError):
        services.accounts.forget_browser(bad)
    assert services.web_clients.count() == 0


def test_only_the_hash_is_stored(services: Any, backend: str, database_url: str) -> None:
    """The cookie's id itself is nowhere in the database: not in `web_client`, not in
    `remember_token` (whose row is keyed by a hash of the hash)."""
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import RememberToken, WebClient

    user = register(services)
    token, client = browser()
    services.accounts.remember_browser(user.id, client)
    services.web_clients.accept_consent(client)
    with connection():
        stored = [row.token_hash for row in RememberToken.select()]
        stored += [row.client_hash for row in WebClient.select()]
        kinds = [row.kind for row in RememberToken.select()]
    assert client in stored and kinds == ["web"]
    assert token not in " ".join(stored)


# -- races, in processes of their own -------------------------------------------------


def _open(home: str, url: str) -> Any:
    from buynow_tui.logs import setup_logging
    from buynow_tui.store.db import init_db
    from buynow_tui.store.services import Services

    setup_logging(Path(home) / "logs")
    init_db(url)
    return Services()


def _tab(home: str, url: str, client: str, user_id: int, barrier: Any, results: Any) -> None:
    """One tab of the browser in its own process: log in with Remember me and accept
    the notice at the same moment as the others."""
    services = _open(home, url)
    barrier.wait(timeout=30)
    try:
        services.accounts.remember_browser(user_id, client)
        when = services.web_clients.accept_consent(client)
        results.put(("ok", when.isoformat()))
    except Exception as error:
        results.put(("error", repr(error)))


TABS = 6


def test_tabs_of_one_browser_remembering_and_accepting_at_once_make_one_binding(
    services: Any, backend: str, home: Path, database_url: str
) -> None:
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import RememberToken

    users = [register(services, f"u{n}@example.com", f"u{n}") for n in range(2)]
    _, client = browser()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(TABS)
    results = context.Queue()
    workers = [
        context.Process(
            target=_tab,
            args=(str(home), database_url, client, users[n % 2].id, barrier, results),
        )
        for n in range(TABS)
    ]
    for worker in workers:
        worker.start()
    answers = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [kind for kind, _ in answers] == ["ok"] * TABS, answers
    assert len({when for _, when in answers}) == 1  # one acceptance, the first, for all
    assert services.web_clients.count() == 1
    with connection():
        rows = list(RememberToken.select().where(RememberToken.kind == "web"))
    assert len(rows) == 1
    assert services.accounts.resolve_browser(client).id in {user.id for user in users}
