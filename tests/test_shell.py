"""The app's frame as a shopper meets it: Remember me, log out, consent, login required,
deep links, Help, the too-small notice, the palette, themes, About and Account."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from buynow_tui.paths import Paths
from buynow_tui.screens.about import AboutScreen, uptime_words
from buynow_tui.screens.account import AccountScreen
from buynow_tui.screens.help import HelpScreen
from buynow_tui.screens.login import LoginScreen
from buynow_tui.screens.not_found import NotFoundScreen
from buynow_tui.screens.privacy import PrivacyScreen
from buynow_tui.screens.shop import ShopScreen
from buynow_tui.store.services import Services
from buynow_tui.widgets.consent import ConsentNotice
from buynow_tui.widgets.too_small import TooSmall
from tests.support.app import (
    file_mode,
    fill,
    header_text,
    make_app,
    press_key,
    screen_text,
    settle,
    wait_for,
)
from tests.support.store import FIXED_NOW, product_named, register

SSH = {"BUYNOW_SSH": "1", "BUYNOW_SSH_FINGERPRINT": "SHA256:q1w2e3r4t5y6"}


async def log_in_through_the_form(
    pilot: Pilot[Any], *, remember: bool = False, password: str = "correct horse"
) -> None:
    app = pilot.app
    if not isinstance(app.screen, LoginScreen):
        await press_key(pilot, "5")
        await pilot.pause()
    await fill(pilot, "#email", "ann@example.com")
    await fill(pilot, "#password", password)
    app.screen.query_one("#remember").value = remember
    await pilot.press("enter")
    await settle(pilot)


# -- Remember me ------------------------------------------------------------------------


async def test_remember_me_across_two_runs_then_log_out_revokes_it(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    user = register(services)
    token_file = Paths(home).token_file

    first = make_app(services, home)
    async with first.run_test() as pilot:
        await settle(pilot)
        await log_in_through_the_form(pilot, remember=True)
        assert first.user is not None
        await settle(pilot)
    assert token_file.exists()
    assert file_mode(token_file) == 0o600
    token = token_file.read_text().strip()
    assert len(token) >= 22  # 128 bits or more, url-safe
    assert services.accounts.resolve_token(token).id == user.id

    second = make_app(services, home)
    async with second.run_test() as pilot:
        await settle(pilot)
        assert second.user is not None and second.user.id == user.id  # opened logged in
        assert "@ann" in header_text(second)
        await press_key(pilot, "5")
        await pilot.pause()
        assert isinstance(second.screen, AccountScreen)
        await pilot.press("l")  # log out
        await settle(pilot)
        assert second.user is None
        assert isinstance(second.screen, ShopScreen)
    assert not token_file.exists()
    assert services.accounts.resolve_token(token) is None

    third = make_app(services, home)
    async with third.run_test() as pilot:
        await settle(pilot)
        assert third.user is None


async def test_remember_me_is_stored_before_the_shopper_sees_they_are_logged_in(
    services: Services, home: Path
) -> None:
    """An SSH window closed the moment "@ann" appears must not lose Remember me: by the
    time the header can show the user, the login is already in the store."""
    user = register(services)
    app = make_app(
        services, home, environ={"BUYNOW_SSH": "1", "BUYNOW_SSH_FINGERPRINT": "SHA256:k"}
    )
    remembered_when_shown: list[bool] = []

    def watch(changed: object) -> None:
        if changed is not None:
            found = services.accounts.resolve_key("SHA256:k")
            remembered_when_shown.append(found is not None and found.id == user.id)

    async with app.run_test() as pilot:
        await settle(pilot)
        app.watch(app, "user", watch, init=False)
        await log_in_through_the_form(pilot, remember=True)
        assert app.user is not None
    assert remembered_when_shown == [True]


async def test_without_remember_me_the_next_run_is_logged_out(
    services: Services, home: Path
) -> None:
    register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        await log_in_through_the_form(pilot, remember=False)
        assert app.user is not None
    assert not Paths(home).token_file.exists()
    again = make_app(services, home)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.user is None


async def test_an_expired_or_revoked_token_file_is_dropped(services: Services, home: Path) -> None:
    user = register(services)
    token = services.accounts.issue_token(user.id)
    paths = Paths(home)
    paths.token_file.write_text(token + "\n")
    services.accounts.revoke_all(user.id)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.user is None
    assert not paths.token_file.exists()


async def test_over_ssh_remember_me_binds_to_the_key_not_a_file(
    services: Services, home: Path
) -> None:
    user = register(services)
    app = make_app(services, home, environ=SSH)
    async with app.run_test() as pilot:
        await settle(pilot)
        await log_in_through_the_form(pilot, remember=True)
        await settle(pilot)
    assert not Paths(home).token_file.exists()
    assert services.accounts.resolve_key(SSH["BUYNOW_SSH_FINGERPRINT"]).id == user.id

    again = make_app(services, home, environ=SSH)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.user is not None and again.user.id == user.id
        again.log_out()
        await settle(pilot)
    assert services.accounts.resolve_key(SSH["BUYNOW_SSH_FINGERPRINT"]) is None

    other_key = make_app(services, home, environ={**SSH, "BUYNOW_SSH_FINGERPRINT": "SHA256:other"})
    async with other_key.run_test() as pilot:
        await settle(pilot)
        assert other_key.user is None


async def test_over_ssh_without_a_key_remember_me_is_offered_disabled(
    services: Services, home: Path
) -> None:
    app = make_app(services, home, environ={"BUYNOW_SSH": "1", "BUYNOW_SSH_FINGERPRINT": ""})
    async with app.run_test() as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await pilot.pause()
        remember = app.screen.query_one("#remember")
        assert remember.disabled
        assert "SSH key" in str(remember.label)


async def test_a_password_change_revokes_every_remembered_login(
    services: Services, home: Path
) -> None:
    user = register(services)
    other_device = services.accounts.issue_token(user.id)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await log_in_through_the_form(pilot, remember=True)
        await settle(pilot)
        assert Paths(home).token_file.exists()
        assert isinstance(app.screen, AccountScreen)
        await pilot.press("p")
        await pilot.pause()
        await fill(pilot, "#current_password", "not it")
        await fill(pilot, "#new_password", "a much better horse")
        await fill(pilot, "#repeat_password", "a much better horse")
        await pilot.press("enter")
        await settle(pilot)
        assert (
            app.screen.query_one("#current_password").parent.problem
            == "Your current password is incorrect."
        )
        await fill(pilot, "#current_password", "correct horse")
        await fill(pilot, "#repeat_password", "a much better horse")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.user is not None  # still logged in here
    assert services.accounts.resolve_token(other_device) is None
    assert not Paths(home).token_file.exists()
    services.accounts.authenticate("ann@example.com", "a much better horse")


# -- login required -----------------------------------------------------------------------


async def test_login_required_goes_to_log_in_then_lands_there_with_the_action_done(
    services: Services, home: Path
) -> None:
    user = register(services)
    watch = product_named(services, "Smart Watch")
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        # "5" needs a login: Log in opens, and afterwards Account is where we land.
        await press_key(pilot, "5")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await log_in_through_the_form(pilot)
        assert isinstance(app.screen, AccountScreen)
        app.log_out()
        await settle(pilot)

        # An action (what the Shop's add-to-cart does): asked while anonymous, done after.
        def add_to_cart() -> None:
            services.cart.add(app.user.id, watch.id, 1)
            app.refresh_badge()

        assert app.require_login(add_to_cart) is False
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await log_in_through_the_form(pilot)
        assert isinstance(app.screen, ShopScreen)
        assert services.cart.count(user.id) == 1
        assert app.cart_count == 1
        assert "Cart (1)" in header_text(app)


async def test_escape_from_log_in_drops_the_pending_action(services: Services, home: Path) -> None:
    register(services)
    done = []
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.require_login(lambda: done.append(True))
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ShopScreen)
        await press_key(pilot, "5")
        await log_in_through_the_form(pilot)
        assert done == []


# -- consent -------------------------------------------------------------------------------


async def test_consent_notice_until_accepted_then_remembered(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        notice = app.screen.query_one(ConsentNotice)
        assert app.consent_needed and notice.display
        assert "a login token" in str(notice.query_one("#consent-text").render())
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert not app.consent_needed and not notice.display
    saved = json.loads(Paths(home).settings_file.read_text())
    assert saved["consent_accepted_at"].startswith("2026-11-25T12:00:00")

    again = make_app(services, home)
    async with again.run_test() as pilot:
        await settle(pilot)
        assert not again.consent_needed
        assert not again.screen.query_one(ConsentNotice).display


async def test_consent_read_policy_then_accept_there(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#consent-read")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        assert "Remember me" in app.screen.query_one("#policy-text").source
        await pilot.click("#accept-policy")
        await settle(pilot)
        assert not app.consent_needed
        assert not app.screen.query_one("#policy-accept").display
        await pilot.press("escape")
        await pilot.pause()
        assert not app.screen.query_one(ConsentNotice).display


async def test_consent_for_a_logged_in_user_is_kept_on_their_account(
    services: Services, home: Path
) -> None:
    from buynow_tui.store.models import User

    user = register(services)
    User.update(consent_at=None).where(User.id == user.id).execute()
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.user = services.accounts.get(user.id)
        await pilot.pause()
        assert app.consent_needed
        await pilot.click("#consent-accept")
        await settle(pilot)
        assert not app.consent_needed
    assert services.accounts.get(user.id).consent_at is not None
    assert not Paths(home).settings_file.exists()  # the account keeps it, not this machine


# -- deep links and Not found -------------------------------------------------------------


async def test_unknown_deep_link_shows_not_found_and_logs_a_warning(
    services: Services, home: Path
) -> None:
    app = make_app(services, home, open_path="nosuchpage/\x1b[2J")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NotFoundScreen)
        assert "Not found: nosuchpage/[2J" in screen_text(app)
        assert "\x1b" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ShopScreen)
    lines = (home / "logs" / "warning.log").read_text().splitlines()
    line = next(line for line in lines if "not found" in line)
    assert "nosuchpage" in line and "| someone |" in line and "\x1b" not in line


async def test_not_found_names_the_user_in_the_log(services: Services, home: Path) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.logged_in(user)
        app.navigate("order/abc")
        await pilot.pause()
        assert isinstance(app.screen, NotFoundScreen)
        await pilot.click("#go-home")
        await pilot.pause()
        assert isinstance(app.screen, ShopScreen)
    text = (home / "logs" / "warning.log").read_text()
    assert "| ann | not found: 'order/abc'" in text


async def test_deep_link_to_a_login_screen_waits_for_remember_me(
    services: Services, home: Path
) -> None:
    """`--open account` with a remembered login opens Account, not Log in."""
    user = register(services)
    Paths(home).token_file.write_text(services.accounts.issue_token(user.id))
    app = make_app(services, home, open_path="account")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)


async def test_deep_links_about_and_account_when_logged_out(services: Services, home: Path) -> None:
    app = make_app(services, home, open_path="about")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AboutScreen)
    app = make_app(services, home, open_path="account")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)


def test_buynow_open_nosuchpage_from_the_command_line(home: Path) -> None:
    """The real entry point: a subprocess, in a pseudo-terminal-free headless run."""
    code = (
        "import asyncio, sys\n"
        "from buynow_tui.app import BuyNowApp\n"
        "from buynow_tui.bootstrap import open_store\n"
        "from buynow_tui.paths import Paths\n"
        "paths = Paths.resolve()\n"
        "app = BuyNowApp(open_store(paths).services, paths, open_path=sys.argv[1])\n"
        "async def main():\n"
        "    async with app.run_test() as pilot:\n"
        "        await app.workers.wait_for_complete(); await pilot.pause()\n"
        "        print(type(app.screen).__name__)\n"
        "asyncio.run(main())\n"
    )
    env = {
        **__import__("os").environ,
        "BUYNOW_HOME": str(home),
        "PYTHONPATH": str(Path(__file__).parents[1]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code, "product/x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "NotFoundScreen"
    assert "not found: 'product/x'" in (home / "logs" / "warning.log").read_text()


# -- keys and Help ----------------------------------------------------------------------------


def test_a_burst_of_keys_fills_the_log_in_form_in_order(services: Services, home: Path) -> None:
    """What a password manager's auto-type sends (email, Tab, password, Enter) arrives in
    one read on a real terminal: the password must reach the password field, not the
    email field in clear."""
    import os

    from tests.support.ssh import PtyClient

    register(services)
    env = {**os.environ, "BUYNOW_HOME": str(home), "PYTHONPATH": str(Path(__file__).parents[1])}
    app = PtyClient.spawn([sys.executable, "-m", "buynow_tui"], cols=100, rows=30, env=env)
    try:
        app.see(b"Page 1 of")
        app.type(b"\t5")  # out of the search box, Log in
        app.see(b"Log in to use your cart")
        mark = len(app.data)
        app.type(b"ann@example.com\tcorrect horse\r")
        shown = app.read_until(
            lambda data: b"ann@example.com" in data[mark:] and b"ann" in data[mark:]
        )
        app.see(b"Log out")  # logged in: Account shows the way out
        assert b"ann@example.comcorrect" not in shown[mark:], "the password was typed in clear"
    finally:
        app.close()


def help_rows(app, which: str) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(key, does) rows of Help's "screen-keys" or "app-keys" table."""
    table = app.screen.query_one(f"#{which}", DataTable)
    return {tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)}  # type: ignore[misc]


