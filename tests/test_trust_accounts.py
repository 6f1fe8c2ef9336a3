"""Issue 11, accounts: the lockout holds under concurrency and wherever a password is
checked, the reset form tells nobody who has an account, old attempts are purged.

The racing tests start real processes (spawn: a fresh interpreter each, as SSH sessions
are), each opening the database itself, on SQLite and on PostgreSQL. What bcrypt
checked is counted from what a user or an admin can see: the attempts the store kept
and the lines in the log files.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.config import Settings
from buynow_tui.store.accounts import Accounts
from buynow_tui.store.errors import AuthError, LockedError
from buynow_tui.store.services import Services
from buynow_tui.store.validation import QUESTIONS
from tests.support.app import fill, make_app, settle
from tests.support.repo import ROOT
from tests.support.store import FIXED_NOW, register

PASSWORD = "correct horse"
GUESSERS = 12


def lock_message(until: Any) -> str:
    return f"Too many failed attempts. This account is locked until {until.astimezone():%H:%M}."


def log_lines(home: Path, name: str, words: str) -> list[str]:
    path = home / "logs" / name
    return [line for line in path.read_text("utf-8").splitlines() if words in line]


def attempts_kept(email_key: str | None = None) -> int:
    from buynow_tui.store.db import connection
    from buynow_tui.store.models import LoginFailure

    with connection():
        query = LoginFailure.select()
        if email_key is not None:
            query = query.where(LoginFailure.email_key == email_key)
        return query.count()


# -- many guesses at once --------------------------------------------------------------


def _guess(home: str, url: str, email: str, password: str, barrier: Any, results: Any) -> None:
    """One guesser in a process of its own: open the shop, wait for the others, log in."""
    from buynow_tui.logs import setup_logging
    from buynow_tui.store.db import init_db
    from buynow_tui.store.migrate import upgrade
    from buynow_tui.store.services import Services

    setup_logging(Path(home) / "logs")
    init_db(url)
    upgrade()
    services = Services()
    barrier.wait(timeout=60)
    try:
        services.accounts.authenticate(email, password)
        results.put((password, "in"))
    except LockedError:
        results.put((password, "locked"))
    except AuthError:
        results.put((password, "wrong"))
    except Exception as error:
        results.put((password, f"error {error!r}"))


def race(home: Path, url: str, passwords: list[str]) -> list[tuple[str, str]]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(passwords))
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_guess, args=(str(home), url, "ann@example.com", pw, barrier, results))
        for pw in passwords
    ]
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=120) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    assert not [o for o in outcomes if o[1].startswith("error")], outcomes
    return outcomes


def slow_account() -> Any:
    """Ann, her password hashed at cost 10: each check takes long enough that every
    guesser has asked before the first check ends (as with cost 12 in the shop)."""
    return Accounts(Settings(bcrypt_rounds=10)).register(
        email="ann@example.com",
        username="ann",
        password=PASSWORD,
        question="pet",
        answer="Rex",
        agreed=True,
    )


@pytest.mark.backends
def test_twelve_wrong_guesses_at_once_are_five_checked_and_the_account_locked(
    services: Services, home: Path, database_url: str
) -> None:
    user = slow_account()
    outcomes = race(home, database_url, [f"wrong guess {n}" for n in range(GUESSERS)])

    assert attempts_kept("ann@example.com") == 5  # five guesses were checked, no more
    checked = log_lines(home, "warning.log", f"failed log in for account {user.id}")
    refused = log_lines(home, "warning.log", f"log in refused for account {user.id}")
    assert (len(checked), len(refused)) == (5, GUESSERS - 5)
    assert {result for _, result in outcomes} <= {"wrong", "locked"}

    # Locked now: the right password is refused without being checked.
    with pytest.raises(LockedError):
        services.accounts.authenticate("ann@example.com", PASSWORD)
    assert len(log_lines(home, "warning.log", f"failed log in for account {user.id}")) == 5
    assert log_lines(home, "info.log", "logged in") == []


# -- a logged-in session guessing the password -------------------------------------------


CHANGES: dict[str, Callable[[Services, int, str], object]] = {
    "password change": lambda s, uid, pw: s.accounts.change_password(uid, pw, "another secret"),
    "question change": lambda s, uid, pw: s.accounts.change_question(uid, pw, "food", "Pizza"),
}


@pytest.mark.backends
@pytest.mark.parametrize("what", list(CHANGES))
def test_guessing_the_current_password_locks_the_account_like_log_in(
    services: Services, home: Path, frozen_clock: list[datetime], what: str
) -> None:
    change = CHANGES[what]
    user = register(services)
    for _ in range(4):
        with pytest.raises(AuthError) as caught:
            change(services, user.id, "not my password")
        assert not isinstance(caught.value, LockedError)
        assert caught.value.field == "current_password"
    with pytest.raises(LockedError) as caught:
        change(services, user.id, "not my password")
    unlock = frozen_clock[0] + timedelta(minutes=15)
    assert str(caught.value) == lock_message(unlock)

    # The right password is refused too while it lasts, here and at Log in.
    with pytest.raises(LockedError):
        change(services, user.id, PASSWORD)
    with pytest.raises(LockedError):
        services.accounts.authenticate("ann@example.com", PASSWORD)
    assert services.accounts.get(user.id).question == "pet"  # nothing changed

    failed = log_lines(home, "warning.log", f"failed {what} for account {user.id}")
    assert len(failed) == 5
    assert all(line.split(" | ")[3] == "ann" for line in failed)
    assert log_lines(home, "warning.log", f"{what} refused for account {user.id}")

    frozen_clock[0] = unlock
    change(services, user.id, PASSWORD)
    assert attempts_kept() == 0  # a right password clears the count, as at Log in


# -- the reset form ---------------------------------------------------------------------


@pytest.mark.backends
def test_the_question_step_is_throttled_alike_for_known_and_unknown_emails(
    services: Services, frozen_clock: list[datetime]
) -> None:
    register(services)
    unlock = frozen_clock[0] + timedelta(minutes=15)
    for email in ("ann@example.com", "nobody@example.com"):
        assert len({services.accounts.question_for(email) for _ in range(5)}) == 1
        with pytest.raises(LockedError) as caught:
            services.accounts.question_for(email)
        assert str(caught.value) == lock_message(unlock)

    # Looking questions up locks nobody out of logging in; logging in clears the count.
    assert services.accounts.authenticate("ann@example.com", PASSWORD)
    assert services.accounts.question_for("ann@example.com") == QUESTIONS["pet"]
    frozen_clock[0] = unlock
    assert services.accounts.question_for("nobody@example.com").endswith("?")


@pytest.mark.backends
def test_a_locked_account_is_refused_at_the_question_step(
    services: Services, frozen_clock: list[datetime]
) -> None:
    register(services)
    for _ in range(5):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", "wrong password")
    with pytest.raises(LockedError):
        services.accounts.question_for("ann@example.com")


@pytest.mark.backends
def test_decoy_questions_come_from_the_shops_own_secret(services: Services, home: Path) -> None:
    """Nobody can work out offline which question an unknown email would be shown."""
    from buynow_tui.store.db import connection, write
    from buynow_tui.store.models import ShopSecret
    from buynow_tui.store.services import Services

    emails = [f"nobody{n}@example.com" for n in range(20)]
    shown = [services.accounts.question_for(email) for email in emails]
    keys = sorted(QUESTIONS)
    offline = [QUESTIONS[keys[hashlib.sha256(e.encode()).digest()[0] % len(keys)]] for e in emails]
    # The old decoy, sha256 of the email, was computable: it told 17 of 20 accounts apart.
    assert sum(a == b for a, b in zip(shown, offline, strict=True)) < 10  # chance: ~3

    # Another front end of the same shop (one database) shows the same decoys...
    assert [Services().accounts.question_for(email) for email in emails] == shown
    # ...and a shop with another secret shows others.
    with connection():
        secret = ShopSecret.get().value
    with write():
        ShopSecret.delete().execute()
    other = [Services().accounts.question_for(email) for email in emails]
    assert other != shown

    logged = "".join(p.read_text("utf-8") for p in (home / "logs").glob("*.log"))
    assert "nobody1" not in logged  # unknown emails are masked too: "n…@example.com"
    assert secret not in logged and secret[:16] not in logged


async def test_the_reset_form_says_until_when_the_question_step_is_locked(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    from buynow_tui.screens.reset_password import ResetPasswordScreen
    from buynow_tui.widgets.form import FormStatus

    app = make_app(services, home, now=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.navigate("reset")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ResetPasswordScreen)
        for _ in range(5):
            await fill(pilot, "#email", "nobody@example.com")
            await pilot.press("enter")
            await settle(pilot)
            assert screen.query_one("#step-answer").display
            await pilot.click("#back-to-email")
            await pilot.pause()
        await fill(pilot, "#email", "nobody@example.com")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#step-email").display
        assert not screen.query_one("#step-answer").display
        unlock = FIXED_NOW + timedelta(minutes=15)
        assert str(screen.query_one(FormStatus).render()) == lock_message(unlock)


# -- old attempts -------------------------------------------------------------------------


@pytest.mark.backends
def test_attempts_older_than_the_window_are_purged(
    services: Services, frozen_clock: list[datetime]
) -> None:
    register(services)
    for email in ("gone1@example.com", "gone2@example.com"):
        with pytest.raises(AuthError):
            services.accounts.authenticate(email, "whatever it was")
    services.accounts.question_for("gone3@example.com")
    assert attempts_kept() == 3

    frozen_clock[0] += timedelta(minutes=15, seconds=1)
    with pytest.raises(AuthError):
        services.accounts.authenticate("someone@example.com", "a new failure")
    assert attempts_kept() == 1  # only the new failure is left

    frozen_clock[0] += timedelta(minutes=16)
    services.accounts.authenticate("ann@example.com", PASSWORD)
    assert attempts_kept() == 0


# -- unknown emails take as long as known ones ------------------------------------------


def test_unknown_emails_are_checked_against_a_hash_of_the_shops_cost() -> None:
    import bcrypt

    from buynow_tui.store.accounts import dummy_hash

    made = Accounts(Settings(bcrypt_rounds=12))._dummy_hash  # made with the store, not later
    assert made.startswith("$2b$12$") and len(made) == 60  # checked at cost 12, like a user's
    assert made == dummy_hash(12)  # once per process
    low = dummy_hash(4)
    assert not any(bcrypt.checkpw(p, low.encode()) for p in (b"", b"not-a-password", b"x" * 72))


def test_the_fork_server_makes_the_dummy_hash_before_forking_sessions() -> None:
    """What a forked session's store checks unknown emails against is the fork
    server's, made before the fork: no session makes its own on its first log in."""
    code = (
        "from buynow_tui import forkserver; forkserver.preload(); "
        "from buynow_tui.store import accounts; made = dict(accounts._dummy_hashes); "
        "import os; pid = os.fork()\n"
        "if pid == 0:\n"
        "    from buynow_tui.config import Settings\n"
        "    same = accounts.Accounts(Settings.from_env())._dummy_hash == made[12]\n"
        "    os._exit(0 if same else 3)\n"
        "print(sorted(made), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT), BUYNOW_BCRYPT_ROUNDS="12")
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[12]", "0"]
