"""What the SSH server lets a session do, the lines it says when it refuses, and the
environment a session's app gets. No I/O here: every rule is a function of what the
client asked for, so a new rule is one function (and one line of words) in this module.

Every shopper is a stranger on the internet: the server accepts only what a shopper
needs and says so in one line when it refuses.

Refused, one line each: a session without a PTY (but for the shoppers' commands
below); exec requests other than the deep links and the shoppers' commands (so `ssh
host 'rm -rf /'`, `ssh host 'orders; id'` and scp); subsystems (sftp); local and remote
port forwarding (and Unix-socket forwarding); agent forwarding (the session goes on
without it). Over a limit: "busy, try again".

The shoppers' commands (`parse_command`): `orders`, `order N`, `cart`, `wishlist`,
`search TEXT`, `product ID`, `whoami`, each with `--json` or `--format F`. They need no
PTY and run as a process of their own, not the app (`command_child`, `shopper`); with
a PTY a command that is also a deep link (`ssh -t host cart`) opens the app instead.
Nothing a shell would act on gets through (`SHELL_SYNTAX`): no shell ever runs them.

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

#: The shoppers' commands in words, for the refusal line.
COMMANDS = "orders, order N, cart, wishlist, search TEXT, product ID, whoami (each with --json)"

MSG_NO_PTY = "BuyNow needs a terminal: connect with `ssh -t` (or plain `ssh` with no command)."
MSG_NO_COMMANDS = (
    f"BuyNow runs no commands but its own: {COMMANDS}. "
    f"To open a page: ssh -t HOST PAGE, where PAGE is one of: {PAGES}."
)
MSG_NOT_LINKED = (
    "This key is not linked to an account: connect with `ssh -t host`, log in and tick Remember me."
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

    @property
    def shopper_command(self) -> ShopperCommand | None:
        """The shopper's command to run instead of the app (`ssh host orders --json`), if
        this is one; with a PTY a deep link (`ssh -t host cart`) opens the app instead."""
        if self.kind is not RequestKind.EXEC:
            return None
        if self.pty and is_deep_link(self.command.strip()):
            return None
        parsed = parse_command(self.command)
        return parsed if isinstance(parsed, ShopperCommand) else None


def refusal(request: Request) -> str | None:
    """The one line that refuses `request`, or None if it may start an app or run a
    shopper's command (`Request.shopper_command`)."""
    if request.kind is RequestKind.SUBSYSTEM:
        return MSG_NO_FILES if request.command == "sftp" else MSG_NO_SUBSYSTEM
    if request.kind is RequestKind.EXEC:
        command = request.command.strip()
        if FILE_TRANSFER.match(request.command):
            return MSG_NO_FILES
        if request.pty and is_deep_link(command):
            return None  # `ssh -t host cart`: the app, at that page
        parsed = parse_command(request.command)
        if isinstance(parsed, ShopperCommand):
            return None
        if parsed is not None:
            return parsed  # one of the shoppers' commands, wrongly given
        if request.pty and PAGE_SHAPED.fullmatch(command):
            return None  # `ssh -t host nosuchpage`: the app says Not found
        if not is_deep_link(command):
            return MSG_NO_COMMANDS
    if not request.pty:
        return MSG_NO_PTY
    return None


# -- the shoppers' commands (no PTY needed) ---------------------------------------------------

#: Read by anyone: the catalog. The rest read the shopper's own data, so they need a
#: key linked to an account through Remember me (`MSG_NOT_LINKED` otherwise).
PUBLIC_VERBS = frozenset({"search", "product"})
VERBS = ("orders", "order", "cart", "wishlist", "search", "product", "whoami")
USAGE = {
    "orders": "orders",
    "order": "order N",
    "cart": "cart",
    "wishlist": "wishlist",
    "search": "search TEXT",
    "product": "product ID",
    "whoami": "whoami",
}
FORMATS = ("table", "json", "csv")
#: No shell runs a shopper's command, so what only a shell would act on is refused
#: outright (`orders; id`, `cart | sh`, `$(...)`, redirections, backslashes),
#: and so are control characters.
SHELL_SYNTAX = re.compile(r"[;&|$`<>\\\x00-\x1f\x7f]")
MAX_COMMAND = 256
MAX_SEARCH = 100
MAX_NUMBER = 10**12


@dataclass(frozen=True)
class ShopperCommand:
    """One of the shoppers' commands, checked: `ssh host order 12 --json`."""

    verb: str
    argument: str | None = None  # the search text, or the order or product number
    form: str = "table"

    @property
    def public(self) -> bool:
        return self.verb in PUBLIC_VERBS

    @property
    def words(self) -> list[str]:
        """The command as the runner's arguments (`python -m buynow_tui.ssh.shopper`)."""
        return [self.verb, *([self.argument] if self.argument else []), "--format", self.form]


def usage_line(verb: str) -> str:
    return f"Usage: ssh HOST {USAGE[verb]} [--json]."


def parse_command(command: str) -> ShopperCommand | str | None:
    """`command` as a shopper's command; a one-line refusal if it starts like one but
    is wrongly given; None if it is not one at all."""
    words = command.split()
    if not words or words[0] not in VERBS:
        return None
    verb = words[0]
    if len(command) > MAX_COMMAND or SHELL_SYNTAX.search(command):
        return MSG_NO_COMMANDS
    form = "table"
    rest: list[str] = []
    args = iter(words[1:])
    for word in args:
        if word == "--json":
            form = "json"
        elif word == "--format" or word.startswith("--format="):
            value = word.partition("=")[2] if "=" in word else next(args, "")
            if value not in FORMATS:
                return f"--format takes one of {', '.join(FORMATS)}. {usage_line(verb)}"
            form = value
        elif word.startswith("-"):
            return f"Unknown option {word[:20]}. {usage_line(verb)}"
        else:
            rest.append(word)
    if verb == "search":
        text = " ".join(rest)
        if not text or len(text) > MAX_SEARCH:
            return f"Search for 1 to {MAX_SEARCH} characters. {usage_line(verb)}"
        return ShopperCommand(verb, text, form)
    if verb in ("order", "product"):
        number = rest[0].removeprefix("#") if len(rest) == 1 else ""
        if not (number.isascii() and number.isdigit()) or not 0 < int(number) < MAX_NUMBER:
            return f"{verb.capitalize()} needs a number. {usage_line(verb)}"
        return ShopperCommand(verb, str(int(number)), form)
    if rest:
        return f"{verb.capitalize()} takes no arguments. {usage_line(verb)}"
    return ShopperCommand(verb, None, form)


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
