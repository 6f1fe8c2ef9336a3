"""The account flows as a shopper goes through them: register, log in, lockout, reset."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, Select

from buynow_tui.screens.account import AccountScreen
from buynow_tui.screens.login import LoginScreen
from buynow_tui.screens.register import RegisterScreen
from buynow_tui.screens.reset_password import ResetPasswordScreen
from buynow_tui.widgets.form import Field, FormStatus
from tests.support.app import (
    fill,
    header_text,
    make_app,
    press_key,
    screen_text,
    settle,
    type_text,
)
from tests.support.store import register


def field_problem(app, field_id: str) -> str | None:  # type: ignore[no-untyped-def]
    return app.screen.query_one(f"#{field_id}", Field).problem


def status(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(FormStatus).render())


async def open_register(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await press_key(pilot, "5")
    await pilot.pause()
    assert isinstance(pilot.app.screen, LoginScreen)
    await pilot.press("ctrl+r")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RegisterScreen)


async def log_in(pilot, email: str, password: str, *, remember: bool = False) -> None:  # type: ignore[no-untyped-def]
    await fill(pilot, "#email", email)
    await fill(pilot, "#password", password)
    if remember:
        pilot.app.screen.query_one("#remember").value = True
    await pilot.press("enter")
    await settle(pilot)


# -- register -----------------------------------------------------------------------


async def test_register_shows_each_fields_own_message_then_logs_in(
    services, home, frozen_clock
) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_register(pilot)

        await fill(pilot, "#email", "ann@", typed=True)
        assert (
            field_problem(app, "email-field")
            == "Enter a valid email address, like name@example.com."
        )
        await fill(pilot, "#username", "x" * 33)
        assert field_problem(app, "username-field") == "A username is at most 32 characters."
        await fill(pilot, "#password", "short", typed=True)
        assert field_problem(app, "password-field") == "A password needs at least 8 characters."
        await fill(pilot, "#password", "é" * 37)  # 37 characters, 74 bytes
        assert "at most 72 bytes" in (field_problem(app, "password-field") or "")
        await fill(pilot, "#answer", "  ")
        await pilot.press("tab")  # leaving it
        assert field_problem(app, "answer-field") == "Enter an answer to your security question."

        # Submitting shows the rest: no question chosen, the box not ticked.
        app.screen.submit()
        await pilot.pause()
        assert field_problem(app, "question-field") == "Choose a security question."
        assert "Tick the box" in str(app.screen.query_one("#agree-message").render())
        assert app.user is None

        # Fixing a field takes its message away as you type.
        await fill(pilot, "#email", "ann@example.com")
        assert field_problem(app, "email-field") is None
        await fill(pilot, "#username", "ann")
        await fill(pilot, "#password", "correct horse")
        assert field_problem(app, "password-field") is None
        await fill(pilot, "#password2", "correct horse")
        app.screen.query_one("#question", Select).value = "pet"
        await fill(pilot, "#answer", "Rex")
        app.screen.query_one("#agree").value = True
        await pilot.pause()
        app.screen.query_one("#register").press()  # (below the fold at 100x40 now)
        await settle(pilot)

        assert app.user is not None and app.user.username == "ann"
        assert isinstance(app.screen, AccountScreen)  # where "5" was taking them
        assert "@ann" in header_text(app)
        assert app.consent_needed is False  # registering is agreeing


async def test_register_duplicate_email_says_so_under_the_email(services, home) -> None:
    register(services, email="ann@example.com")
    app = make_app(services, home)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_register(pilot)
        await fill(pilot, "#email", "ANN@example.com")
        await fill(pilot, "#username", "another ann")
        await fill(pilot, "#password", "correct horse")
        await fill(pilot, "#password2", "correct horse")
        app.screen.query_one("#question", Select).value = "food"
        await fill(pilot, "#answer", "soup")
        app.screen.query_one("#agree").value = True
        app.screen.submit()
        await settle(pilot)
        assert field_problem(app, "email-field") == "An account with this email already exists."
        assert app.user is None
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.focused is app.screen.query_one("#email", Input)


# -- log in and lockout ---------------------------------------------------------------


async def test_wrong_password_and_unknown_email_get_the_same_message(
    services, home, frozen_clock
) -> None:
    register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await log_in(pilot, "ann@example.com", "wrong password")
        wrong_password = status(app)
        await log_in(pilot, "nobody@example.com", "correct horse")
        unknown_email = status(app)
        assert wrong_password == unknown_email == "Email or password is incorrect."
        assert app.user is None
        assert app.screen.query_one("#password", Input).value == ""


async def test_sixth_try_within_fifteen_minutes_is_locked_until_a_time(
    services, home, frozen_clock
) -> None:
    register(services)
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        messages = []
        for _ in range(5):
            frozen_clock[0] += timedelta(minutes=1)
            await log_in(pilot, "ann@example.com", "wrong password")
            messages.append(status(app))
        assert messages[:4] == ["Email or password is incorrect."] * 4
        # The sixth try, with the right password, still within 15 minutes:
        frozen_clock[0] += timedelta(minutes=1)
        await log_in(pilot, "ann@example.com", "correct horse")
        assert app.user is None
        # Five failures from 12:01 to 12:05: locked until 15 minutes after the last.
        assert status(app) == "Too many failed attempts. This account is locked until 12:20."
        # Once it lifts, the right password works.
        frozen_clock[0] += timedelta(minutes=15)
        await log_in(pilot, "ann@example.com", "correct horse")
        assert app.user is not None


async def test_log_in_keeps_answering_keys_while_bcrypt_runs(services, home) -> None:
    """The check runs in a worker: the screen says so and the button cannot be pressed twice."""
    import threading

    register(services)
    gate = threading.Event()
    real = services.accounts.authenticate

    def slow_authenticate(email: str, password: str):  # type: ignore[no-untyped-def]
        gate.wait(30)
        return real(email, password)

    services.accounts.authenticate = slow_authenticate
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await fill(pilot, "#email", "ann@example.com")
        await fill(pilot, "#password", "correct horse")
        await pilot.press("enter")
        await pilot.pause()
        button = app.screen.query_one("#login")
        assert button.disabled and str(button.label) == "Logging in…"
        assert status(app) == "Checking your password…"
        await pilot.press("tab", "shift+tab")  # the UI still answers
        await pilot.pause()
        gate.set()
        await settle(pilot)
        assert app.user is not None


# -- reset password -------------------------------------------------------------------


async def test_reset_password_email_then_question_then_answer(services, home, frozen_clock) -> None:
    user = register(services)
    old_token = services.accounts.issue_token(user.id)
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await fill(pilot, "#email", "ann@example.com")
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, ResetPasswordScreen)
        assert app.screen.query_one("#email", Input).value == "ann@example.com"
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.screen.query_one("#question").render()) == "What is the name of your pet?"

        await fill(pilot, "#answer", "Fido")
        await fill(pilot, "#new_password", "brand new horse")
        await pilot.press("enter")
        await settle(pilot)
        assert status(app) == "That answer does not match our records."

        await fill(pilot, "#answer", "  REX ")
        await fill(pilot, "#new_password", "brand new horse")
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#email", Input).value == "ann@example.com"
        assert "Your password has been changed" in status(app)
        await fill(pilot, "#password", "brand new horse")
        await pilot.press("enter")
        await settle(pilot)
        assert app.user is not None and app.user.id == user.id
    assert services.accounts.resolve_token(old_token) is None  # a reset revokes them all


async def test_reset_for_an_unknown_email_looks_the_same(services, home) -> None:
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.navigate("reset")
        await pilot.pause()
        await fill(pilot, "#email", "nobody@example.com")
        await pilot.press("enter")
        await settle(pilot)
        question = str(app.screen.query_one("#question").render())
        assert question.endswith("?")
        await fill(pilot, "#answer", "anything")
        await fill(pilot, "#new_password", "brand new horse")
        await pilot.press("enter")
        await settle(pilot)
        assert status(app) == "That answer does not match our records."


# -- text is text ---------------------------------------------------------------------


async def test_markup_and_escape_codes_in_a_username_show_harmlessly(services, home) -> None:
    from dataclasses import replace

    user = register(services, username="[bold red]x[/")
    app = make_app(services, home)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await log_in(pilot, "ann@example.com", "correct horse")
        assert "@[bold red]x[/" in header_text(app)
        assert "[bold red]x[/" in screen_text(app)  # the Account screen lists it as typed

        # A name that somehow holds an escape sequence never reaches the terminal.
        app.user = replace(user, username="\x1b[31mevil\x1b[0m")
        await pilot.pause()
        shown = header_text(app)
        assert "\x1b" not in shown and "evil" in shown
        assert "\x1b" not in screen_text(app)
        assert "evil" in app.export_screenshot()


async def test_letter_keys_type_into_a_text_box(services, home) -> None:
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await pilot.pause()
        await type_text(pilot, "q12345?/")
        assert isinstance(app.screen, LoginScreen)
        assert app.screen.query_one("#email", Input).value == "q12345?/"


async def test_an_unexpected_failure_is_one_line_in_the_form_not_a_stuck_button(
    services, home
) -> None:
    def broken(email: str, password: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("database is locked")

    services.accounts.authenticate = broken
    app = make_app(services, home)
    async with app.run_test() as pilot:
        await settle(pilot)
        await press_key(pilot, "5")
        await fill(pilot, "#email", "ann@example.com")
        await fill(pilot, "#password", "correct horse")
        await pilot.press("enter")
        await settle(pilot)
        assert status(app) == "The shop is busy. Please try again."
        button = app.screen.query_one("#login")
        assert not button.disabled and str(button.label) == "Log in"
    assert "database is locked" in (home / "logs" / "error.log").read_text()
