"""What the SSH server lets a session do, the lines it says when it refuses, and the
environment a session's app gets. No I/O here: every rule is a function of what the
client asked for, so a new rule is one function (and one line of words) in this module.

Every shopper is a stranger on the internet: the server accepts only what a shopper
needs and says so in one line when it refuses.

Refused, one line each: a session without a PTY; exec requests other than the deep
links (so `ssh host 'rm -rf /'` and scp); subsystems (sftp); local and remote port
forwarding (and Unix-socket forwarding); agent forwarding (the session goes on
without it). Over a limit: "busy, try again".

Deep links: an exec request naming a page on the allowlist -- the one in
`buynow_tui.navigation` (`is_deep_link`), the same that `buynow --open` accepts:
`shop`, `cart`, `wishlist`, `orders`, `account`, `about`, `product/<id>`,
`order/<n>` -- with a PTY (`ssh -t host cart`) starts the child with `--open <that>`.
The app shows Not found for a product or order that does not exist, and, as locally,
for an unknown page asked with a PTY (`ssh -t host nosuchpage`; one word or path of
page characters, `PAGE_SHAPED`). Without a PTY an unknown page is refused with a line,
and so is anything else.

The contract with the app
-------------------------

The child's environment is built from an allowlist; nothing else of the server's or
the client's environment reaches it. Never `COLUMNS`/`LINES` (Textual would freeze
its size; the PTY's window size is the truth). The `BUYNOW_SSH*` and
`BUYNOW_SERVER_STARTED` names are `buynow_tui.config`'s, which reads them in the app.

==========================  ==============================================================
`TERM`                      the client's terminal type from its PTY request (sanitised;
                            `xterm-256color` if unusable)
`LANG`, `COLORTERM`,        only if the client sent them (`SendEnv`/`SetEnv`), sanitised
`NO_COLOR`
`PATH`                      the server's `PATH`
`HOME`, `BUYNOW_HOME`       the server's BuyNow home folder
`PYTHONPATH`                the folder the server's own `buynow_tui` was imported from,
                            so the child runs the same code as the server
`BUYNOW_DATABASE_URL`,      copied from the server's environment when set there
`BUYNOW_TESTING`,
`BUYNOW_BCRYPT_ROUNDS`,
`BUYNOW_SHIPPING_CENTS`
`BUYNOW_SSH`                `1`
`BUYNOW_SSH_FINGERPRINT`    `SHA256:...` of the public key the client proved it holds,
                            or empty for an anonymous (keyboard-interactive) shopper.
                            The app uses it for Remember me over SSH:
                            `Accounts.resolve_key` on start, `remember_key` on log in
                            with Remember me, `forget_key` on log out.
`BUYNOW_SSH_PEER`           the client's address
`BUYNOW_SERVER_STARTED`     ISO 8601 UTC launch time of the server (About shows the
                            server's launch time and uptime from it)
==========================  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from buynow_tui.config import SERVER_STARTED, SSH_FINGERPRINT, SSH_FLAG, SSH_PEER
from buynow_tui.navigation import UNKNOWN_PAGE, is_deep_link, resolve

#: The deep links in words, for the refusal line (tests check it names every one).
PAGES = "cart, orders, wishlist, account, about, shop, product/<id>, order/<n>"
#: What an unknown page asked for with a PTY may look like to get Not found: one word
#: or path of a page's characters. Anything else (spaces, `;`, a leading `-` or `.`)
#: is a command, refused with a line.
PAGE_SHAPED = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,99}")
FILE_TRANSFER = re.compile(r"^\s*(?:scp|sftp|sftp-server|rsync|/usr/\S*sftp-server)\b")

MSG_NO_PTY = "BuyNow needs a terminal: connect with `ssh -t` (or plain `ssh` with no command)."
MSG_NO_COMMANDS = (
    f"BuyNow runs no commands. To open a page: ssh -t HOST PAGE, where PAGE is one of: {PAGES}."
)
MSG_NO_FILES = "BuyNow offers no file transfer (sftp, scp)."
MSG_NO_SUBSYSTEM = "BuyNow offers no subsystems."
MSG_NO_FORWARDING = "BuyNow offers no port forwarding."
MSG_NO_AGENT = "BuyNow does not take agent forwarding; your agent stays with you."
MSG_BUSY = "BuyNow is busy right now; please try again in a minute."
MSG_CLOSING = "The shop is closing. Goodbye."

TERM_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")
LANG_OK = re.compile(r"[A-Za-z][A-Za-z0-9_.@-]{0,63}")
COLORTERM_OK = re.compile(r"[A-Za-z0-9_-]{1,32}")
DEFAULT_TERM = "xterm-256color"
#: The server's settings a session's app needs too (read there by `buynow_tui.config`
#: and `buynow_tui.paths`).
SERVER_SETTINGS = (
    "BUYNOW_DATABASE_URL",
    "BUYNOW_TESTING",
    "BUYNOW_BCRYPT_ROUNDS",
    "BUYNOW_SHIPPING_CENTS",
)
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


class RequestKind(Enum):
    """What a session channel asked to run (SSH allows one of these per channel)."""

    SHELL = "a shell"
    EXEC = "an exec request"
    SUBSYSTEM = "a subsystem request"


@dataclass(frozen=True)
class Request:
    """What the client asked of one session channel, as asyncssh reported it."""

    kind: RequestKind = RequestKind.SHELL
    command: str = ""  # the exec command or the subsystem's name
    term_type: str | None = None  # None: no PTY was asked for

    @property
    def pty(self) -> bool:
        return self.term_type is not None

    @property
    def open_path(self) -> str | None:
        """The page to open (`--open`), or None for the Shop: a deep link as asked; an
        unknown page as asked, which the app shows Not found for, unless it is a screen
        no link may open (`login`): then `navigation.UNKNOWN_PAGE`, Not found too."""
        if self.kind is not RequestKind.EXEC:
            return None
        page = self.command.strip()
        if is_deep_link(page) or resolve(page) is None:
            return page
        return UNKNOWN_PAGE


def refusal(request: Request) -> str | None:
    """The one line that refuses `request`, or None if it may start an app."""
    if request.kind is RequestKind.SUBSYSTEM:
        return MSG_NO_FILES if request.command == "sftp" else MSG_NO_SUBSYSTEM
    if request.kind is RequestKind.EXEC:
        command = request.command.strip()
        if FILE_TRANSFER.match(request.command):
            return MSG_NO_FILES
        if not is_deep_link(command) and not (request.pty and PAGE_SHAPED.fullmatch(command)):
            return MSG_NO_COMMANDS
    if not request.pty:
        return MSG_NO_PTY
    return None


def span(seconds: float) -> str:
    """`15 minutes`, `2 hours`, `90 minutes`, `1 second`: for the lines shoppers read."""
    for size, unit in ((3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size and (seconds % size == 0 or unit == "second"):
            count = round(seconds / size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def idle_line(idle_timeout: float) -> str:
    return f"You were idle for {span(idle_timeout)}; goodbye."


def cap_line(session_cap: float) -> str:
    return f"Sessions last at most {span(session_cap)}; goodbye. Come back any time."


# -- the child's environment -------------------------------------------------------------


def package_root() -> str:
    """The folder this `buynow_tui` was imported from (the child's `PYTHONPATH`)."""
    import buynow_tui

    return str(Path(buynow_tui.__file__).resolve().parent.parent)


def server_environment(home: Path, started: datetime, environ: Mapping[str, str]) -> dict[str, str]:
    """What every session's app (and the fork server) gets from the server itself;
    `environ` is the server's own environment."""
    env = {
        "PATH": environ.get("PATH") or DEFAULT_PATH,
        "HOME": str(home),
        "BUYNOW_HOME": str(home),
        "PYTHONPATH": package_root(),
        SSH_FLAG: "1",
        SERVER_STARTED: started.isoformat(timespec="seconds"),
    }
    for name in SERVER_SETTINGS:
        value = environ.get(name)
        if value:
            env[name] = value
    return env


def term_name(term_type: str | None) -> str:
    """The client's terminal type if it is a plausible name, else `xterm-256color`."""
    term = term_type or ""
    return term if TERM_OK.fullmatch(term) else DEFAULT_TERM


def session_environment(
    server: Mapping[str, str],
    *,
    term_type: str | None,
    fingerprint: str,
    peer: str,
    sent: Mapping[str, str],
) -> dict[str, str]:
    """One session's environment: the server's part, then what is known of the shopper,
    then the few variables the client sent (`sent`) that pass their check."""
    env = dict(server)
    env["TERM"] = term_name(term_type)
    env[SSH_FINGERPRINT] = fingerprint
    env[SSH_PEER] = peer
    lang = sent.get("LANG", "")
    if LANG_OK.fullmatch(lang):
        env["LANG"] = lang
    colorterm = sent.get("COLORTERM", "")
    if COLORTERM_OK.fullmatch(colorterm):
        env["COLORTERM"] = colorterm
    if sent.get("NO_COLOR"):
        env["NO_COLOR"] = "1"
    return env