async def test_help_lists_every_key_of_the_current_screen(services: Services, home: Path) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.logged_in(user)
        await press_key(pilot, "5")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "On Account" in screen_text(app)
        on_account = help_rows(app, "screen-keys")
        assert {
            ("e", "Address"),
            ("p", "Password"),
            ("c", "Question"),
            ("l", "Log out"),
        } <= on_account
        everywhere = help_rows(app, "app-keys")
        for expected in [
            ("1", "Shop"),
            ("2", "Cart"),
            ("3", "Wishlist"),
            ("4", "Orders"),
            ("5", "Account"),
            ("/", "Search"),
            ("?", "Help"),
            ("esc", "Back"),
            ("q / ^c / ^q", "Quit"),  # ctrl+q too (PRODUCT.md; shown where q is text)
        ]:
            assert expected in everywhere, expected
        assert any(key == "ctrl+p" for key, _ in everywhere)
        await pilot.press("question_mark")  # ? again closes it
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)

        app.log_out()
        await settle(pilot)
        await press_key(pilot, "5")
        await pilot.pause()
        app.screen.set_focus(None)  # in the email box "?" would be typed
        await pilot.press("question_mark")
        await pilot.pause()
        assert {("^r", "Register"), ("^f", "Forgot password")} <= help_rows(app, "screen-keys")
        await pilot.press("escape", "1", "question_mark")
        await pilot.pause()
        assert ("^y", "Accept the privacy policy") in help_rows(
            app, "screen-keys"
        )  # the notice is up


