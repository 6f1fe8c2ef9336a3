"""Accounts on a real temp-file SQLite: register, log in, lockout, Remember me, reset."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from buynow_tui.store.errors import AuthError, LockedError, NotFound, ValidationError
from buynow_tui.store.services import Services
from tests.support.store import register

pytestmark = pytest.mark.backends

PASSWORD = "correct horse"


# -- register -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"email": "ann@"}, "email", "valid email"),
        ({"email": "   "}, "email", "email"),
        ({"username": ""}, "username", "username"),
        ({"username": "   "}, "username", "username"),
        ({"username": "a" * 33}, "username", "32"),
        ({"password": "seven77"}, "password", "8"),
        ({"password": "a" * 100}, "password", "72 bytes"),
        ({"password": "é" * 50}, "password", "72 bytes"),  # 50 characters, 100 bytes
        ({"question": "favourite colour"}, "question", "question"),
        ({"answer": ""}, "answer", "answer"),
        ({"answer": "   \t "}, "answer", "answer"),
        ({"agreed": False}, "agree", "privacy policy"),
    ],
)
def test_register_refuses_each_bad_field_with_its_own_message(
    services: Services, changes: dict[str, Any], field: str, words: str
) -> None:
    fields = {"email": "ann@example.com", "username": "ann", "password": PASSWORD}
    fields.update(changes)
    with pytest.raises(ValidationError) as caught:
        register(services, **fields)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert not services.accounts.email_taken("ann@example.com")


def test_register_accepts_the_limits(services: Services) -> None:
    user = register(services, username="b" * 32, password="p" * 72)
    assert user.username == "b" * 32
    assert services.accounts.authenticate("ann@example.com", "p" * 72).id == user.id


def test_register_returns_the_new_user_without_secrets(
    services: Services, frozen_clock: list[datetime]
) -> None:
    user = register(services, email="  Ann@Example.com ", username=" ann ")
    assert user.email == "Ann@Example.com"
    assert user.username == "ann"
    assert user.question == "pet"
    assert "pet" in user.question_text.lower()
    assert user.created_at == frozen_clock[0]
    assert user.consent_at == frozen_clock[0]
    assert not any("Rex" in str(value) for value in vars(user).values())


def test_duplicate_email_is_refused_regardless_of_case(services: Services) -> None:
    register(services, email="ann@example.com")
    with pytest.raises(ValidationError, match="already exists") as caught:
        register(services, email="ANN@Example.COM", username="other")
    assert caught.value.field == "email"
    assert len(services.accounts.list_users()) == 1


# -- log in and lockout ------------------------------------------------------------------


def test_log_in_with_any_case_of_the_email(services: Services) -> None:
    user = register(services)
    assert services.accounts.authenticate("ANN@example.com", PASSWORD).id == user.id


def test_wrong_password_and_unknown_email_give_the_same_message(services: Services) -> None:
    register(services)
    with pytest.raises(AuthError) as wrong_password:
        services.accounts.authenticate("ann@example.com", "not the password")
    with pytest.raises(AuthError) as unknown_email:
        services.accounts.authenticate("nobody@example.com", PASSWORD)
    assert (
        str(wrong_password.value) == str(unknown_email.value) == "Email or password is incorrect."
    )


def test_a_too_long_password_at_log_in_is_just_wrong(services: Services) -> None:
    register(services)
    with pytest.raises(AuthError, match="incorrect"):
        services.accounts.authenticate("ann@example.com", PASSWORD + "x" * 100)


def test_five_failures_lock_the_account_for_fifteen_minutes(
    services: Services, frozen_clock: list[datetime]
) -> None:
    user = register(services)
    for _ in range(5):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", "wrong password")
    unlock = frozen_clock[0] + timedelta(minutes=15)

    with pytest.raises(LockedError) as caught:
        services.accounts.authenticate("ann@example.com", PASSWORD)  # right password, still locked
    assert caught.value.until == unlock
    assert unlock.astimezone().strftime("%H:%M") in str(caught.value)
    assert "locked" in str(caught.value)

    frozen_clock[0] += timedelta(minutes=14, seconds=59)
    with pytest.raises(LockedError):
        services.accounts.authenticate("ann@example.com", PASSWORD)

    frozen_clock[0] = unlock
    assert services.accounts.authenticate("ann@example.com", PASSWORD).id == user.id


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(
    services: Services, frozen_clock: list[datetime]
) -> None:
    user = register(services)
    for _ in range(4):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", "wrong password")
    frozen_clock[0] += timedelta(minutes=16)
    with pytest.raises(AuthError) as caught:
        services.accounts.authenticate("ann@example.com", "wrong password")
    assert not isinstance(caught.value, LockedError)
    assert services.accounts.authenticate("ann@example.com", PASSWORD).id == user.id


def test_a_lock_on_one_account_leaves_others_alone(
    services: Services, frozen_clock: list[datetime]
) -> None:
    register(services)
    bob = register(services, email="bob@example.com", username="bob")
    for _ in range(6):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", "wrong password")
    assert services.accounts.authenticate("bob@example.com", PASSWORD).id == bob.id


def test_a_successful_log_in_clears_earlier_failures(
    services: Services, frozen_clock: list[datetime]
) -> None:
    register(services)
    for _ in range(4):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", "wrong password")
    services.accounts.authenticate("ann@example.com", PASSWORD)
    for _ in range(4):
        with pytest.raises(AuthError) as caught:
            services.accounts.authenticate("ann@example.com", "wrong password")
        assert not isinstance(caught.value, LockedError)


# -- Remember me -------------------------------------------------------------------------


def test_remember_me_token_logs_the_user_back_in_until_revoked(services: Services) -> None:
    user = register(services)
    token = services.accounts.issue_token(user.id)
    assert len(token) >= 22  # at least 128 bits of base64
    found = services.accounts.resolve_token(token)
    assert found is not None and found.id == user.id
    services.accounts.revoke_token(token)
    assert services.accounts.resolve_token(token) is None


def test_tokens_are_random_and_unknown_ones_resolve_to_nobody(services: Services) -> None:
    user = register(services)
    first, second = services.accounts.issue_token(user.id), services.accounts.issue_token(user.id)
    assert first != second
    assert services.accounts.resolve_token("not-a-token") is None
    assert services.accounts.resolve_token("") is None


def test_revoke_all_ends_every_remembered_login_of_that_user_only(services: Services) -> None:
    ann = register(services)
    bob = register(services, email="bob@example.com", username="bob")
    ann_tokens = [services.accounts.issue_token(ann.id) for _ in range(3)]
    bob_token = services.accounts.issue_token(bob.id)
    assert services.accounts.revoke_all(ann.id) == 3
    assert all(services.accounts.resolve_token(t) is None for t in ann_tokens)
    found = services.accounts.resolve_token(bob_token)
    assert found is not None and found.id == bob.id


def test_a_token_expires_after_thirty_days(
    services: Services, frozen_clock: list[datetime]
) -> None:
    user = register(services)
    token = services.accounts.issue_token(user.id)
    frozen_clock[0] += timedelta(days=29, hours=23)
    found = services.accounts.resolve_token(token)
    assert found is not None and found.id == user.id
    frozen_clock[0] += timedelta(hours=1)
    assert services.accounts.resolve_token(token) is None


def test_ssh_key_binding_remembers_forgets_and_expires(
    services: Services, frozen_clock: list[datetime]
) -> None:
    user = register(services)
    key = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
    services.accounts.remember_key(user.id, key)
    found = services.accounts.resolve_key(key)
    assert found is not None and found.id == user.id
    assert services.accounts.resolve_key("SHA256:someone-else") is None
    assert services.accounts.resolve_key("") is None
    # The fingerprint is not a local token: it cannot be used as one.
    assert services.accounts.resolve_token(key) is None

    services.accounts.forget_key(key)
    assert services.accounts.resolve_key(key) is None

    services.accounts.remember_key(user.id, key)
    frozen_clock[0] += timedelta(days=30)
    assert services.accounts.resolve_key(key) is None


def test_remembering_the_same_key_twice_keeps_one_binding(services: Services) -> None:
    ann = register(services)
    bob = register(services, email="bob@example.com", username="bob")
    services.accounts.remember_key(ann.id, "SHA256:shared")
    services.accounts.remember_key(bob.id, "SHA256:shared")
    found = services.accounts.resolve_key("SHA256:shared")
    assert found is not None and found.id == bob.id


# -- reset and password changes -----------------------------------------------------------


def test_reset_shows_the_question_and_takes_the_answer_trimmed_and_any_case(
    services: Services,
) -> None:
    user = register(services, question="food", answer="Pad Thai")
    assert services.accounts.question_for("ann@example.com") == "What is your favourite food?"
    token = services.accounts.issue_token(user.id)
    services.accounts.remember_key(user.id, "SHA256:ann-laptop")

    services.accounts.reset_password("ANN@example.com", "  pAD tHAI \t", "brand new secret")

    assert services.accounts.authenticate("ann@example.com", "brand new secret").id == user.id
    with pytest.raises(AuthError):
        services.accounts.authenticate("ann@example.com", PASSWORD)
    assert services.accounts.resolve_token(token) is None
    assert services.accounts.resolve_key("SHA256:ann-laptop") is None


def test_reset_with_a_wrong_answer_or_unknown_email_is_generic_and_changes_nothing(
    services: Services,
) -> None:
    register(services)
    with pytest.raises(AuthError) as wrong_answer:
        services.accounts.reset_password("ann@example.com", "Fido", "brand new secret")
    with pytest.raises(AuthError) as unknown:
        services.accounts.reset_password("nobody@example.com", "Rex", "brand new secret")
    assert str(wrong_answer.value) == str(unknown.value)
    assert "Rex" not in str(wrong_answer.value)
    assert services.accounts.authenticate("ann@example.com", PASSWORD)
    # An unknown email still gets a question, so the form reveals nothing.
    assert services.accounts.question_for("nobody@example.com").endswith("?")


def test_reset_refuses_a_bad_new_password_before_checking_the_answer(services: Services) -> None:
    register(services)
    with pytest.raises(ValidationError, match="72 bytes"):
        services.accounts.reset_password("ann@example.com", "Rex", "x" * 100)
    assert services.accounts.authenticate("ann@example.com", PASSWORD)


def test_reset_answers_count_towards_the_lockout(
    services: Services, frozen_clock: list[datetime]
) -> None:
    register(services)
    for _ in range(5):
        with pytest.raises(AuthError):
            services.accounts.reset_password("ann@example.com", "wrong", "brand new secret")
    with pytest.raises(LockedError):
        services.accounts.reset_password("ann@example.com", "Rex", "brand new secret")
    with pytest.raises(LockedError):
        services.accounts.authenticate("ann@example.com", PASSWORD)


def test_change_password_needs_the_current_one_and_revokes_tokens(services: Services) -> None:
    user = register(services)
    token = services.accounts.issue_token(user.id)
    with pytest.raises(AuthError, match="current password"):
        services.accounts.change_password(user.id, "not it at all", "another secret")
    found = services.accounts.resolve_token(token)
    assert found is not None and found.id == user.id

    services.accounts.change_password(user.id, PASSWORD, "another secret")
    assert services.accounts.resolve_token(token) is None
    assert services.accounts.authenticate("ann@example.com", "another secret").id == user.id


def test_change_question_then_reset_with_the_new_answer(services: Services) -> None:
    user = register(services)
    with pytest.raises(AuthError):
        services.accounts.change_question(user.id, "wrong password", "mother", "Maria")
    updated = services.accounts.change_question(user.id, PASSWORD, "mother", "Maria")
    assert updated.question == "mother"
    with pytest.raises(AuthError):
        services.accounts.reset_password("ann@example.com", "Rex", "brand new secret")
    services.accounts.reset_password("ann@example.com", "maria", "brand new secret")


def test_shipping_address_is_cleaned_and_kept(services: Services) -> None:
    user = register(services)
    updated = services.accounts.set_address(user.id, "  1 Main St\x1b[31m \r\n\r\n Springfield  ")
    assert updated.ship_address == "1 Main St[31m\nSpringfield"
    assert services.accounts.get(user.id).ship_address == "1 Main St[31m\nSpringfield"
    with pytest.raises(ValidationError):
        services.accounts.set_address(user.id, "   ")
    with pytest.raises(NotFound):
        services.accounts.get(999_999)


def _everything_stored(backend: str, home: Path) -> bytes:
    """Every byte the database keeps: the SQLite files, or every row on PostgreSQL."""
    from buynow_tui.store.db import close_db, connection
    from buynow_tui.store.models import MODELS, database

    if backend == "sqlite":
        close_db()
        return b"".join(p.read_bytes() for p in home.glob("buynow.db*"))
    rows = []
    with connection():
        for model in MODELS:
            rows += [
                repr(r).encode()
                for r in database.execute_sql(f'SELECT * FROM "{model._meta.table_name}"')
            ]
    return b"\n".join(rows)


def test_passwords_answers_and_tokens_are_not_in_the_database_file(
    services: Services, home: Path, backend: str
) -> None:
    password, answer = "Plaintext-Canary-42", "Quokka Island"
    user = register(services, password=password, answer=answer)
    token = services.accounts.issue_token(user.id)
    services.accounts.remember_key(user.id, "SHA256:Fingerprint-Canary")

    stored = _everything_stored(backend, home)
    assert b"ann@example.com" in stored  # the file really holds the user
    for secret in (password, answer, answer.lower(), token, "Fingerprint-Canary"):
        assert secret.encode() not in stored, secret
