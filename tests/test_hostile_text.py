"""Hostile text in every user-text field, through the store onto the screens and into the logs.

Each string of `hostile.HOSTILE` (markup, terminal escapes, a newline, emoji, 10,000
characters) is pasted into every text box of the app (a paste is how a terminal hands
control characters to a text box: typed keys never carry them) and passed to every
admin command that takes text. Either it is accepted and shown literally (markup as
text, control characters gone), or it is refused with the field's own message and
nothing changes. Whatever happened, the app is still running, no control character
reached the screen, and every line of every log file is one whole record.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Checkbox, Input, Select, TextArea
from typer.testing import CliRunner

from buynow_tui.screens.account import AccountScreen
from buynow_tui.screens.account_dialogs import AddressDialog, PasswordDialog, QuestionDialog
from buynow_tui.screens.cart import CartScreen
from buynow_tui.screens.checkout.ship_to import AddressForm, ShipToStep
from buynow_tui.screens.login import LoginScreen
from buynow_tui.screens.order_detail import OrderDetailScreen
from buynow_tui.screens.order_placed import OrderPlacedScreen
from buynow_tui.screens.product import ProductScreen
from buynow_tui.screens.register import RegisterScreen
from buynow_tui.screens.reset_password import ResetPasswordScreen
from buynow_tui.screens.shop import ShopScreen
from buynow_tui.screens.wishlist import WishlistScreen
from buynow_tui.store.errors import AuthError
from buynow_tui.store.services import Services
from tests.support import cli
from tests.support.app import (
    make_app,
    notices,
    screen_text,
    settle,
    wait_for,
    wait_for_screen,
    wait_for_text,
)
from tests.support.hostile import CONTROL, HOSTILE, WITH_CONTROLS, Hostile
from tests.support.shop import BOOK_ADDRESS, checkout_through, log_in, shop_ready, through_steps
from tests.support.store import product_named, register

BAD_EMAIL = "Enter a valid email address, like name@example.com."
PASSWORD_TOO_LONG = "A password can be at most 72 bytes"
#: The start of every log line: time | level | source | ... (see `buynow_tui.logs.FORMAT`).
RECORD = re.compile(
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \| (INFO|WARNING|ERROR|CRITICAL) \| buynow[.\w]* \| "
)


# -- what the shopper and the admin would notice -----------------------------------------


def raw_controls(app: Any) -> list[str]:
    """Pieces of the screen holding a control character: they would reach the terminal raw."""
    return [
        segment.text
        for strip in app.screen._compositor.render_strips()
        for segment in strip
        if CONTROL.search(segment.text)
    ]


def assert_harmless(app: Any, what: Hostile | str) -> None:
    """The app still runs (no `[@click=app.quit]` fired) and the screen holds no control."""
    label = what.id if isinstance(what, Hostile) else what
    assert app.is_running, f"{label}: the app quit"
    shown = raw_controls(app)
    assert not shown, f"{label}: control characters reached the screen: {shown!r}"


async def opened(pilot: Any, screen_type: type, loaded: str) -> Any:
    """Wait for a screen of `screen_type` whose `loaded` attribute has been read in."""
    screen = await wait_for_screen(pilot, screen_type)
    await wait_for(pilot, lambda: getattr(screen, loaded) is not None)
    return screen


def problem(app: Any, control_id: str) -> str | None:
    """The message under a form field (its `Field` is the control's parent)."""
    return app.screen.query_one(f"#{control_id}").parent.problem  # type: ignore[no-any-return]


def assert_logs_clean(home: Path) -> None:
    """No control character in any log, every line one whole record, and no error logged."""
    logs = home / "logs"
    for path in sorted(logs.glob("*.log*")):
        text = path.read_text("utf-8")
        assert not text or text.endswith("\n"), path.name
        for line in text.split("\n")[:-1]:
            assert RECORD.match(line), f"{path.name}: a line that is not a record: {line[:200]!r}"
            assert not CONTROL.search(line), f"{path.name}: {line[:200]!r}"
    assert (logs / "error.log").read_text("utf-8") == "", "something went wrong and was logged"


async def paste(pilot: Any, selector: str, text: str) -> None:
    """Empty a text box, then paste `text` into it as a terminal would (bracketed paste).

    The box then shows the paste: no control character of it may reach the terminal.
    """
    box = pilot.app.screen.query_one(selector)
    box.focus()
    if isinstance(box, TextArea):
        box.clear()
    else:
        box.value = ""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()
    shown = raw_controls(pilot.app)
    assert not shown, f"pasting {text[:40]!r} into {selector}: on screen raw: {shown!r}"


def run_cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `buynow` (its `main`, as an admin runs it) on this test's home, from the
    home folder, in UTF-8 mode (hostile text must survive the pipes as it was)."""
    return cli.run_cli(home, *args, stdin=stdin, cwd=home, env={"PYTHONUTF8": "1"}, timeout=60)


def assert_one_answer(what: str, code: int, out: str, err: str) -> None:
    """Success with clean output, or exactly one `error:` line: no traceback, no escapes."""
    assert "Traceback" not in out + err, what
    assert not CONTROL.search(out.replace("\n", "")), f"{what}: {out[:300]!r}"
    if code == 0:
        assert err == "", f"{what}: {err[:300]!r}"
        return
    assert err.startswith("error: ") and err.count("\n") == 1, f"{what}: {err[:300]!r}"
    assert not CONTROL.search(err[:-1]), f"{what}: {err[:300]!r}"


def dump(home: Path) -> list[str]:
    """Every row of every table: proof that a refusal changed nothing."""
    conn = sqlite3.connect(home / "buynow.db")
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


# -- the account forms ---------------------------------------------------------------------


async def test_register_then_log_in_with_hostile_username_password_and_answer(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(110, 40)) as pilot:
        await shop_ready(pilot)
        for number, hostile in enumerate(HOSTILE):
            email = f"shopper{number}@example.com"
            app.navigate("register")
            await wait_for_screen(pilot, RegisterScreen)
            await paste(pilot, "#email", hostile.text)
            assert problem(app, "email") == BAD_EMAIL, hostile.id
            assert_harmless(app, hostile)

            await paste(pilot, "#email", email)
            await paste(pilot, "#username", hostile.text)
            await paste(pilot, "#password", hostile.text)
            await paste(pilot, "#password2", hostile.text)  # the password twice
            app.screen.query_one("#question", Select).value = "pet"
            app.screen.query_one("#agree", Checkbox).value = True
            await paste(pilot, "#answer", hostile.text)
            await pilot.press("enter")  # enter in the answer registers

            if hostile.too_long:
                # (The form's last line: below the fold at 110x40 once the cursor is
                # back on the first field marked.)
                await wait_for(
                    pilot,
                    lambda: (
                        "Please fix the fields marked above."
                        in str(app.screen.query_one("#register-status").render())
                    ),
                )
                assert problem(app, "username") == "A username is at most 32 characters."
                assert (problem(app, "password") or "").startswith(PASSWORD_TOO_LONG)
                assert problem(app, "answer") == "An answer is at most 100 characters."
                assert app.user is None and not services.accounts.email_taken(email)
                assert_harmless(app, hostile)
                continue

            await wait_for(pilot, lambda: app.user is not None)
            name = hostile.in_box
            assert app.user.username == name, hostile.id
            await wait_for_text(pilot, f"@{name}")  # the header, literally
            assert f"Welcome to BuyNow, {name}." in notices(app)
            await pilot.click("#who", offset=(4, 0))  # on the name: a live [@click] fires here
            assert_harmless(app, hostile)
            app.log_out()

            # Back in with the same pasted password.
            app.navigate("login")
            await wait_for_screen(pilot, LoginScreen)
            await paste(pilot, "#email", email)
            await paste(pilot, "#password", hostile.text)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.user is not None)
            assert app.user.username == name
            app.log_out()
    names = {user.username for user in services.accounts.list_users()}
    assert names == {h.in_box for h in HOSTILE if not h.too_long}
    assert_logs_clean(home)


async def test_log_in_and_reset_password_refuse_hostile_text_and_change_nothing(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    register(services)  # ann@example.com, "correct horse"
    app = make_app(services, home)
    async with app.run_test(size=(110, 40)) as pilot:
        await shop_ready(pilot)
        app.navigate("login")
        login = await wait_for_screen(pilot, LoginScreen)
        password_box = login.query_one("#password", Input)
        for hostile in HOSTILE:
            await paste(pilot, "#email", hostile.text)
            await paste(pilot, "#password", hostile.text)
            await pilot.press("enter")
            await wait_for(pilot, lambda: password_box.value == "")  # refused: emptied
            assert "Email or password is incorrect." in screen_text(app), hostile.id
            assert app.user is None
            assert_harmless(app, hostile)

        # Forgot password takes the email box along; then each string in each of its boxes.
        email = login.query_one("#email", Input).value
        await pilot.click("#to-reset")
        reset = await wait_for_screen(pilot, ResetPasswordScreen)
        assert reset.query_one("#email", Input).value == email
        answer_box = reset.query_one("#answer", Input)
        for hostile in HOSTILE:
            frozen_clock[0] += timedelta(minutes=20)  # each wrong answer in a new lockout window
            await paste(pilot, "#email", hostile.text)
            await pilot.press("enter")  # refused before any lookup
            assert problem(app, "email") == BAD_EMAIL, hostile.id
            assert reset.query_one("#step-email").display
            assert_harmless(app, hostile)

            # A real account, a hostile answer and new password.
            await paste(pilot, "#email", "ann@example.com")
            await pilot.press("enter")
            await wait_for(pilot, lambda: reset.query_one("#step-answer").display)
            assert "What is the name of your pet?" in screen_text(app)
            await paste(pilot, "#answer", hostile.text)
            await paste(pilot, "#new_password", hostile.text)
            await pilot.press("enter")
            if hostile.too_long:
                assert (problem(app, "new_password") or "").startswith(PASSWORD_TOO_LONG)
            else:
                await wait_for(pilot, lambda: answer_box.value == "")  # refused: emptied
                assert "That answer does not match our records." in screen_text(app)
            assert_harmless(app, hostile)
            await pilot.click("#back-to-email")
    frozen_clock[0] += timedelta(minutes=20)
    assert services.accounts.authenticate("ann@example.com", "correct horse").username == "ann"
    assert_logs_clean(home)


@pytest.mark.backends
async def test_a_10000_character_email_gets_the_usual_log_in_message(
    services: Services, home: Path, backend: str
) -> None:
    """On PostgreSQL the failed-login record has a 254-character column: no crash there."""
    register(services)
    long_email = "x" * 10_000 + "@example.com"
    with pytest.raises(AuthError):
        services.accounts.reset_password(long_email, "Rex", "a new password")
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await shop_ready(pilot)
        app.navigate("login")
        await wait_for_screen(pilot, LoginScreen)
        await paste(pilot, "#email", long_email)
        await paste(pilot, "#password", "correct horse")
        await pilot.press("enter")
        await wait_for_text(pilot, "Email or password is incorrect.")
        assert app.user is None
        assert_harmless(app, HOSTILE[-1])
    assert_logs_clean(home)


async def test_account_dialogs_take_hostile_address_answer_and_password(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(110, 40)) as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        password = "correct horse"
        app.navigate("account")
        await wait_for_screen(pilot, AccountScreen)
        for hostile in HOSTILE:
            before = services.accounts.get(user.id).ship_address

            await pilot.press("e")
            await wait_for_screen(pilot, AddressDialog)
            await paste(pilot, "#address", hostile.text)
            await pilot.click("#save")
            if hostile.too_long:
                await wait_for(pilot, lambda: problem(app, "address") is not None)
                assert problem(app, "address") == "An address is at most 300 characters."
                assert services.accounts.get(user.id).ship_address == before
                assert_harmless(app, hostile)
                await pilot.press("escape")
            else:
                await wait_for_screen(pilot, AccountScreen)
                address = hostile.multiline
                assert services.accounts.get(user.id).ship_address == address, hostile.id
                await wait_for_text(pilot, *address.split("\n"))
                assert_harmless(app, hostile)

            await pilot.press("c")
            await wait_for_screen(pilot, QuestionDialog)
            await paste(pilot, "#answer", hostile.text)
            await paste(pilot, "#current_password", password)
            await pilot.press("enter")
            if hostile.too_long:
                await wait_for(pilot, lambda: problem(app, "answer") is not None)
                assert problem(app, "answer") == "An answer is at most 100 characters."
                assert_harmless(app, hostile)
                await pilot.press("escape")
            else:
                await wait_for_screen(pilot, AccountScreen)
                assert "Security question changed." in notices(app)
                # Pasted again, the answer opens Reset password (here to the same password).
                services.accounts.reset_password("ann@example.com", hostile.in_box, password)
                # The reset ended this session (as any reset does): log in again.
                app.logged_in(services.accounts.authenticate("ann@example.com", password))

            await pilot.press("p")
            await wait_for_screen(pilot, PasswordDialog)
            await paste(pilot, "#current_password", password)
            await paste(pilot, "#new_password", hostile.text)
            await paste(pilot, "#repeat_password", hostile.text)
            await pilot.press("enter")
            if hostile.too_long:
                await wait_for(pilot, lambda: problem(app, "new_password") is not None)
                assert (problem(app, "new_password") or "").startswith(PASSWORD_TOO_LONG)
                assert_harmless(app, hostile)
                await pilot.press("escape")
            else:
                await wait_for_screen(pilot, AccountScreen)
                password = hostile.password
            assert services.accounts.authenticate("ann@example.com", password).id == user.id
            assert_harmless(app, hostile)
    assert_logs_clean(home)


async def test_checkout_address_box_takes_hostile_text_onto_the_order(
    services: Services, home: Path
) -> None:
    """The checkout's address form (issue 15): hostile text pasted as the street goes
    onto the order as text, or is refused on its field."""
    phone = product_named(services, "New Smart Phone")
    app = make_app(services, home)
    async with app.run_test(size=(110, 40)) as pilot:
        await shop_ready(pilot)
        for number, hostile in enumerate(HOSTILE):
            user = log_in(app, services, email=f"buyer{number}@example.com", username="buyer")
            services.cart.add(user.id, phone.id, 1)
            app.navigate("cart")
            await opened(pilot, CartScreen, "cart")
            await pilot.press("b")
            await opened(pilot, ShipToStep, "addresses")
            await pilot.press("enter")  # "+ Add a new address"
            form = await wait_for_screen(pilot, AddressForm)
            for control, text in (
                ("#address-name", "Ann Lee"),
                ("#address-city", "Port Town"),
                ("#address-postal_code", "4021"),
                ("#address-phone", "555 0100"),
            ):
                form.query_one(control, Input).value = text
            form.query_one("#address-country", Select).value = "AU"
            await paste(pilot, "#address-line1", hostile.text)
            await pilot.press("ctrl+s")
            if hostile.too_long:
                await wait_for(
                    pilot,
                    lambda: (
                        problem(app, "address-line1")
                        == "The street and number is at most 60 characters."
                    ),
                )
                assert app.screen is form
                assert services.addresses.list(user.id) == []
                assert services.orders.history(user.id) == []
                assert [line.name for line in services.cart.get(user.id).lines] == [phone.name]
                assert_harmless(app, hostile)
                await pilot.press("escape", "escape")  # the form, then Ship to: the Cart
                await wait_for_screen(pilot, CartScreen)
                continue
            await wait_for_screen(pilot, ShipToStep)
            await wait_for_text(pilot, hostile.in_box)
            assert_harmless(app, hostile)
            await through_steps(pilot)
            await pilot.press("y")
            await wait_for_screen(pilot, OrderPlacedScreen)
            await wait_for_text(pilot, "Ship to:", f"  {hostile.in_box}")  # the receipt
            assert_harmless(app, hostile)
            order = services.orders.history(user.id)[0]
            kept = services.orders.detail(user.id, order.id).ship_address
            assert kept.splitlines()[1] == hostile.in_box
            app.navigate(f"order/{order.number}")  # the shopper's own number
            await opened(pilot, OrderDetailScreen, "order")
            await wait_for_text(pilot, "Ship to:", hostile.in_box, phone.name)
            assert_harmless(app, hostile)
    assert_logs_clean(home)


def searched(shop: ShopScreen, query: str) -> Any:
    return lambda: shop.query_text == query and not shop.reading


async def test_search_box_shows_hostile_text_literally(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(110, 30)) as pilot:
        await shop_ready(pilot)
        shop = app.screen
        assert isinstance(shop, ShopScreen)
        for hostile in HOSTILE:
            await pilot.press("slash")
            await paste(pilot, "#search", hostile.text)
            query = hostile.in_box
            await wait_for(pilot, searched(shop, query))
            if shop.table.row_count == 0:
                quoted = f"No products match “{query}”." if len(query) < 60 else query[:60]
                await wait_for_text(pilot, "No products match", quoted)
            if len(query) < 60:
                assert query in screen_text(app)  # the box shows what was pasted
            assert_harmless(app, hostile)
            await pilot.press("escape")  # clears the search
    assert_logs_clean(home)


# -- catalog text from the admin CLI onto every screen ---------------------------------------


async def test_hostile_catalog_text_from_the_cli_shows_literally_on_every_screen(
    services: Services, home: Path, tmp_path: Path
) -> None:
    accepted: list[tuple[str, Hostile]] = []
    for number, hostile in enumerate(HOSTILE):
        sku, before = f"HOST-{number}", dump(home)
        added = run_cli(
            home,
            *("products", "add", "--sku", sku, "--name", hostile.text, "--price", "10"),
            *("--stock", "5", "--category", "Hostile", "--new-category"),
            *("--description", f"{hostile.text}\nsecond line"),
        )
        assert_one_answer(hostile.id, added.returncode, added.stdout, added.stderr)
        if hostile.too_long:
            assert added.stderr == "error: A product name is at most 200 characters.\n"
            assert dump(home) == before
        else:
            assert added.stdout == f"Added {sku}: {hostile.shown} at 10.00.\n"
            accepted.append((sku, hostile))

    # 10,000 characters of description: cut to the same length by add and by update.
    long_add = run_cli(
        home,
        *("products", "add", "--sku", "HOST-LONG", "--name", "Long Story", "--price", "1"),
        *("--stock", "5", "--category", "Hostile", "--new-category", "--description", "y" * 10_000),
    )
    assert long_add.returncode == 0, long_add.stderr
    kept = len(services.catalog.get_by_sku("HOST-LONG").description)
    assert 0 < kept < 10_000
    long_update = run_cli(home, "products", "update", "HOST-LONG", "--description", "z" * 10_000)
    assert long_update.returncode == 0, long_update.stderr
    assert services.catalog.get_by_sku("HOST-LONG").description == "z" * kept

    # A seeded catalog file: hostile category, description and specs.
    odd = tmp_path / "odd.json"
    specs = {h.id: h.text for h in HOSTILE} | {"[@click=app.quit]": "[link=https://x.io]k[/link]"}
    odd.write_text(
        json.dumps(
            {
                "products": [
                    {
                        "sku": "HOST-SPECS",
                        "name": "Spec Sheet",
                        "category": "[b]Odd[/b] \x1b[2J",
                        "price": "5",
                        "stock": 3,
                        "description": "\x1b]0;pwned\x07plain",
                        "specs": specs,
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    seeded = run_cli(home, "seed", str(odd))
    assert seeded.returncode == 0, seeded.stderr

    app = make_app(services, home)
    async with app.run_test(size=(120, 40)) as pilot:
        await shop_ready(pilot)
        user = log_in(app, services)
        app.user = services.accounts.set_address(user.id, "1 Main St")
        services.addresses.add(user.id, BOOK_ADDRESS)  # what the checkout ships to
        shop = app.screen
        assert isinstance(shop, ShopScreen)
        await wait_for(pilot, lambda: "Hostile" in shop.categories)
        await pilot.press("escape")  # out of the search box, into the list
        for _ in range(len(shop.categories) + 1):
            await pilot.press("C")  # one category back at a time (c opens the picker)
            await settle(pilot)
            assert_harmless(app, "catalog")
            if shop.category == "Hostile":
                break
        await wait_for_text(pilot, "Category: Hostile (c)")
        skus = {sku for sku, _ in accepted} | {"HOST-LONG"}
        await wait_for(pilot, lambda: {p.sku for p in shop.table.products} == skus)
        for _, hostile in accepted:
            assert hostile.shown in screen_text(app), hostile.id
        assert_harmless(app, "catalog")

        # Every row into the cart and onto the wishlist, from the Shop's keys.
        for row, product in enumerate(shop.table.products):
            shop.table.move_cursor(row=row)
            await pilot.press("a", "w")
            await settle(pilot)
            assert f"Added {product.name} to your cart." in notices(app)
            assert f"Saved {product.name} to your wishlist." in notices(app)
            assert_harmless(app, "catalog")

        for sku, hostile in accepted:
            product = services.catalog.get_by_sku(sku)
            app.navigate(f"product/{product.id}")
            await opened(pilot, ProductScreen, "product")
            await wait_for_text(pilot, hostile.shown, *hostile.multiline.split("\n"), "second line")
            assert_harmless(app, hostile)
        spec_sheet = services.catalog.get_by_sku("HOST-SPECS")
        app.navigate(f"product/{spec_sheet.id}")
        await opened(pilot, ProductScreen, "product")
        await wait_for_text(
            pilot,
            "[b]Odd[/b] [2J · SKU HOST-SPECS",
            "]0;pwnedplain",
            "[@click=app.quit]  [link=https://x.io]k[/link]",
            *(h.shown for h in HOSTILE if not h.too_long and len(h.shown) <= 24),
        )
        assert_harmless(app, "catalog")

        names = [hostile.shown for _, hostile in accepted] + ["Long Story"]
        for route, screen_type in (("wishlist", WishlistScreen), ("cart", CartScreen)):
            app.navigate(route)
            await wait_for_screen(pilot, screen_type)
            await wait_for_text(pilot, *names)
            assert_harmless(app, "catalog")

        await checkout_through(pilot)  # through the checkout's steps (issue 15)
        await pilot.press("y")
        await wait_for_screen(pilot, OrderPlacedScreen)
        order = services.orders.history(user.id)[0]
        app.navigate(f"order/{order.number}")
        await opened(pilot, OrderDetailScreen, "order")
        await wait_for_text(pilot, *names)
        assert_harmless(app, "catalog")

        # The command palette finds a product by its hostile name and shows it as text.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await paste(pilot, "CommandInput", "Free gift")
        await wait_for_text(pilot, "Open [@click=app.quit]Free gift[/][/")
        for hostile in HOSTILE:
            await paste(pilot, "CommandInput", hostile.text)
            await settle(pilot)
            assert_harmless(app, hostile)
        await pilot.press("escape")

    listed = run_cli(home, "products", "list", "--category", "Hostile")
    assert_one_answer("products list", listed.returncode, listed.stdout, listed.stderr)
    for _, hostile in accepted:
        assert hostile.shown[:40] in listed.stdout, hostile.id
    orders = run_cli(home, "orders", "list")
    assert_one_answer("orders list", orders.returncode, orders.stdout, orders.stderr)
    assert f"{order.id}" in orders.stdout and "ann@example.com" in orders.stdout
    assert_logs_clean(home)


async def test_usernames_from_the_cli_show_in_the_header_and_log_as_one_line(
    services: Services, home: Path
) -> None:
    added: list[tuple[str, Hostile]] = []
    for number, hostile in enumerate(HOSTILE):
        email, before = f"cli{number}@example.com", dump(home)
        done = run_cli(
            home,
            *("users", "add", "--email", email, "--username", hostile.text),
            *("--answer", hostile.text, "--password-stdin"),
            stdin=hostile.text + "\n",
        )
        assert_one_answer(hostile.id, done.returncode, done.stdout, done.stderr)
        if hostile.too_long:
            assert done.stderr == "error: A username is at most 32 characters.\n"
            assert dump(home) == before
        else:
            assert done.returncode == 0 and email in done.stdout
            added.append((email, hostile))

    listed = run_cli(home, "users", "list")
    assert_one_answer("users list", listed.returncode, listed.stdout, listed.stderr)
    for _, hostile in added:
        assert hostile.shown[:20] in listed.stdout, hostile.id

    app = make_app(services, home)
    async with app.run_test(size=(110, 30)) as pilot:
        await shop_ready(pilot)
        for email, hostile in added:
            app.logged_in(services.accounts.authenticate(email, hostile.password))
            await wait_for_text(pilot, f"@{hostile.shown}")
            assert_harmless(app, hostile)
    assert_logs_clean(home)
    info = (home / "logs" / "info.log").read_text("utf-8")
    # The would-be second line stays inside the first, its "|" escaped (no forged column).
    assert "(first lineINFO \\x7c forged)" in info


# -- every other admin command, with hostile arguments ---------------------------------------

CLI_COMMANDS: dict[str, Any] = {
    "seed FILE": lambda t: ["seed", t],
    "products list --search": lambda t: ["products", "list", "--search", t],
    "products list --category": lambda t: ["products", "list", "--category", t],
    "products update SKU": lambda t: ["products", "update", t, "--stock", "1"],
    "products update --name --category": lambda t: [
        *("products", "update", "BN-WAT-001", "--name", t, "--category", t),
    ],
    "products remove SKU": lambda t: ["products", "remove", t],
    "stock set SKU": lambda t: ["stock", "set", t, "5"],
    "stock set QUANTITY": lambda t: ["stock", "set", "BN-WAT-001", t],
    "orders list --user": lambda t: ["orders", "list", "--user", t],
    "users add --email": lambda t: [
        *("users", "add", "--email", t, "--username", "x", "--password-stdin", "--answer", "Rex"),
    ],
    "users add --question": lambda t: [
        *("users", "add", "--email", "q@example.com", "--username", "q"),
        *("--question", t, "--password-stdin", "--answer", "Rex"),
    ],
}


@pytest.mark.parametrize("command", sorted(CLI_COMMANDS))
def test_cli_commands_answer_hostile_arguments_with_success_or_one_error_line(
    home: Path, command: str
) -> None:
    from buynow_tui.cli import app

    runner = CliRunner()
    seeded = runner.invoke(app, ["--home", str(home), "seed"])
    assert seeded.exit_code == 0, seeded.output
    for hostile in HOSTILE:
        before = dump(home)
        result = runner.invoke(
            app,
            ["--home", str(home), *CLI_COMMANDS[command](hostile.text)],
            input="a fine password\n",
            color=True,  # what a terminal would get: nothing stripped on the way
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            hostile.id,
            repr(result.exception),
        )
        what = f"{command} {hostile.id}"
        assert_one_answer(what, result.exit_code, result.stdout, result.stderr)
        if result.exit_code != 0:
            assert result.exit_code == 1, what
            assert dump(home) == before, f"{what}: refused, yet something changed"
    assert_logs_clean(home)


USAGE_MISTAKES: dict[str, Any] = {
    "unknown command": lambda t: [f"no{t}such"],
    "extra argument": lambda t: ["products", "remove", "A", t],
    "not a number": lambda t: ["products", "list", "--limit", t],
    "unknown option": lambda t: ["products", "list", f"--{t}"],
}


@pytest.mark.parametrize("mistake", sorted(USAGE_MISTAKES))
def test_usage_mistakes_with_hostile_text_are_one_clean_line(home: Path, mistake: str) -> None:
    for hostile in WITH_CONTROLS:
        done = run_cli(home, *USAGE_MISTAKES[mistake](hostile.text))
        assert done.returncode == 2, (hostile.id, done.stderr)
        assert_one_answer(f"{mistake} {hostile.id}", 1, done.stdout, done.stderr)