async def test_number_keys_escape_and_quit(services: Services, home: Path) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.navigate("about")
        await pilot.pause()
        app.navigate("privacy")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AboutScreen)
        await press_key(pilot, "1")
        await pilot.pause()
        assert isinstance(app.screen, ShopScreen) and len(app.screen_stack) == 1
        await pilot.press("escape")  # nothing to go back to: stays
        await pilot.pause()
        assert isinstance(app.screen, ShopScreen)
        await press_key(pilot, "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_slash_goes_to_the_shop_and_focuses_its_search_box(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.navigate("about")
        await pilot.pause()
        await pilot.press("slash")
        for _ in range(20):
            await pilot.pause()
            if app.focused is not None and app.focused.id == "search":
                break
        assert isinstance(app.screen, ShopScreen)
        assert app.focused is not None and app.focused.id == "search"


# -- the too-small notice and the narrow layout ------------------------------------------------


async def test_too_small_notice_comes_and_goes_with_the_window(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await pilot.pause()
        email = app.screen.query_one("#email", Input)
        assert app.screen.focused is email
        notice = app.screen.query_one(TooSmall)
        assert not notice.display
        assert app.screen.has_class("-narrow")

        await pilot.resize_terminal(59, 24)
        await pilot.pause()
        assert notice.display and notice.has_focus
        assert "too small" in str(notice.render())
        await pilot.press("a", "b", "1", "escape")  # swallowed: nothing typed, nowhere gone
        await pilot.pause()
        assert email.value == "" and isinstance(app.screen, LoginScreen)

        await pilot.resize_terminal(80, 19)
        await pilot.pause()
        assert notice.display

        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not notice.display
        assert app.screen.focused is email  # the focus comes back
        assert app.screen.has_class("-wide")


async def test_a_screen_opened_while_too_small_shows_the_notice_too(
    services: Services, home: Path
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(50, 15)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(TooSmall).display
        app.navigate("about")
        await pilot.pause()
        assert app.screen.query_one(TooSmall).display
        await press_key(pilot, "q")
        await pilot.pause()
    assert app.return_code == 0


# -- command palette and themes ----------------------------------------------------------------


async def palette(pilot: Pilot[Any], query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert CommandPalette.is_open(pilot.app)
    pilot.app.screen.query_one(Input).value = query
    await pilot.pause()
    await settle(pilot)  # every provider has answered (products in a thread)


async def pick_first(pilot: Pilot[Any]) -> None:
    """Highlight the best hit and run it, as `down` then `enter` do."""
    await pilot.press("down", "enter")
    await pilot.pause()
    await pilot.pause()


def palette_prompts(app) -> list[str]:  # type: ignore[no-untyped-def]
    options = app.screen.query_one("CommandList")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_palette_goes_to_screens_opens_products_logs_out_and_switches_theme(
    services: Services, home: Path
) -> None:
    user = register(services)
    app = make_app(services, home)
    opened = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette(pilot, "go to about")
        await pick_first(pilot)
        assert isinstance(app.screen, AboutScreen)

        await palette(pilot, "theme: high contrast")
        await pick_first(pilot)
        assert app.theme == "buynow-high-contrast"

        real_navigate = app.navigate
        app.navigate = lambda path: opened.append(path) or real_navigate(path)  # type: ignore[method-assign]
        watch = product_named(services, "Smart Watch")
        await palette(pilot, "smart watch")
        prompts = palette_prompts(app)
        assert prompts[0].startswith("Open Smart Watch")
        await pick_first(pilot)
        assert opened[-1] == f"product/{watch.id}"
        app.navigate = real_navigate  # type: ignore[method-assign]

        app.logged_in(user)
        await pilot.pause()
        await palette(pilot, "log out")
        await pick_first(pilot)
        await settle(pilot)
        assert app.user is None


async def test_palette_shows_a_product_named_like_markup_as_text(
    services: Services, home: Path
) -> None:
    from buynow_tui.store.catalog import ProductInput

    services.catalog.add(
        ProductInput.build(
            sku="MARKUP-1",
            name="[bold red]Zapper[/",
            category="Audio",
            price="10",
            stock="3",
            description="",
        )
    )
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette(pilot, "zapper")
        prompts = palette_prompts(app)
        assert any("Open [bold red]Zapper[/" in prompt for prompt in prompts)


async def test_themes_default_and_high_contrast(services: Services, home: Path) -> None:
    app = make_app(services, home, theme=None)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert "buynow-high-contrast" in app.available_themes
    pinned = make_app(services, home, theme="buynow-high-contrast")
    async with pinned.run_test() as pilot:
        assert pinned.current_theme.name == "buynow-high-contrast"


async def test_no_color_is_respected_and_states_stay_in_words(
    services: Services, home: Path
) -> None:
    app = make_app(services, home, no_color=True)
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.no_color
        await press_key(pilot, "5")
        await pilot.pause()
        remember = app.screen.query_one("#remember")
        assert "X" not in str(remember.render())  # unticked: an empty box, not a grey X
        remember.value = True
        await pilot.pause()
        assert "X" in str(remember.render())


# -- About and Account --------------------------------------------------------------------------


def test_uptime_in_words() -> None:
    assert uptime_words(timedelta(0)) == "0 seconds"
    assert uptime_words(timedelta(seconds=1)) == "1 second"
    assert uptime_words(timedelta(minutes=1, seconds=5)) == "1 minute and 5 seconds"
    assert uptime_words(timedelta(days=2, hours=1, seconds=3)) == "2 days, 1 hour and 3 seconds"


async def test_about_ticks_from_the_apps_launch(services: Services, home: Path) -> None:
    now = [FIXED_NOW]
    app = make_app(services, home, now=now)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.navigate("about")
        await pilot.pause()
        uptime = app.screen.query_one("#uptime")
        assert str(uptime.render()) == "0 seconds"
        assert "Wednesday 25 November 2026, 12:00:00 UTC" in screen_text(app)
        now[0] += timedelta(hours=1, seconds=2)
        await wait_for(pilot, lambda: str(uptime.render()) == "1 hour and 2 seconds")  # a tick


async def test_about_over_ssh_shows_the_servers_launch(services: Services, home: Path) -> None:
    started = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    env = {**SSH, "BUYNOW_SERVER_STARTED": started.isoformat()}
    app = make_app(services, home, environ=env, open_path="about")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert "Friday 20 November 2026, 08:30:00 UTC" in screen_text(app)
        assert str(app.screen.query_one("#uptime").render()) == "5 days, 3 hours and 30 minutes"
        assert "the shop's SSH server" in screen_text(app)


async def test_account_shows_who_you_are_but_never_the_answer(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    user = register(services, answer="Rex the dog")
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.logged_in(user)
        await press_key(pilot, "5")
        await pilot.pause()
        text = screen_text(app)
        for shown in [
            str(user.id),
            "ann",
            "ann@example.com",
            "What is the name of your pet?",
            "25 November 2026",
            "Not set yet",
        ]:
            assert shown in text, shown
        assert "rex" not in text.lower()


async def test_account_edits_address_and_question(services: Services, home: Path) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.logged_in(user)
        await press_key(pilot, "5")
        await pilot.pause()

        await pilot.press("e")
        await pilot.pause()
        area = app.screen.query_one("#address")
        area.text = "1 Main Street\n\x1b[31mSpringfield"
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert app.user.ship_address == "1 Main Street\n[31mSpringfield"
        assert "1 Main Street" in str(app.screen.query_one("#detail-address").render())

        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#question").value = "food"
        await fill(pilot, "#answer", "Soup")
        await fill(pilot, "#current_password", "wrong")
        await pilot.press("enter")
        await settle(pilot)
        assert (
            app.screen.query_one("#current_password").parent.problem
            == "Your password is incorrect."
        )
        await fill(pilot, "#current_password", "correct horse")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AccountScreen)
        assert "favourite food" in str(app.screen.query_one("#detail-question").render())
    assert services.accounts.get(user.id).question == "food"


async def test_dialog_escape_changes_nothing(services: Services, home: Path) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.logged_in(user)
        await press_key(pilot, "5")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#address").text = "Somewhere"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
    assert services.accounts.get(user.id).ship_address is None


# -- layering ---------------------------------------------------------------------------------


def _imports(code: str, module: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", code + f"\nimport sys; print({module!r} in sys.modules)"],
        cwd=Path(__file__).parents[1],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


def test_screens_never_import_peewee_and_the_store_never_imports_textual() -> None:
    screens = (
        "import importlib, pkgutil\n"
        "import buynow_tui.screens as screens\n"
        "for info in pkgutil.iter_modules(screens.__path__):\n"
        "    importlib.import_module('buynow_tui.screens.' + info.name)\n"
        "import buynow_tui.app, buynow_tui.commands, buynow_tui.widgets.consent"
    )
    assert not _imports(screens, "peewee")
    assert not _imports("import buynow_tui.store.services", "textual")


async def test_remembering_again_replaces_the_old_token(services: Services, home: Path) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        for _ in range(2):
            signed_in = await asyncio.to_thread(
                app.sign_in, "ann@example.com", "correct horse", True
            )
            app.logged_in(signed_in.user, remembered=signed_in.remembered, token=signed_in.token)
            await settle(pilot)
            if _ == 0:
                first = Paths(home).token_file.read_text().strip()
        second = Paths(home).token_file.read_text().strip()
    assert first != second
    assert services.accounts.resolve_token(first) is None
    assert services.accounts.resolve_token(second).id == user.id
