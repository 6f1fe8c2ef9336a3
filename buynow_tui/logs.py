"""The four rotating log files of PRODUCT.md, and safe formatting of user text.

Each line: time, level, source, user (username or "someone"), message. Control
characters and newlines in anything user-supplied are escaped by the formatter, so a
crafted username cannot forge log lines or send escape sequences to an admin's terminal.
Passwords, answers and tokens are never passed to a logger in the first place.
"""

from __future__ import annotations

import contextvars
import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOGGER_NAME = "buynow"
current_user: contextvars.ContextVar[str] = contextvars.ContextVar("buynow_user", default="someone")

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
            record.user = current_user.get()
        return True


class _LevelRange(logging.Filter):
    def __init__(self, low: int, high: int) -> None:
        super().__init__()
        self.low, self.high = low, high

    def filter(self, record: logging.LogRecord) -> bool:
        return self.low <= record.levelno <= self.high


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.user = escape_control(str(getattr(record, "user", "someone")))
        line = super().format(record)
        head, sep, rest = line.partition(" | ")
        # The message and any traceback are escaped into one physical line.
        return escape_control(line) if not sep else head + sep + escape_control(rest)


class _LogFile(RotatingFileHandler):
    """A log file that drops a line it cannot write (a full disk, a read-only folder).

    The default prints a traceback to stderr: over the shopper's screen in the app,
    and a traceback after the CLI's one-line error. The failure that caused it is
    reported where it happened.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # its last lines could not be flushed: dropped likewise
            pass


FORMAT = "%(asctime)s | %(levelname)s | %(name)s | %(user)s | %(message)s"

_FILES = {
    "all.log": (logging.INFO, logging.CRITICAL),
    "info.log": (logging.INFO, logging.INFO),
    "warning.log": (logging.WARNING, logging.WARNING),
    "error.log": (logging.ERROR, logging.CRITICAL),
}


def setup_logging(log_dir: Path, *, max_bytes: int = 1_000_000, backups: int = 5) -> None:
    """Attach the four rotating files to the `buynow` logger (idempotent per folder)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    for handler in list(logger.handlers):
        if getattr(handler, "_buynow", False):
            logger.removeHandler(handler)
            handler.close()
    formatter = SafeFormatter(FORMAT)
    for name, (low, high) in _FILES.items():
        handler = _LogFile(
            log_dir / name, maxBytes=max_bytes, backupCount=backups, encoding="utf-8", delay=False
        )
        handler.setLevel(low)
        handler.addFilter(_LevelRange(low, high))
        handler.addFilter(_UserFilter())
        handler.setFormatter(formatter)
        handler._buynow = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def get_logger(source: str) -> logging.Logger:
    """A child of the `buynow` logger; `source` shows in each line."""
    return logging.getLogger(f"{LOGGER_NAME}.{source}")
