"""Accounts: register, log in with lockout, Remember me tokens, reset, profile.

Passwords and answers are bcrypt hashes (answers after trim and lower-case, through
SHA-256 first so any length fits bcrypt's 72 bytes); tokens are random and stored as
SHA-256. Log-in failures are one generic `AuthError`. bcrypt is slow on purpose:
callers in a UI run these in a worker thread.

Every check of a secret counts as an attempt, before bcrypt runs, and five within 15
minutes lock the email (`store.attempts`). Questions for unknown emails are decoys
derived from the shop's secret (`ShopSecret`), so nobody can compute them offline and
tell real accounts from the rest.

Logs name a known account by its id, and anything else only masked (`_masked`): a
password typed into the email box never reaches a log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

import bcrypt
from peewee import JOIN, IntegrityError, fn

from buynow_tui.clock import Clock, system_clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.attempts import QUESTION, Attempts, failure_key, stamp
from buynow_tui.store.db import connection, write
from buynow_tui.store.errors import AuthError, LockedError, NotFound, ValidationError
from buynow_tui.store.logins import Logins
from buynow_tui.store.models import RememberToken, ShopSecret, User
from buynow_tui.store.views import AdminUser, UserView

log = get_logger("accounts")

GENERIC_LOGIN_ERROR = "Email or password is incorrect."
GENERIC_RESET_ERROR = "That answer does not match our records."

#: `ShopSecret.name` of the key decoy questions and masked identifiers derive from.
SECRET_NAME = "accounts"
_BCRYPT_B64 = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
)
_dummy_hashes: dict[int, str] = {}


def _prehash(secret: str) -> bytes:
    return base64.b64encode(hashlib.sha256(secret.encode("utf-8")).digest())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def dummy_hash(rounds: int) -> str:
    """A bcrypt hash at cost `rounds` that no password matches, to check unknown emails
    against, so they take as long as known ones.

    Checking it costs exactly what checking a real hash of that cost does; making it
    costs nothing (a random salt and a random digest, no hashing), so every process has
    it from store start-up. It used to be hashed on first use: the first log in with an
    unknown email in each process (each SSH session) took twice as long as with a known
    one. One per cost per process; the SSH fork server makes it before forking.
    """
    made = _dummy_hashes.get(rounds)
    if made is None:
        digest = base64.b64encode(secrets.token_bytes(23)).rstrip(b"=").translate(_BCRYPT_B64)
        made = _dummy_hashes[rounds] = (bcrypt.gensalt(rounds) + digest).decode("ascii")
    return made


def _looks_like_email(text: str) -> bool:
    try:
        v.check_email(text)
    except ValidationError:
        return False
    return True


def user_view(user: User) -> UserView:
    return UserView(
        id=user.id,
        email=user.email,
        username=user.username,
        question=user.question,
        question_text=v.QUESTIONS.get(user.question, user.question),
        created_at=user.created_at,
        consent_at=user.consent_at,
        ship_address=user.ship_address,
        is_admin=bool(user.is_admin),
        credentials_version=user.credentials_version,
    )


class Accounts:
    def __init__(
        self, settings: Settings, logins: Logins | None = None, *, clock: Clock = system_clock
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.attempts = Attempts(settings, clock)
        #: The session's login: writes for it are refused once its password changed.
        self.logins = logins if logins is not None else Logins()
        self._dummy_hash = dummy_hash(settings.bcrypt_rounds)
        self._secret_key: bytes | None = None

    # -- hashing ---------------------------------------------------------------
    def _hash_password(self, password: str) -> str:
        salt = bcrypt.gensalt(self.settings.bcrypt_rounds)
        return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")

    def _hash_answer(self, normalized: str) -> str:
        salt = bcrypt.gensalt(self.settings.bcrypt_rounds)
        return bcrypt.hashpw(_prehash(normalized), salt).decode("ascii")

    @staticmethod
    def _check(secret: bytes, hashed: str) -> bool:
        try:
            return bcrypt.checkpw(secret, hashed.encode("ascii"))
        except ValueError:
            return False

    # -- lookups ---------------------------------------------------------------
    @staticmethod
    def _by_email(email: str) -> User | None:
        key = v.email_key(email)
        return User.get_or_none(fn.lower(User.email) == key)

    def get(self, user_id: int) -> UserView:
        with connection():
            user = User.get_or_none(User.id == user_id)
            if user is None:
                raise NotFound("No such user.")
            return user_view(user)

    def email_taken(self, email: str) -> bool:
        with connection():
            return self._by_email(email) is not None

    # -- register --------------------------------------------------------------
    def register(
        self,
        *,
        email: str,
        username: str,
        password: str,
        question: str,
        answer: str,
        agreed: bool = True,
    ) -> UserView:
        email = v.check_email(email)
        username = v.check_username(username)
        v.check_password(password)
        question = v.check_question(question)
        answer = v.check_answer(answer)
        if not agreed:
            raise ValidationError("Tick the box to agree to the privacy policy.", field="agree")
        password_hash = self._hash_password(password)
        answer_hash = self._hash_answer(answer)
        now = self.clock()
        try:
            with write():
                if self._by_email(email) is not None:
                    raise ValidationError(
                        "An account with this email already exists.", field="email"
                    )
                user = User.create(
                    email=email,
                    username=username,
                    password_hash=password_hash,
                    question=question,
                    answer_hash=answer_hash,
                    created_at=now,
                    consent_at=now if agreed else None,
                    is_admin=False,
                )
        except IntegrityError:
            raise ValidationError(
                "An account with this email already exists.", field="email"
            ) from None
        log.info("registered user %d (%s)", user.id, username, extra={"user": username})
        return user_view(user)

    # -- the shop's secret -------------------------------------------------------
    def _secret(self) -> bytes:
        """The shop's random secret, made on first use by whichever process needs it
        first (an insert that loses a race changes nothing) and cached."""
        if self._secret_key is None:
            with connection():
                value = (
                    ShopSecret.select(ShopSecret.value)
                    .where(ShopSecret.name == SECRET_NAME)
                    .scalar()
                )
                if value is None:
                    with write():
                        ShopSecret.insert(
                            name=SECRET_NAME, value=secrets.token_hex(32)
                        ).on_conflict_ignore().execute()
                    value = (
                        ShopSecret.select(ShopSecret.value)
                        .where(ShopSecret.name == SECRET_NAME)
                        .scalar()
                    )
            self._secret_key = bytes.fromhex(value)
        return self._secret_key

    def _derive(self, purpose: str, key: str) -> bytes:
        message = f"{purpose}:{key}".encode("utf-8", "surrogatepass")
        return hmac.new(self._secret(), message, hashlib.sha256).digest()

    def _masked(self, key: str, user: User | None) -> str:
        """How logs name whoever was tried: a known account by its id; anything else
        masked, since it may be a password typed into the email box. Something that looks
        like an email keeps its first character and its domain ("a…@example.com"), the
        rest becomes a short keyed hash (the same text, the same hash; nothing to test
        guesses against without the database)."""
        if user is not None:
            return f"account {user.id}"
        if _looks_like_email(key):
            local, _, domain = key.rpartition("@")
            return f"unknown {local[0]}…@{domain}"
        return f"unknown identifier #{self._derive('log', key)[:4].hex()}"

    # -- lockout ---------------------------------------------------------------
    def locked_until(self, email: str) -> datetime | None:
        return self.attempts.locked_until(email)

    def _lookup(self, email: str, key: str) -> tuple[User | None, str]:
        """The account an email names (or None) and how logs name it.

        The secret is read here for every email, known or not (once per process), so a
        first attempt with an unknown one takes no longer than with a known one.
        """
        with connection():
            self._secret()
            user = self._by_email(email) if key else None
            return user, self._masked(key, user)

    # -- log in ----------------------------------------------------------------
    def authenticate(self, email: str, password: str) -> UserView:
        key = failure_key(email)
        user, who = self._lookup(email, key)
        self.attempts.attempt(key, "log in", who)
        secret = password.encode("utf-8", "surrogatepass")
        if len(secret) > v.PASSWORD_MAX_BYTES:
            secret = b""  # can never match: stored passwords are at most 72 bytes
        ok = self._check(secret, user.password_hash if user else self._dummy_hash)
        if user is None or not ok:
            self.attempts.failed(key, "log in", who)
            raise AuthError(GENERIC_LOGIN_ERROR)
        with write():
            self.attempts.forget(key)
        log.info("logged in", extra={"user": user.username})
        return user_view(user)

    # -- remember me -----------------------------------------------------------
    def issue_token(self, user_id: int) -> str:
        """A new random token (256 bits) for Remember me; only its hash is kept."""
        token = secrets.token_urlsafe(32)
        self._store_token(user_id, hash_token(token), "local")
        return token

    def _store_token(self, user_id: int, token_hash: str, kind: str) -> None:
        """One row per hash, the newest login's: an upsert, so two sessions remembering
        one key or browser at once both succeed (on PostgreSQL a delete and an insert
        raced into a unique-index error), and the later one wins."""
        now = self.clock()
        fields = {
            "user": user_id,
            "kind": kind,
            "created_at": now,
            "expires_at": now + timedelta(days=self.settings.remember_days),
        }
        with write():
            RememberToken.insert(token_hash=token_hash, **fields).on_conflict(
                conflict_target=[RememberToken.token_hash],
                update={getattr(RememberToken, name): value for name, value in fields.items()},
            ).execute()

    def _resolve_hash(self, token_hash: str) -> UserView | None:
        with connection():
            row = (
                RememberToken.select(RememberToken, User)
                .join(User)
                .where(RememberToken.token_hash == token_hash)
                .first()
            )
            if row is None:
                return None
            if row.expires_at <= self.clock():
                row.delete_instance()
                return None
            return user_view(row.user)

    def resolve_token(self, token: str) -> UserView | None:
        """The user a Remember me token belongs to, or None (unknown or expired)."""
        if not token:
            return None
        return self._resolve_hash(hash_token(token.strip()))

    def revoke_token(self, token: str) -> None:
        with write():
            RememberToken.delete().where(
                RememberToken.token_hash == hash_token(token.strip())
            ).execute()

    def revoke_all(self, user_id: int) -> int:
        with write():
            revoked: int = RememberToken.delete().where(RememberToken.user == user_id).execute()
        return revoked

    # -- SSH key binding (Remember me over SSH) ---------------------------------
    @staticmethod
    def _key_hash(fingerprint: str) -> str:
        return hash_token("ssh-key:" + fingerprint)

    #: How the store names an SSH key (its remembered login, its preferences).
    key_hash = _key_hash

    def remember_key(self, user_id: int, fingerprint: str) -> None:
        self._store_token(user_id, self._key_hash(fingerprint), "ssh")

    def resolve_key(self, fingerprint: str) -> UserView | None:
        return self._resolve_hash(self._key_hash(fingerprint)) if fingerprint else None

    def forget_key(self, fingerprint: str) -> None:
        with write():
            RememberToken.delete().where(
                RememberToken.token_hash == self._key_hash(fingerprint)
            ).execute()

    # -- browser binding (Remember me in a browser) -------------------------------
    @staticmethod
    def _browser_hash(client_hash: str) -> str:
        return hash_token("web-client:" + v.check_client_hash(client_hash))

    def remember_browser(self, user_id: int, client_hash: str) -> None:
        """Remember `user_id` for the browser whose cookie id hashes to `client_hash`
        (the web front end hands over only that hash; the id stays in the browser)."""
        self._store_token(user_id, self._browser_hash(client_hash), "web")

    def resolve_browser(self, client_hash: str) -> UserView | None:
        return self._resolve_hash(self._browser_hash(client_hash)) if client_hash else None

    def forget_browser(self, client_hash: str) -> None:
        with write():
            RememberToken.delete().where(
                RememberToken.token_hash == self._browser_hash(client_hash)
            ).execute()

    # -- reset -----------------------------------------------------------------
    def question_for(self, email: str) -> str:
        """The question text for an email; unknown emails get a stable decoy question.

        The decoy keeps the reset form from telling anyone which emails have accounts:
        it is derived from the email with the shop's secret, so it is the same on every
        front end and cannot be computed by anyone without the database. Each look-up
        counts (see the module's docstring).
        """
        key = failure_key(email)
        user, who = self._lookup(email, key)
        try:
            self.attempts.reserve(key, QUESTION)
        except LockedError as locked:
            log.warning("reset question refused for %s: locked until %s", who, stamp(locked.until))
            raise
        log.info("reset question asked for %s", who)
        if user is not None:
            return v.QUESTIONS[user.question]
        keys = sorted(v.QUESTIONS)
        pick = int.from_bytes(self._derive("decoy-question", key)[:8], "big")
        return v.QUESTIONS[keys[pick % len(keys)]]

    def reset_password(self, email: str, answer: str, new_password: str) -> None:
        v.check_password(new_password, field="new_password")
        key = failure_key(email)
        user, who = self._lookup(email, key)
        self.attempts.attempt(key, "reset", who)
        normalized = v.normalize_answer(answer)
        ok = self._check(_prehash(normalized), user.answer_hash if user else self._dummy_hash)
        if user is None or not ok or not normalized:
            self.attempts.failed(key, "reset", who)
            raise AuthError(GENERIC_RESET_ERROR, field="answer")
        new_hash = self._hash_password(new_password)
        with write():
            # A new credentials version ends every live session of this user (`logins`).
            User.update(
                password_hash=new_hash, credentials_version=User.credentials_version + 1
            ).where(User.id == user.id).execute()
            RememberToken.delete().where(RememberToken.user == user.id).execute()
            self.attempts.forget(key)
        log.info("password reset", extra={"user": user.username})

    # -- profile ---------------------------------------------------------------
    def _require(self, user_id: int) -> User:
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise NotFound("No such user.")
        return user

    def _check_own_password(self, user: User, password: str, what: str) -> bool:
        """A logged-in user's password, counted and logged as a log in is: guesses
        through an open session lock the account like guesses at Log in."""
        key = failure_key(user.email)
        who = f"account {user.id}"
        self.attempts.attempt(key, what, who, user.username)
        if self._check(password.encode("utf-8", "surrogatepass")[:200], user.password_hash):
            return True
        self.attempts.failed(key, what, who, user.username)
        return False

    def change_password(self, user_id: int, current: str, new_password: str) -> None:
        v.check_password(new_password, field="new_password")
        with connection():
            user = self._require(user_id)
        if not self._check_own_password(user, current, "password change"):
            raise AuthError("Your current password is incorrect.", field="current_password")
        new_hash = self._hash_password(new_password)
        with write():
            version = self.logins.check(user_id, exclusive=True)
            # Every other live session of this user ends; this one goes on (`renew`).
            User.update(
                password_hash=new_hash, credentials_version=User.credentials_version + 1
            ).where(User.id == user_id).execute()
            RememberToken.delete().where(RememberToken.user == user_id).execute()
            self.attempts.forget(failure_key(user.email))
        if version is not None:
            self.logins.renew(user_id, version + 1)
        log.info("password changed; all remembered logins revoked", extra={"user": user.username})

    def change_question(self, user_id: int, password: str, question: str, answer: str) -> UserView:
        question = v.check_question(question)
        normalized = v.check_answer(answer)
        with connection():
            user = self._require(user_id)
        if not self._check_own_password(user, password, "question change"):
            raise AuthError("Your password is incorrect.", field="current_password")
        answer_hash = self._hash_answer(normalized)
        with write():
            self.logins.check(user_id, exclusive=True)
            User.update(question=question, answer_hash=answer_hash).where(
                User.id == user_id
            ).execute()
            self.attempts.forget(failure_key(user.email))
        log.info("security question changed", extra={"user": user.username})
        return self.get(user_id)

    def set_address(self, user_id: int, address: str) -> UserView:
        address = v.check_address(address)
        with write():
            self.logins.check(user_id, exclusive=True)
            if User.update(ship_address=address).where(User.id == user_id).execute() != 1:
                raise NotFound("No such user.")
        return self.get(user_id)

    def accept_consent(self, user_id: int) -> UserView:
        with write():
            self.logins.check(user_id, exclusive=True)
            User.update(consent_at=self.clock()).where(
                (User.id == user_id) & User.consent_at.is_null()
            ).execute()
        return self.get(user_id)

    # -- admin -----------------------------------------------------------------
    def list_users(self) -> list[AdminUser]:
        from buynow_tui.store.models import Order

        with connection():
            rows = (
                User.select(User.id, User.email, User.username, User.created_at, fn.COUNT(Order.id))
                .join(Order, on=(Order.user == User.id), join_type=JOIN.LEFT_OUTER)
                .group_by(User.id)
                .order_by(User.id)
                .tuples()
            )
            return [AdminUser(*row) for row in cast("Iterable[tuple[Any, ...]]", rows)]
