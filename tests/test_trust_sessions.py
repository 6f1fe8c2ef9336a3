"""A password reset or change ends every other live session of that user.

The store side runs on both backends: a session (a `Services` holding a login, as each
SSH session's process does) whose user's password changed elsewhere can write nothing.
The app side: the session is logged out with the store's message at its next write or
screen, and its Remember me is gone. The "elsewhere" of the pilot tests is a real
second process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.app import BuyNowApp
from buynow_tui.paths import Paths
from buynow_tui.store.errors import SessionEnded
from buynow_tui.store.services import Services
from buynow_tui.store.views import Confirmation
from tests.support.app import make_app, notices, press_key, wait_for, wait_for_screen
from tests.support.repo import ROOT
from tests.support.shop import search, shop_ready
from tests.support.store import product_named, register

ADDRESS = "1 Main Street\nSpringfield"
ENDED = "Your password was changed; please log in again."
NEW_PASSWORD = "a brand new password"


def session_of(user: Any) -> Services:
    """Another live session of `user`: its own `Services`, holding their login."""
    session = Services()
    session.logins.begin(user.id, user.credentials_version)
    return session


def snapshot(services: Any, user_id: int) -> tuple[Any, ...]:
    """Everything a stale session could try to change, as the store has it."""
    account = services.accounts.get(user_id)
    return (
        services.cart.get(user_id),
        [item.product.id for item in services.wishlist.items(user_id)],
        services.orders.history(user_id),
        account.ship_address,
        account.consent_at,
        account.question,
    )


@pytest.mark.backends
def test_a_session_outlived_by_a_reset_can_write_nothing(services: Services) -> None:
    ann = register(services)
    services.accounts.set_address(ann.id, ADDRESS)
    watch = product_named(services, "Smart Watch")
    camera = product_named(services, "Digital Camera")
    services.cart.add(ann.id, watch.id, 1)
    services.wishlist.add(ann.id, camera.id)
    ann = services.accounts.get(ann.id)
    stale = session_of(ann)
    shown = Confirmation.of(stale.cart.get(ann.id), ADDRESS)

    services.accounts.reset_password("ann@example.com", "Rex", NEW_PASSWORD)  # elsewhere
    before = snapshot(services, ann.id)

    attempts = [
        lambda: stale.cart.add(ann.id, camera.id, 1),
        lambda: stale.cart.set_quantity(ann.id, watch.id, 3),
        lambda: stale.cart.remove(ann.id, watch.id),
        lambda: stale.cart.clear(ann.id),
        lambda: stale.wishlist.add(ann.id, watch.id),
        lambda: stale.wishlist.remove(ann.id, camera.id),
        lambda: stale.wishlist.add_to_cart(ann.id, camera.id, 1),
        lambda: stale.orders.checkout(ann.id, checkout_key="k", expected=shown),
        lambda: stale.orders.checkout(ann.id),
        lambda: stale.accounts.set_address(ann.id, "66 Attacker Lane"),
        lambda: stale.accounts.change_question(ann.id, NEW_PASSWORD, "food", "pizza"),
        lambda: stale.accounts.change_password(ann.id, NEW_PASSWORD, "attacker password"),
    ]
    for attempt in attempts:
        with pytest.raises(SessionEnded, match=ENDED):
            attempt()
    assert snapshot(services, ann.id) == before
    assert product_named(services, "Smart Watch").stock == watch.stock
    services.accounts.authenticate("ann@example.com", NEW_PASSWORD)  # still the owner's


@pytest.mark.backends
def test_consent_from_a_stale_session_is_refused(services: Services) -> None:
    from buynow_tui.store.db import write
    from buynow_tui.store.models import User

    ann = register(services)
    with write():  # an account from before the consent notice: not accepted yet
        User.update(consent_at=None).where(User.id == ann.id).execute()
    stale = session_of(ann)
    services.accounts.reset_password("ann@example.com", "Rex", NEW_PASSWORD)
    with pytest.raises(SessionEnded):
        stale.accounts.accept_consent(ann.id)
    assert services.accounts.get(ann.id).consent_at is None


@pytest.mark.backends
def test_the_session_that_changes_the_password_goes_on_and_the_others_end(
    services: Services,
) -> None:
    ann = register(services)
    watch = product_named(services, "Smart Watch")
    here, there = session_of(ann), session_of(ann)

    here.accounts.change_password(ann.id, "correct horse", NEW_PASSWORD)

    here.cart.add(ann.id, watch.id, 1)  # this session learned the new version
    with pytest.raises(SessionEnded):
        there.cart.add(ann.id, watch.id, 1)
    assert services.cart.get(ann.id).units == 1
    assert services.accounts.get(ann.id).credentials_version == ann.credentials_version + 1
    # A reset after that ends this one too.
    services.accounts.reset_password("ann@example.com", "Rex", "another new password")
    with pytest.raises(SessionEnded):
        here.cart.add(ann.id, watch.id, 1)
    with pytest.raises(SessionEnded):
        here.logins.verify(ann.id)  # what a screen opening checks
    assert services.accounts.get(ann.id).credentials_version == ann.credentials_version + 2


@pytest.mark.backends
def test_a_new_login_after_the_reset_works_and_the_cli_is_never_checked(services: Services) -> None:
    ann = register(services)
    watch = product_named(services, "Smart Watch")
    session_of(ann)
    services.accounts.reset_password("ann@example.com", "Rex", NEW_PASSWORD)

    fresh = session_of(services.accounts.authenticate("ann@example.com", NEW_PASSWORD))
    fresh.cart.add(ann.id, watch.id, 1)
    fresh.logins.verify(ann.id)
    services.cart.add(ann.id, watch.id, 1)  # no login held here (the admin CLI): no check
    assert services.cart.get(ann.id).units == 2


@pytest.mark.backends
def test_a_reset_revokes_every_remember_me_token_and_ssh_key_binding(services: Services) -> None:
    ann = register(services)
    token = services.accounts.issue_token(ann.id)
    services.accounts.remember_key(ann.id, "SHA256:attackerskey")
    services.accounts.reset_password("ann@example.com", "Rex", NEW_PASSWORD)
    assert services.accounts.resolve_token(token) is None
    assert services.accounts.resolve_key("SHA256:attackerskey") is None


def _blocked_by(url: str, pid: int) -> bool:
    """Whether some connection is waiting for a lock that backend `pid` holds."""
    import psycopg2

    conn = psycopg2.connect(url.split("?")[0])
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                (pid,),
            )
            return bool(cur.fetchone()[0])
    finally:
        conn.close()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_on_postgresql_a_write_racing_a_reset_waits_for_it_and_is_refused(
    services: Services, database_url: str
) -> None:
    """A reset in progress holds the user's row: the session's write (which locks that
    row FOR SHARE to check its login) waits, then sees the reset and writes nothing.
    Without the lock it would read the old version and write after the reset."""
    import psycopg2

    ann = register(services)
    watch = product_named(services, "Smart Watch")
    stale = session_of(ann)
    schema = database_url.split("search_path%3D")[1].split(",")[0]
    reset = psycopg2.connect(database_url.split("?")[0])
    outcome: list[object] = []
    try:
        with reset.cursor() as cur:
            cur.execute(f'SET search_path TO "{schema}"')
            cur.execute(
                'UPDATE "user" SET credentials_version = credentials_version + 1 WHERE id = %s',
                (ann.id,),
            )

            def write() -> None:
                try:
                    outcome.append(stale.cart.add(ann.id, watch.id, 1))
                except Exception as error:
                    outcome.append(error)

            writer = threading.Thread(target=write)
            writer.start()
            waited = False
            for _ in range(2000):  # until the write is seen waiting for the reset's lock
                if outcome:
                    break
                if _blocked_by(database_url, reset.get_backend_pid()):
                    waited = True
                    break
            assert waited and not outcome, f"the write did not wait for the reset: {outcome}"
        reset.commit()
        writer.join(timeout=30)
    finally:
        reset.close()
    assert len(outcome) == 1 and isinstance(outcome[0], SessionEnded)
    assert services.cart.get(ann.id).is_empty


# -- the app -----------------------------------------------------------------------------


def reset_elsewhere(database_url: str, email: str = "ann@example.com") -> None:
    """The owner resets the password from another session: a process of its own."""
    script = (
        "import sys\n"
        "from buynow_tui.store.db import init_db\n"
        "from buynow_tui.store.migrate import upgrade\n"
        "from buynow_tui.store.services import Services\n"
        "init_db(sys.argv[1])\n"
        "upgrade()\n"
        "Services().accounts.reset_password(sys.argv[2], 'Rex', sys.argv[3])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", script, database_url, email, NEW_PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


async def remembered_login(app: BuyNowApp, services: Any) -> Any:
    """Log in with Remember me, as the Log in form does."""
    signed = app.sign_in("ann@example.com", "correct horse", True)
    app.logged_in(signed.user, remembered=signed.remembered, token=signed.token)
    return signed


async def test_a_reset_elsewhere_logs_this_session_out_at_its_next_add_to_cart(
    services: Services, home: Path, database_url: str
) -> None:
    register(services)
    token_file = Paths(home).token_file
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        signed = await remembered_login(app, services)
        assert token_file.exists()

        reset_elsewhere(database_url)
        await search(pilot, "Smart Watch")
        await pilot.press("enter")  # from the search box to the results
        await pilot.press("a")
        await wait_for(pilot, lambda: app.user is None)

        assert ENDED in notices(app)
        assert not token_file.exists()
        assert services.accounts.resolve_token(signed.token) is None
        assert services.cart.get(signed.user.id).is_empty
        assert services.logins.held(signed.user.id) is None


async def test_a_reset_elsewhere_logs_this_session_out_when_a_screen_opens(
    services: Services, home: Path, database_url: str
) -> None:
    from buynow_tui.screens.shop import ShopScreen

    register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await remembered_login(app, services)
        reset_elsewhere(database_url)
        await press_key(pilot, "4")  # Orders
        await wait_for(pilot, lambda: app.user is None)
        await wait_for_screen(pilot, ShopScreen)
        assert ENDED in notices(app)
        assert not Paths(home).token_file.exists()


async def test_over_ssh_the_ended_session_loses_its_key_binding(
    services: Services, home: Path, database_url: str
) -> None:
    register(services)
    fingerprint = "SHA256:sessionkey"
    app = BuyNowApp(
        services,
        Paths(home),
        environ={"BUYNOW_SSH": "1", "BUYNOW_SSH_FINGERPRINT": fingerprint},
        theme="textual-dark",
    )
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await remembered_login(app, services)
        assert services.accounts.resolve_key(fingerprint) is not None
        reset_elsewhere(database_url)
        assert services.accounts.resolve_key(fingerprint) is None  # gone with the reset
        await press_key(pilot, "2")
        await wait_for(pilot, lambda: app.user is None)
        assert ENDED in notices(app)
    assert services.accounts.resolve_key(fingerprint) is None


async def test_changing_the_password_in_this_session_keeps_it_logged_in(
    services: Services, home: Path
) -> None:
    from buynow_tui.screens.account import AccountScreen
    from buynow_tui.screens.account_dialogs import PasswordDialog

    user = register(services)
    watch = product_named(services, "Smart Watch")
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await shop_ready(pilot)
        await remembered_login(app, services)
        await press_key(pilot, "5")
        await wait_for_screen(pilot, AccountScreen)
        await pilot.press("p")
        dialog = await wait_for_screen(pilot, PasswordDialog)
        dialog.query_one("#current_password").value = "correct horse"
        dialog.query_one("#new_password").value = NEW_PASSWORD
        dialog.query_one("#repeat_password").value = NEW_PASSWORD
        dialog.save()
        await wait_for(pilot, lambda: not isinstance(app.screen, PasswordDialog))
        await press_key(pilot, "1")
        await shop_ready(pilot)
        await search(pilot, "Smart Watch")
        await pilot.press("enter")
        await pilot.press("a")
        await wait_for(pilot, lambda: app.cart_count == 1)
        assert app.user is not None
        assert ENDED not in notices(app)
    assert [line.product_id for line in services.cart.get(user.id).lines] == [watch.id]
