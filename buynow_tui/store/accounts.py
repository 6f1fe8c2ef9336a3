"""Accounts: register, log in with lockout, Remember me tokens, reset, profile.

Passwords and answers are bcrypt hashes (answers after trim and lower-case, through
SHA-256 first so any length fits bcrypt's 72 bytes); tokens are random and stored as
SHA-256. Log-in failures are one generic `AuthError`; five failures for one email
within the window lock it (unknown emails too, so the lock reveals nothing).
bcrypt is slow on purpose: callers in a UI run these in a worker thread.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta

import bcrypt
from peewee import JOIN, IntegrityError, fn

from buynow_tui import clock
from buynow_tui.config import Settings
from buynow_tui.logs import get_logger
from buynow_tui.store import validation as v
from buynow_tui.store.db import session, write
from buynow_tui.store.errors import AuthError, LockedError, NotFound, ValidationError
from buynow_tui.store.logins import Logins
from buynow_tui.store.models import LoginFailure, RememberToken, User
from buynow_tui.store.views import AdminUser, UserView

log = get_logger("accounts")

GENERIC_LOGIN_ERROR = "Email or password is incorrect."
GENERIC_RESET_ERROR = "That answer does not match our records."


def _prehash(secret: str) -> bytes:
    return base64.b64encode(hashlib.sha256(secret.encode("utf-8")).digest())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _failure_key(email: str) -> str:
    """What failed attempts are counted under: the email as compared, cut to the width of
    `LoginFailure.email_key` (the longest valid email), which PostgreSQL enforces."""
    return v.email_key(email)[: v.EMAIL_MAX]


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
    def __init__(self, settings: Settings, logins: Logins | None = None) -> None:
        self.settings = settings
        #: The session's login: writes for it are refused once its password changed.
        self.logins = logins if logins is not None else Logins()
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        """A real hash to check against for unknown emails, so timing reveals nothing."""
        if self._dummy is None:
            salt = bcrypt.gensalt(self.settings.bcrypt_rounds)
            self._dummy = bcrypt.hashpw(b"not-a-password", salt).decode("ascii")
        return self._dummy

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
        with session():
            user = User.get_or_none(User.id == user_id)
            if user is None:
                raise NotFound("No such user.")
            return user_view(user)

    def email_taken(self, email: str) -> bool:
        with session():
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
        now = clock.now()
        try:
            with write():
                if self._by_email(email) is not None:
                    raise ValidationError("An account with this email already exists.", field="email")
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

    # -- lockout ---------------------------------------------------------------
    def _locked_until(self, key: str, now: datetime) -> datetime | None:
        window = timedelta(minutes=self.settings.lockout_minutes)
        recent = list(
            LoginFailure.select(LoginFailure.at)
            .where((LoginFailure.email_key == key) & (LoginFailure.at > now - window))
            .order_by(LoginFailure.at.desc())
            .limit(self.settings.lockout_failures)
        )
        if len(recent) < self.settings.lockout_failures:
            return None
        return recent[0].at + window

    def locked_until(self, email: str) -> datetime | None:
        with session():
            return self._locked_until(_failure_key(email), clock.now())

    def _fail(self, key: str, now: datetime, what: str) -> None:
        with write():
            LoginFailure.create(email_key=key, at=now)
            until = self._locked_until(key, now)
        if until is not None:
            log.warning("locked %s after repeated failed %s", key, what)
            raise LockedError(until)
        log.warning("failed %s for %s", what, key)

    # -- log in ----------------------------------------------------------------
    def authenticate(self, email: str, password: str) -> UserView:
        key = _failure_key(email)
        now = clock.now()
        with session():
            until = self._locked_until(key, now)
            if until is not None:
                log.warning("log in refused: %s is locked", key)
                raise LockedError(until)
            user = self._by_email(email) if key else None
        secret = password.encode("utf-8", "surrogatepass")
        if len(secret) > v.PASSWORD_MAX_BYTES:
            secret = b""  # can never match: stored passwords are at most 72 bytes
        ok = self._check(secret, user.password_hash if user else self._dummy_hash)
        if user is None or not ok:
            self._fail(key, now, "log in")
            raise AuthError(GENERIC_LOGIN_ERROR)
        with write():
            LoginFailure.delete().where(LoginFailure.email_key == key).execute()
        log.info("logged in", extra={"user": user.username})
        return user_view(user)

    # -- remember me -----------------------------------------------------------
    def issue_token(self, user_id: int) -> str:
        """A new random token (256 bits) for Remember me; only its hash is kept."""
        token = secrets.token_urlsafe(32)
        self._store_token(user_id, hash_token(token), "local")
        return token

    def _store_token(self, user_id: int, token_hash: str, kind: str) -> None:
        now = clock.now()
        with write():
            RememberToken.delete().where(RememberToken.token_hash == token_hash).execute()
            RememberToken.create(
                user=user_id,
                token_hash=token_hash,
                kind=kind,
                created_at=now,
                expires_at=now + timedelta(days=self.settings.remember_days),
            )

    def _resolve_hash(self, token_hash: str) -> UserView | None:
        with session():
            row = (
                RememberToken.select(RememberToken, User)
                .join(User)
                .where(RememberToken.token_hash == token_hash)
                .first()
            )
            if row is None:
                return None
            if row.expires_at <= clock.now():
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
            RememberToken.delete().where(RememberToken.token_hash == hash_token(token.strip())).execute()

    def revoke_all(self, user_id: int) -> int:
        with write():
            return RememberToken.delete().where(RememberToken.user == user_id).execute()

    # -- SSH key binding (Remember me over SSH) ---------------------------------
    @staticmethod
    def _key_hash(fingerprint: str) -> str:
        return hash_token("ssh-key:" + fingerprint)

    def remember_key(self, user_id: int, fingerprint: str) -> None:
        self._store_token(user_id, self._key_hash(fingerprint), "ssh")

    def resolve_key(self, fingerprint: str) -> UserView | None:
        return self._resolve_hash(self._key_hash(fingerprint)) if fingerprint else None

    def forget_key(self, fingerprint: str) -> None:
        with write():
            RememberToken.delete().where(
                RememberToken.token_hash == self._key_hash(fingerprint)
            ).execute()

    # -- reset -----------------------------------------------------------------
    def question_for(self, email: str) -> str:
        """The question text for an email; unknown emails get a stable decoy question.

        The decoy keeps the reset form from telling anyone which emails have accounts.
        """
        key = v.email_key(email)
        with session():
            user = self._by_email(email) if key else None
        if user is not None:
            return v.QUESTIONS[user.question]
        keys = sorted(v.QUESTIONS)
        digest = hashlib.sha256(key.encode("utf-8")).digest()
        return v.QUESTIONS[keys[digest[0] % len(keys)]]

    def reset_password(self, email: str, answer: str, new_password: str) -> None:
        v.check_password(new_password, field="new_password")
        key = _failure_key(email)
        now = clock.now()
        with session():
            until = self._locked_until(key, now)
            if until is not None:
                raise LockedError(until)
            user = self._by_email(email) if key else None
        normalized = v.normalize_answer(answer)
        ok = self._check(_prehash(normalized), user.answer_hash if user else self._dummy_hash)
        if user is None or not ok or not normalized:
            self._fail(key, now, "reset")
            raise AuthError(GENERIC_RESET_ERROR, field="answer")
        new_hash = self._hash_password(new_password)
        with write():
            # A new credentials version ends every live session of this user (`logins`).
            User.update(
                password_hash=new_hash, credentials_version=User.credentials_version + 1
            ).where(User.id == user.id).execute()
            RememberToken.delete().where(RememberToken.user == user.id).execute()
            LoginFailure.delete().where(LoginFailure.email_key == key).execute()
        log.info("password reset", extra={"user": user.username})

    # -- profile ---------------------------------------------------------------
    def _require(self, user_id: int) -> User:
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise NotFound("No such user.")
        return user

    def change_password(self, user_id: int, current: str, new_password: str) -> None:
        v.check_password(new_password, field="new_password")
        with session():
            user = self._require(user_id)
        if not self._check(current.encode("utf-8", "surrogatepass")[:200], user.password_hash):
            raise AuthError("Your current password is incorrect.", field="current_password")
        new_hash = self._hash_password(new_password)
        with write():
            version = self.logins.check(user_id, exclusive=True)
            # Every other live session of this user ends; this one goes on (`renew`).
            User.update(
                password_hash=new_hash, credentials_version=User.credentials_version + 1
            ).where(User.id == user_id).execute()
            RememberToken.delete().where(RememberToken.user == user_id).execute()
        if version is not None:
            self.logins.renew(user_id, version + 1)
        log.info("password changed; all remembered logins revoked", extra={"user": user.username})

    def change_question(self, user_id: int, password: str, question: str, answer: str) -> UserView:
        question = v.check_question(question)
        normalized = v.check_answer(answer)
        with session():
            user = self._require(user_id)
        if not self._check(password.encode("utf-8", "surrogatepass")[:200], user.password_hash):
            raise AuthError("Your password is incorrect.", field="current_password")
        answer_hash = self._hash_answer(normalized)
        with write():
            self.logins.check(user_id, exclusive=True)
            User.update(question=question, answer_hash=answer_hash).where(User.id == user_id).execute()
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
            User.update(consent_at=clock.now()).where(
                (User.id == user_id) & User.consent_at.is_null()
            ).execute()
        return self.get(user_id)

    # -- admin -----------------------------------------------------------------
    def list_users(self) -> list[AdminUser]:
        from buynow_tui.store.models import Order

        with session():
            count = fn.COUNT(Order.id)
            query = (
                User.select(User, count.alias("orders"))
                .join(Order, on=(Order.user == User.id), join_type=JOIN.LEFT_OUTER)
                .group_by(User.id)
                .order_by(User.id)
            )
            return [
                AdminUser(u.id, u.email, u.username, u.created_at, u.orders) for u in query
            ]
