"""The four log files of PRODUCT.md, shared by many processes, and safe formatting.

Each line: time, level, source, user (username or "someone"), message, split by
" | ". The user is the logged-in shopper of the app this process runs, on every line
written on their behalf (`set_process_user`), else "someone". The formatter escapes
control characters and newlines in the user and the message, and "|" too (as
`\\x7c`), so a crafted username or typed text can neither forge a line nor shift a
column, nor send escape sequences to an admin's terminal.
Passwords, answers and tokens are never passed to a logger in the first place, and
the store masks an identifier it does not know (it may be a password in the wrong box).

Many processes write the same files: every SSH session is a process of its own, and
the CLI and the server write beside them. Python's `RotatingFileHandler` rotates from
whichever process finds the file full while the others go on writing into the file
just renamed, which a later rotation deletes: history lost. Here each write takes a
lock on the log folder (`flock` on `logs/.lock`, one open file per handler, so it
also excludes the other handlers and threads of the same process), reopens the file
if another process has rotated it, rotates when the line would not fit (all.log ->
all.log.1 -> ... -> all.log.N, the oldest dropped), and appends the whole line in one
`write`. No line is lost (until it falls off the last backup) or doubled, and every
line is whole. A lock held for over a second (its holder stopped) is not waited for:
the line is appended without it, and without rotating. Files and the lock are created
0600; files an older version left readable by others are made 0600 when opened.
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import logging
import os
import re
import time
from pathlib import Path

LOGGER_NAME = "buynow"
ANONYMOUS = "someone"
#: Who a line is written for, when it does not say (`extra={"user": ...}`): this
#: context's user if set, else the process's (`set_process_user`), else "someone".
current_user: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "buynow_user", default=None
)
_process_user: str | None = None


def set_process_user(username: str | None) -> None:
    """The user this process works for (its app's logged-in shopper), named on every
    line written on their behalf, worker threads' included: each app (a terminal, an
    SSH session, a browser tab) is a process of its own. None when nobody is in."""
    global _process_user
    _process_user = username or None


def process_user() -> str | None:
    return _process_user


def read_session_user(path: Path) -> str | None:
    """The username an SSH session's app wrote (`Paths.session_user_file`), or None."""
    try:
        name = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return name[:64] or None


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def escape_control(text: str) -> str:
    """Escape control characters (ESC, CR, LF, C1, line separators, zero-width and
    bidirectional marks: what `validation.clean_text` strips) as visible text."""

    def _sub(match: re.Match[str]) -> str:
        char = match.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{ord(char):02x}")

    return _CONTROL.sub(_sub, text)


class _UserFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "user"):
            record.user = current_user.get() or _process_user or ANONYMOUS
        return True


class _LevelRange(logging.Filter):
    def __init__(self, low: int, high: int) -> None:
        super().__init__()
        self.low, self.high = low, high

    def filter(self, record: logging.LogRecord) -> bool:
        return self.low <= record.levelno <= self.high


def escape_field(text: str) -> str:
    """`escape_control`, and the column separator's "|" as `\\x7c`."""
    return escape_control(text).replace("|", "\\x7c")


class SafeFormatter(logging.Formatter):
    """`FORMAT` with the user and the message (traceback included) escaped into one
    physical line whose columns are the format's own."""

    def format(self, record: logging.LogRecord) -> str:
        record.user = escape_field(str(getattr(record, "user", "someone")))
        record.message = escape_field(record.getMessage())
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += escape_field("\n" + record.exc_text)
        if record.stack_info:
            line += escape_field("\n" + self.formatStack(record.stack_info))
        return line


LOCK_NAME = ".lock"
_APPEND = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC


def _open_private(path: Path, flags: int) -> int:
    """Open (creating it 0600) and make sure nobody else may read it."""
    fd = os.open(path, flags, 0o600)
    try:
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def _lock(fd: int, patience: float = 1.0) -> bool:
    """Take the folder's lock, waiting at most `patience` seconds.

    It is held for a few microseconds at a time, so a wait that long means its holder
    is stuck (stopped, say); then the line is appended without the lock and without
    rotating (an O_APPEND write still lands whole), rather than hang the shop.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.0005)


class _LogFile(logging.Handler):
    """One of the four files: appended to and rotated safely by many processes.

    A line it cannot write (a full disk, a read-only folder) is dropped: the default
    prints a traceback to stderr, over the shopper's screen in the app and after the
    CLI's one-line error. The failure that caused it is reported where it happened.
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__()
        self.path = path
        self.max_bytes = max_bytes
        self.backups = backups
        self._fd: int | None = None
        self._lock_fd: int | None = None
        self._pid = os.getpid()
        try:  # made now, so an empty file says "nothing logged"; else at the first line
            self._open_lock()
            self._current()
        except OSError:
            pass

    def _open_lock(self) -> int:
        if self._pid != os.getpid():  # forked: a lock shared with the parent excludes nothing
            self._close_files()
            self._pid = os.getpid()
        if self._lock_fd is None:
            self._lock_fd = _open_private(
                self.path.parent / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
            )
        return self._lock_fd

    def _current(self) -> int:
        """The file now at `path`, opened anew if it was rotated (or never opened)."""
        try:
            now = os.stat(self.path)
        except FileNotFoundError:
            now = None
        if self._fd is not None:
            mine = os.fstat(self._fd)
            if now is not None and (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino):
                return self._fd
            os.close(self._fd)
            self._fd = None
        self._fd = _open_private(self.path, _APPEND)
        return self._fd

    def _rotate(self) -> None:
        name = str(self.path)
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{name}.{n}"):
                os.replace(f"{name}.{n}", f"{name}.{n + 1}")
        os.replace(name, f"{name}.1")

    def emit(self, record: logging.LogRecord) -> None:
        try:
            data = (self.format(record) + "\n").encode("utf-8", "backslashreplace")
            lock = self._open_lock()
            locked = _lock(lock)
            try:
                fd = self._current()
                if locked and self.max_bytes > 0 and self.backups > 0:
                    size = os.fstat(fd).st_size
                    if size and size + len(data) > self.max_bytes:
                        self._rotate()
                        fd = self._current()
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                if locked:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        except Exception:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:
        pass

    def _close_files(self) -> None:
        for fd in (self._fd, self._lock_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._lock_fd = None

    def close(self) -> None:
        self._close_files()
        super().close()


FORMAT = "%(asctime)s | %(levelname)s | %(name)s | %(user)s | %(message)s"

_FILES = {
    "all.log": (logging.INFO, logging.CRITICAL),
    "info.log": (logging.INFO, logging.INFO),
    "warning.log": (logging.WARNING, logging.WARNING),
    "error.log": (logging.ERROR, logging.CRITICAL),
}


def setup_logging(log_dir: Path, *, max_bytes: int = 1_000_000, backups: int = 5) -> None:
    """Attach the four rotating files to the `buynow` logger (idempotent per folder)."""
    log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        if getattr(handler, "_buynow", False):
            logger.removeHandler(handler)
            handler.close()
    formatter = SafeFormatter(FORMAT)
    for name, (low, high) in _FILES.items():
        handler = _LogFile(log_dir / name, max_bytes=max_bytes, backups=backups)
        handler.setLevel(low)
        handler.addFilter(_LevelRange(low, high))
        handler.addFilter(_UserFilter())
        handler.setFormatter(formatter)
        handler._buynow = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def get_logger(source: str) -> logging.Logger:
    """A child of the `buynow` logger; `source` shows in each line."""
    return logging.getLogger(f"{LOGGER_NAME}.{source}")
