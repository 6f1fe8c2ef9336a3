"""The shoppers' commands over SSH without a PTY: `ssh host orders --json` and the rest.

Run by the SSH server as `python -P -m buynow_tui.ssh.shopper VERB [ARG] --format F`
(`command_child.py`), in its own process with the session's environment: no Textual,
no terminal, no shell. It reads and prints, and never changes anything (buying stays
in the app). Output is plain text (`buynow_tui.formats`, the shapes in
`buynow_tui.shapes`, the same as the admin CLI's): tables are never cut, control
characters are escaped, and nothing writes an escape sequence.

Who the shopper is: the key the client proved (`BUYNOW_SSH_FINGERPRINT`), if it was
linked to an account through Remember me (`session.SshKey`). `search` and `product`
read the catalog for anyone; `orders`, `order N`, `cart`, `wishlist` and `whoami` read
that account's own data only, and for any other key say `policy.MSG_NOT_LINKED` and exit
1. A product or order that is not there (someone else's order included) is one line
and exit 1. The database is used as the server migrated it: nothing is migrated or
seeded from here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from buynow_tui.formats import Document, Format, render
from buynow_tui.ssh.policy import MSG_NOT_LINKED, ShopperCommand, parse_command

if TYPE_CHECKING:
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView

#: What `search` lists at most, as the Shop shows.
SEARCH_LIMIT = 50


def answer(command: ShopperCommand, services: Services, user: UserView | None) -> Document:
    """The document a command prints (the user is None for a key linked to nobody)."""
    from buynow_tui import shapes

    if command.verb == "search":
        found = services.catalog.search(command.argument or "", limit=SEARCH_LIMIT)
        return shapes.products(found, shopper=True)
    if command.verb == "product":
        return shapes.product(services.catalog.get(int(command.argument or 0)))
    assert user is not None
    if command.verb == "orders":
        return shapes.orders(services.orders.history(user.id))
    if command.verb == "order":
        return shapes.order(services.orders.by_number(user.id, int(command.argument or 0)))
    if command.verb == "cart":
        return shapes.cart(services.cart.get(user.id))
    if command.verb == "wishlist":
        return shapes.wishlist(services.wishlist.items(user.id))
    return shapes.whoami(user)


def say(line: str) -> None:
    from buynow_tui.logs import escape_control

    sys.stderr.write(escape_control(line) + "\n")


def run(words: Sequence[str]) -> int:
    parsed = parse_command(" ".join(words))
    if not isinstance(parsed, ShopperCommand):  # the server checked it: never happens
        say(parsed or "BuyNow runs no such command.")
        return 1
    from buynow_tui.bootstrap import open_store
    from buynow_tui.config import ClientEnvironment
    from buynow_tui.logs import get_logger
    from buynow_tui.paths import Paths
    from buynow_tui.session import SshKey
    from buynow_tui.store.errors import StoreError
    from buynow_tui.store.problems import for_shopper

    log = get_logger("ssh")
    client = ClientEnvironment.from_env()
    try:
        services = open_store(Paths.resolve(), migrate=False).services
        user = None
        if client.ssh_fingerprint:
            user, _ = SshKey(client.ssh_fingerprint).recall(services.accounts)
        if user is None and not parsed.public:
            say(MSG_NOT_LINKED)
            return 1
        document = answer(parsed, services, user)
    except StoreError as error:
        say(str(error))
        return 1
    except Exception as error:
        log.exception("the shopper's command %s failed", parsed.verb)
        say(str(for_shopper(error)))
        return 1
    log.info(
        "ran %s for %s from %s",
        parsed.verb,
        f"account {user.id}" if user is not None else "someone",
        client.peer or "unknown",
    )
    sys.stdout.write(render(document, Format(parsed.form)))
    sys.stdout.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return run(list(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    sys.exit(main())
