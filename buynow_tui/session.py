"""The login session: who is logged in to this app, and what its front end remembers.

Headless (no Textual, no Rich): the App holds one `Session`, forwards to it, and runs
its slow half in worker threads. Each method says where it runs: "(a thread)" ones may
block on bcrypt, the database or a file and change nothing here; the others are quick,
run on the event loop, and are the only ones that change the session.

Remember me is a *client binding*, how this front end knows the shopper again next
time (`binding_for` picks it):

- `TokenFile`: in the shopper's own terminal, a random token in a 0600 file in the
  config folder (the store keeps only its hash, with its expiry); one file, one live
  token, so remembering again revokes the token it replaces.
- `SshKey`: over SSH, the SHA256 fingerprint of the key the client proved it holds
  (the store keeps only its hash); logging out forgets the key.
- `Unbound`: over SSH without a key there is nothing to bind to, so Remember me is
  offered disabled.

- `BrowserCookie`: in a browser tab, the browser's cookie id, vouched for by the web
  server the way the SSH server vouches for a key: the app gets only its SHA-256, and
  the store binds the login to that (a remember token of kind "web"); logging out
  forgets it. A browser without the cookie is `Unbound`.

Consent to the notice: a logged-in shopper's is the store's (per user); an anonymous
shopper's is kept in the settings file in their own terminal, per browser in the store
in a browser tab (`BrowserSettings`, a peer of `SettingsFile`: no file is written for a
web tab), and for this session only over SSH (and in a browser without the cookie),
where one settings file would serve every shopper. `settings_for` picks it.

A session also ends by itself (`ended`): when the store refuses it because its
password was changed or reset elsewhere (`SessionEnded`, see `store/logins.py`).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from buynow_tui.logs import get_logger

if TYPE_CHECKING:
    from buynow_tui.config import ClientEnvironment
    from buynow_tui.paths import Paths
    from buynow_tui.store.accounts import Accounts
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView
    from buynow_tui.store.web_clients import WebClients

#: Logged as the app, as these lines always were.
log = get_logger("app")

#: A piece of store or file work the App runs in a worker thread; a user it returns is
#: the account as the store has it now.
Job = Callable[[], "UserView | None"]


@dataclass(frozen=True)
class SignedIn:
    """What `sign_in` hands Log in: the user, and whether (and with what token) the
    login was remembered."""

    user: UserView
    remembered: bool = False
    token: str | None = None


@dataclass(frozen=True)
class Recalled:
    """What `recall` found at start: the remembered user, the token held for them, and
    whether the consent notice was accepted on this machine."""

    user: UserView | None = None
    token: str | None = None
    consent: bool = False
    #: The theme this client chose last time (the settings file's, or its SSH key's).
    theme: str | None = None


# -- client bindings -------------------------------------------------------------------
class ClientBinding(Protocol):
    """How this front end remembers a shopper between visits. The store calls run in
    worker threads; `drop` is quick and runs on the event loop."""

    @property
    def can_remember(self) -> bool: ...

    def recall(self, accounts: Accounts) -> tuple[UserView | None, str | None]:
        """(a thread) Who this client was remembered as, and the token held for them."""
        ...

    def remember(self, accounts: Accounts, user_id: int, replaces: str | None) -> str | None:
        """(a thread) Remember `user_id` for this client; the token to hold, if any."""
        ...

    def forget(self, accounts: Accounts, token: str | None) -> None:
        """(a thread) Log out: the store forgets this client's remembered login."""
        ...

    def drop(self) -> None:
        """The copy this client keeps of a remembered login goes (its token file)."""
        ...


