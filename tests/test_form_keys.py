"""Forms: enter on a checkbox submits (space ticks), Register asks for the password
twice and can show it, and moving between Log in and Register keeps the email."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Select

from buynow_tui.paths import Paths
from buynow_tui.screens.login import LoginScreen
from buynow_tui.screens.register import RegisterScreen
from buynow_tui.widgets.form import Field, TickBox
from tests.support.app import fill, make_app, press_key, settle
from tests.support.store import register


async def to_login(pilot: Any) -> LoginScreen:
    await settle(pilot)
    await press_key(pilot, "5")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, LoginScreen)
    return screen


async def test_enter_on_ticked_remember_me_logs_in_and_remembers(services: Any, home: Any) -> None:
    user = register(services)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        login = await to_login(pilot)
        await fill(pilot, "#email", "ann@example.com")
        await fill(pilot, "#password", "correct horse")
        box = login.query_one("#remember", TickBox)
        box.focus()
        await pilot.pause()
        await pilot.press("space")  # space ticks
        assert box.value is True
        await pilot.press("enter")  # enter submits, and leaves it ticked
        assert box.value is True
        await settle(pilot)
        assert app.user is not None and app.user.id == user.id
        assert Paths(home).token_file.exists()  # remembered


async def test_enter_on_unticked_remember_me_logs_in_without_remembering(
    services: Any, home: Any
) -> None:
    register(services)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        login = await to_login(pilot)
        await fill(pilot, "#email", "ann@example.com")
        await fill(pilot, "#password", "correct horse")
        login.query_one("#remember", TickBox).focus()
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.user is not None
        assert not Paths(home).token_file.exists()


async def fill_register(pilot: Any, *, again: str = "correct horse") -> None:
    await fill(pilot, "#email", "ann@example.com")
    await fill(pilot, "#username", "ann")
    await fill(pilot, "#password", "correct horse")
    await fill(pilot, "#password2", again)
    pilot.app.screen.query_one("#question", Select).value = "pet"
    await fill(pilot, "#answer", "Rex")


async def test_enter_on_i_agree_registers(services: Any, home: Any) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_login(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        await fill_register(pilot)
        agree = app.screen.query_one("#agree", TickBox)
        agree.focus()
        await pilot.pause()
        await pilot.press("space", "enter")
        await settle(pilot)
        assert app.user is not None and app.user.username == "ann"


async def test_register_asks_for_the_password_twice_and_can_show_it(
    services: Any, home: Any
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_login(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        await fill_register(pilot, again="correct hose")
        assert screen.query_one("#password2-field", Field).problem == (
            "The two passwords are not the same."
        )
        screen.query_one("#agree", TickBox).value = True
        screen.submit()
        await settle(pilot)
        assert app.user is None  # not registered with a password typed two ways
        assert app.focused is screen.query_one("#password2", Input)
        # Show the password: both boxes show it; ticking again hides it.
        assert screen.query_one("#password", Input).password
        show = screen.query_one("#show-password", TickBox)
        show.focus()
        await pilot.press("space")
        assert not screen.query_one("#password", Input).password
        assert not screen.query_one("#password2", Input).password
        await pilot.press("space")
        assert screen.query_one("#password", Input).password
        await fill(pilot, "#password2", "correct horse")
        assert screen.query_one("#password2-field", Field).problem is None
        screen.submit()
        await settle(pilot)
        assert app.user is not None


async def test_moving_between_log_in_and_register_keeps_the_email(services: Any, home: Any) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_login(pilot)
        await fill(pilot, "#email", "ann@example.com")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.query_one("#email", Input).value == "ann@example.com"
        await fill(pilot, "#email", "bob@example.com")
        await pilot.press("ctrl+l")  # Log in instead
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#email", Input).value == "bob@example.com"
        assert app.focused is app.screen.query_one("#password", Input)


async def test_ctrl_u_after_a_focus_change_keeps_the_keys_typed_after_it(
    services: Any, home: Any
) -> None:
    """ctrl+u (clear to the start) with keys arriving together: it clears what was
    there, never the characters typed after it."""
    from tests.test_shop_keys import burst

    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        login = await to_login(pilot)
        burst(app, *"ann@example.com", "tab", "ctrl+u", *"abc")
        await settle(pilot)
        assert login.query_one("#email", Input).value == "ann@example.com"
        assert login.query_one("#password", Input).value == "abc"
        burst(app, "shift+tab", "ctrl+u", *"bob", "backspace", "x")
        await settle(pilot)
        assert login.query_one("#email", Input).value == "box"
