"""Mail that must go out (receipts), kept in the database until the SMTP server takes it.

Checkout never waits for mail: the receipt is written to `outbox_mail` and a sender
tries it in the background. A server that is down or refuses is tried again every
`BUYNOW_SMTP_RETRY_SECONDS` (60 by default) by the process that queued it while it
lives, and by `buynow serve` every minute, until it goes. Each attempt first claims the
mail with a conditional UPDATE (its next attempt pushed on), so two processes never
send one mail twice at the same moment.

`BUYNOW_SMTP_URL`: `smtp://[user[:password]@]host[:port]` (port 25 by default; add
`?starttls=1` to upgrade the connection) or `smtps://…` (TLS from the start, port 465).
The password is never logged; the sender is `BUYNOW_MAIL_FROM`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlparse

from buynow_tui.clock import Clock
from buynow_tui.config import ConfigError, Settings
from buynow_tui.logs import get_logger
from buynow_tui.store.checkout_models import OutboxMail
from buynow_tui.store.db import connection, write

log = get_logger("mail")
SMTP_TIMEOUT = 10


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool
    starttls: bool
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never the password
        return f"SmtpTarget({self.host}:{self.port})"


def smtp_target(url: str) -> SmtpTarget:
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parsed.hostname:
        raise ConfigError("BUYNOW_SMTP_URL must look like smtp://host:port or smtps://host")
    try:
        port = parsed.port or (465 if scheme == "smtps" else 25)
    except ValueError:
        raise ConfigError("BUYNOW_SMTP_URL has a port that is not a number") from None
    query = parse_qs(parsed.query)
    return SmtpTarget(
        host=parsed.hostname,
        port=port,
        tls=scheme == "smtps",
        starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
        user=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None,
    )


def enqueue(key: str, to_addr: str, subject: str, body: str, clock: Clock) -> bool:
    """Queue one mail (once per key); True if it is new."""
    now = clock()
    with write():
        added = (
            OutboxMail.insert(
                key=key,
                to_addr=to_addr,
                subject=subject[:200],
                body=body,
                created_at=now,
                attempts=0,
                next_attempt_at=now,
                sent_at=None,
                last_error="",
            )
            .on_conflict_ignore()
            .execute()
        )
    return bool(added)


def pending_count() -> int:
    with connection():
        return OutboxMail.select().where(OutboxMail.sent_at.is_null()).count()


def _claim(mail_id: int, settings: Settings, clock: Clock) -> bool:
    now = clock()
    with write():
        return bool(
            OutboxMail.update(
                attempts=OutboxMail.attempts + 1,
                next_attempt_at=now + timedelta(seconds=settings.smtp_retry_seconds),
            )
            .where(
                (OutboxMail.id == mail_id)
                & OutboxMail.sent_at.is_null()
                & (OutboxMail.next_attempt_at <= now)
            )
            .execute()
            == 1
        )


def _send(target: SmtpTarget, sender: str, mail: OutboxMail) -> None:
    # Imported here: every shop process imports the outbox, few ever send (~5 ms).
    import smtplib
    import ssl
    from email.message import EmailMessage
    from email.utils import parseaddr

    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_addr
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    if target.tls:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
    with client:
        if target.starttls:
            client.starttls(context=ssl.create_default_context())
        if target.user:
            client.login(target.user, target.password or "")
        client.send_message(message, from_addr=parseaddr(sender)[1] or sender)


def deliver_due(settings: Settings, clock: Clock) -> tuple[int, int]:
    """Try every mail that is due now; (sent, still waiting)."""
    if not settings.smtp_url:
        return 0, 0
    target = smtp_target(settings.smtp_url)
    with connection():
        due = list(
            OutboxMail.select()
            .where(OutboxMail.sent_at.is_null() & (OutboxMail.next_attempt_at <= clock()))
            .order_by(OutboxMail.id)
            .limit(100)
        )
    sent = 0
    for mail in due:
        if not _claim(mail.id, settings, clock):
            continue  # another process has it, or it went meanwhile
        try:
            _send(target, settings.mail_from, mail)
        except OSError as error:  # smtplib.SMTPException is an OSError
            problem = f"{type(error).__name__}: {error}"[:200]
            with write():
                OutboxMail.update(last_error=problem).where(OutboxMail.id == mail.id).execute()
            log.warning(
                "mail %s not sent to %s:%d (%s); trying again in %d s",
                mail.key,
                target.host,
                target.port,
                type(error).__name__,
                settings.smtp_retry_seconds,
            )
            continue
        with write():
            OutboxMail.update(sent_at=clock(), last_error="").where(
                OutboxMail.id == mail.id
            ).execute()
        sent += 1
        log.info("mail %s sent", mail.key)
    return sent, pending_count()


class MailSender:
    """One background thread per process that sends what is due, then keeps trying
    what the server did not take, every retry interval, until nothing is left."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def kick(self) -> None:
        """Send soon (never blocks the caller)."""
        if not self.settings.smtp_url:
            return
        with self._lock:
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="buynow-mail", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                _, waiting = deliver_due(self.settings, self.clock)
            except Exception as error:  # the database went away: try again later
                log.warning("mail sender: %s", type(error).__name__)
                waiting = 1
            if not waiting:
                with self._lock:
                    if not self._wake.is_set():
                        self._thread = None
                        return
                continue
            self._wake.wait(self.settings.smtp_retry_seconds)