@dataclass(frozen=True)
class TokenFile:
    """Remember me in the shopper's own terminal: a token in a private file."""

    path: Path

    @property
    def can_remember(self) -> bool:
        return True

    def recall(self, accounts: Accounts) -> tuple[UserView | None, str | None]:
        try:
            token = self.path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None, None
        user = accounts.resolve_token(token) if token else None
        if user is None:
            self.drop()  # expired or revoked
            return None, None
        return user, token

    def remember(self, accounts: Accounts, user_id: int, replaces: str | None) -> str | None:
        if replaces:
            accounts.revoke_token(replaces)  # one token file, one live token
        token = accounts.issue_token(user_id)
        write_private(self.path, token + "\n")
        return token

    def forget(self, accounts: Accounts, token: str | None) -> None:
        if token:
            accounts.revoke_token(token)

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class SshKey:
    """Remember me over SSH: bound to the fingerprint of the shopper's key."""

    fingerprint: str

    @property
    def can_remember(self) -> bool:
        return True

    def recall(self, accounts: Accounts) -> tuple[UserView | None, str | None]:
        return accounts.resolve_key(self.fingerprint), None

    def remember(self, accounts: Accounts, user_id: int, replaces: str | None) -> str | None:
        accounts.remember_key(user_id, self.fingerprint)
        return None

    def forget(self, accounts: Accounts, token: str | None) -> None:
        accounts.forget_key(self.fingerprint)

    def drop(self) -> None:
        """Nothing is kept here: the store's binding is all there is."""


@dataclass(frozen=True)
class Unbound:
    """Over SSH without a key: nothing to remember the shopper by."""

    @property
    def can_remember(self) -> bool:
        return False

    def recall(self, accounts: Accounts) -> tuple[UserView | None, str | None]:
        return None, None

    def remember(self, accounts: Accounts, user_id: int, replaces: str | None) -> str | None:
        return None

    def forget(self, accounts: Accounts, token: str | None) -> None:
        """Nothing was remembered."""

    def drop(self) -> None:
        """Nothing is kept here."""


@dataclass(frozen=True)
class BrowserCookie:
    """Remember me in a browser tab: bound to the SHA-256 of the browser's cookie id."""

    client_hash: str

    @property
    def can_remember(self) -> bool:
        return True

    def recall(self, accounts: Accounts) -> tuple[UserView | None, str | None]:
        return accounts.resolve_browser(self.client_hash), None

    def remember(self, accounts: Accounts, user_id: int, replaces: str | None) -> str | None:
        accounts.remember_browser(user_id, self.client_hash)
        return None

    def forget(self, accounts: Accounts, token: str | None) -> None:
        accounts.forget_browser(self.client_hash)

    def drop(self) -> None:
        """Nothing is kept in the tab: the store's binding is all there is."""


def binding_for(client: ClientEnvironment, paths: Paths) -> ClientBinding:
    """The binding this front end gives: the SSH key over SSH, the browser's cookie in a
    browser tab, else the token file."""
    if client.over_ssh:
        return SshKey(client.ssh_fingerprint) if client.ssh_fingerprint else Unbound()
    if client.over_web:
        return BrowserCookie(client.web_client) if client.web_client else Unbound()
    return TokenFile(paths.token_file)


def settings_for(
    client: ClientEnvironment, paths: Paths, services: Services
) -> SettingsFile | BrowserSettings | None:
    """Where an anonymous shopper's settings (their consent) are kept: the settings
    file in their own terminal, the store per browser in a browser tab, nowhere (this
    session only) over SSH or for a browser without the cookie."""
    if client.over_ssh:
        return None
    if client.over_web:
        if not client.web_client:
            return None
        return BrowserSettings(services.web_clients, client.web_client)
    return SettingsFile(paths.settings_file)


# -- the settings file -------------------------------------------------------------------
@dataclass(frozen=True)
class SettingsFile:
    """This machine's settings (`config/settings.json`), written privately and whole."""

    path: Path

    def read(self) -> dict[str, Any]:
        """(a thread) The settings; {} if there are none or they cannot be read."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def update(self, changes: dict[str, Any]) -> None:
        """(a thread) Merge `changes` into the settings."""
        settings = self.read()
        settings.update(changes)
        write_private(self.path, json.dumps(settings, indent=2) + "\n")


@dataclass(frozen=True)
class BrowserSettings:
    """A browser's settings, kept in the store by its cookie id's hash (no file): the
    same `read`/`update` as `SettingsFile`, for the keys the store keeps per browser
    (`consent_accepted_at`); any other key is not kept."""

    web_clients: WebClients
    client_hash: str

    def read(self) -> dict[str, Any]:
        """(a thread) The settings this browser has in the store."""
        consent = self.web_clients.consent_at(self.client_hash)
        return {"consent_accepted_at": consent.isoformat()} if consent else {}

    def update(self, changes: dict[str, Any]) -> None:
        """(a thread) Keep what the store keeps per browser."""
        if changes.get("consent_accepted_at"):
            self.web_clients.accept_consent(self.client_hash)


def write_private(path: os.PathLike[str] | str, text: str) -> None:
    """Write a file only its owner can read: 0600 from the moment it exists, then
    moved into place whole, so a reader never sees half a token."""
    path = os.fspath(path)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")  # created 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


# -- the session ---------------------------------------------------------------------------
class Session:
    """Who is logged in here, their Remember me, and the consent notice."""

    def __init__(
        self,
        services: Services,
        client: ClientBinding,
        settings: SettingsFile | BrowserSettings | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.services = services
        self.client = client
        #: Where an anonymous shopper's consent is kept; None: for this session only.
        self.settings = settings
        self.now = clock
        self.user: UserView | None = None
        #: True while the consent notice should show (nobody here has accepted yet).
        self.consent_needed = False
        self._token: str | None = None  # the remembered login this session holds
        self._anonymous_consent = False

    @property
    def can_remember(self) -> bool:
        return self.client.can_remember

    # -- start --------------------------------------------------------------------------
    def recall(self) -> Recalled:
        """(a thread) Who was remembered, whether consent was given on this machine, and
        the theme chosen last time."""
        settings = self.settings.read() if self.settings else {}
        consent = bool(settings.get("consent_accepted_at"))
        user, token = self.client.recall(self.services.accounts)
        return Recalled(user, token, consent, self._remembered_theme(settings))

    # -- preferences ----------------------------------------------------------------------
    def saved_theme(self) -> str | None:
        """(quick: a small file) The theme the settings file remembers, locally; None over
        SSH, where `recall` asks the store for the key's."""
        return self._remembered_theme(self.settings.read()) if self.settings else None

    def _remembered_theme(self, settings: dict[str, Any]) -> str | None:
        if self.settings is not None:
            theme = settings.get("theme")
            return theme if isinstance(theme, str) and theme else None
        if isinstance(self.client, SshKey):
            return self.services.preferences.theme_for_key(self.client.fingerprint)
        return None

    def keep_theme(self, theme: str) -> Job | None:
        """The shopper chose `theme`: the write that remembers it, for a thread (the
        settings file locally, the store for an SSH key); None without a key, where it
        lasts the session."""
        settings = self.settings
        if settings is not None:
            return partial(_quietly, partial(settings.update, {"theme": theme}))
        if isinstance(self.client, SshKey):
            keep = self.services.preferences.keep_theme_for_key
            return partial(_quietly, partial(keep, self.client.fingerprint, theme))
        return None

    def resume(self, recalled: Recalled) -> UserView | None:
        """Take what `recall` found; the remembered user to log in, unless someone has
        logged in meanwhile."""
        self._anonymous_consent = self._anonymous_consent or recalled.consent
        user = recalled.user
        if user is None or self.user is not None:
            self._update_consent()
            return None
        self._token = recalled.token
        log.info("remembered login", extra={"user": user.username})
        return user

    # -- log in -------------------------------------------------------------------------
    def sign_in(self, email: str, password: str, remember: bool) -> SignedIn:
        """(a thread: bcrypt) Check the password and, with Remember me, keep the login
        for the next start (a token file locally, the SSH key over SSH).

        Remembering happens here, before the shopper sees they are logged in: done
        afterwards, a session closed right then (an SSH window shut at once) lost it.
        A login that cannot be remembered still logs in.
        """
        accounts = self.services.accounts
        user = accounts.authenticate(email, password)
        if not (remember and self.can_remember):
            return SignedIn(user)
        try:
            token = self.client.remember(accounts, user.id, self._token)
        except Exception as error:  # logging in matters more than remembering it; logged
            log.warning("could not remember the login: %s", error, extra={"user": user.username})
            return SignedIn(user)
        return SignedIn(user, remembered=True, token=token)

    def begin(self, user: UserView, *, remembered: bool = False, token: str | None = None) -> None:
        """The store has accepted `user`: they are logged in here."""
        if remembered:
            self._token = token
        self.services.logins.begin(user.id, user.credentials_version)
        self._set_user(user)

    def registered(self, user: UserView) -> Job | None:
        """Registering is agreeing to the policy, for the account and on this machine;
        returns the settings file's write, if there is one."""
        save = self._accept_anonymously()
        self.begin(user)
        return save

    def update(self, user: UserView) -> None:
        """The account as the store has it now (an address or question saved)."""
        if self.user is not None and self.user.id == user.id:
            self._set_user(user)

    def show(self, user: UserView | None) -> None:
        """Who the App was told is here, directly (its `user` set, as tests do)."""
        self._set_user(user)

    # -- log out --------------------------------------------------------------------------
    def end(self) -> Job | None:
        """Log out: forget the user and this client's copy of their Remember me.
        Returns the store's half (revoking it) for a thread; None if nobody was in."""
        user = self.user
        if user is None:
            return None
        token, self._token = self._token, None
        self.client.drop()
        self.services.logins.end(user.id)
        self._set_user(None)
        log.info("logged out", extra={"user": user.username})
        return partial(_quietly, partial(self.client.forget, self.services.accounts, token))

    def ended(self, error: StoreError) -> bool:
        """The store refused this session (its password was changed or reset elsewhere):
        True if someone was logged in, to be logged out (`end`). The reset or change
        already revoked every Remember me token and SSH key binding in the store; the
        token file goes with the log out."""
        if self.user is None:
            return False
        log.warning("session ended: %s", error, extra={"user": self.user.username})
        return True

    def logins_revoked(self) -> None:
        """After a password change the store revoked every Remember me: drop ours too."""
        self._token = None
        self.client.drop()

    # -- consent --------------------------------------------------------------------------
    def accept_consent(self) -> Job | None:
        """The notice was accepted: it is not needed any more. Returns the write that
        records it, for a thread: the store's for a logged-in user (it returns the
        updated user), the settings file's for an anonymous shopper on this machine;
        None over SSH, where an anonymous acceptance lasts the session."""
        self.consent_needed = False
        user = self.user
        if user is not None:
            return partial(self.services.accounts.accept_consent, user.id)
        return self._accept_anonymously()

    def consent_failed(self) -> None:
        """Recording the acceptance failed: the notice is needed again if it still is."""
        self._update_consent()

    def _accept_anonymously(self) -> Job | None:
        self._anonymous_consent = True
        settings = self.settings
        if settings is None:  # one settings file serves every SSH shopper: never theirs
            return None  # (nor a browser's without its cookie)
        stamp = self.now().astimezone(UTC).isoformat()
        return partial(_quietly, partial(settings.update, {"consent_accepted_at": stamp}))

    def _set_user(self, user: UserView | None) -> None:
        self.user = user
        self._update_consent()

    def _update_consent(self) -> None:
        user = self.user
        self.consent_needed = user.consent_at is None if user else not self._anonymous_consent


def _quietly(job: Callable[[], object]) -> None:
    """Run `job` for its effect: what it returns is nobody's business."""
    job()
