"""The four log files: the right levels in each, one line per event, user text escaped,
and never a password, answer or token."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from buynow_tui.store.errors import AuthError, NotFound
from buynow_tui.store.services import Services
from tests.support.store import register

LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \| (INFO|WARNING|ERROR|CRITICAL)"
    r" \| buynow[\w.]* \| .* \| .*$"
)
LOG_FILES = ("all.log", "info.log", "warning.log", "error.log")


def read(home: Path, name: str) -> str:
    return (home / "logs" / name).read_text(encoding="utf-8")


def every_log(home: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in sorted((home / "logs").iterdir())
    )


def levels(home: Path, name: str) -> set[str]:
    return {line.split(" | ")[1] for line in read(home, name).splitlines()}


def test_each_file_holds_its_levels_and_every_line_is_well_formed(
    services: Services, home: Path
) -> None:
    from buynow_tui.logs import get_logger

    register(services)
    with pytest.raises(AuthError):
        services.accounts.authenticate("ann@example.com", "wrong password")
    get_logger("test").error("the disk caught fire")

    for name in LOG_FILES:
        for line in read(home, name).splitlines():
            assert LINE.match(line), line
    assert levels(home, "info.log") == {"INFO"}
    assert levels(home, "warning.log") == {"WARNING"}
    assert levels(home, "error.log") == {"ERROR"}
    assert levels(home, "all.log") == {"INFO", "WARNING", "ERROR"}
    all_lines = read(home, "all.log").splitlines()
    assert len(all_lines) == sum(
        len(read(home, n).splitlines()) for n in ("info.log", "warning.log", "error.log")
    )


def test_lines_name_the_user_or_someone(services: Services, home: Path) -> None:
    register(services, username="ann")
    with pytest.raises(AuthError):
        services.accounts.authenticate("nobody@example.com", "wrong password")
    registered = next(line for line in read(home, "info.log").splitlines() if "registered" in line)
    assert registered.split(" | ")[3] == "ann"
    failed = next(
        line for line in read(home, "warning.log").splitlines() if "failed log in" in line
    )
    assert failed.split(" | ")[3] == "someone"


def test_the_events_an_admin_looks_for_are_logged(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    from tests.support.store import product_named

    user = register(services)
    services.accounts.authenticate("ann@example.com", "correct horse")
    for _ in range(5):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", "wrong password")
    frozen_clock[0] += timedelta(minutes=15)
    services.accounts.reset_password("ann@example.com", "rex", "brand new secret")
    watch = product_named(services, "Smart Watch")
    services.cart.add(user.id, watch.id, 1)
    services.wishlist.add(user.id, watch.id)
    order = services.orders.checkout(user.id, ship_address="1 Main St")
    with pytest.raises(NotFound):
        services.catalog.get(999_999)
    with pytest.raises(NotFound):
        services.orders.detail(user.id, order.id + 1)

    info, warning = read(home, "info.log"), read(home, "warning.log")
    for words in (
        "registered",
        "logged in",
        "password reset",
        "to cart",
        "to wishlist",
        f"order {order.id} placed",
    ):
        assert words in info, words
    for words in (
        "failed log in",
        "locked",
        "product 999999 not found",
        f"order {order.id + 1} not found",
    ):
        assert words in warning, words


def test_control_characters_in_user_text_are_escaped(services: Services, home: Path) -> None:
    """A crafted username or deep link cannot forge log lines or colour an admin's terminal."""
    from buynow_tui.logs import get_logger

    user = register(services, username="eve\x1b[31m\nINFO | forged")
    assert "\x1b" not in user.username and "\n" not in user.username
    with pytest.raises(NotFound):
        services.catalog.get("7\x1b[2J\nERROR | forged")  # type: ignore[arg-type]  # e.g. from a deep link
    get_logger("test").warning(
        "shopper typed %s", "x\x1b[31m\ry\u2028z", extra={"user": "mallory\x1b[31m\n"}
    )

    for name in LOG_FILES:
        text = read(home, name)
        assert "\x1b" not in text and "\r" not in text and "\u2028" not in text
        for line in text.splitlines():
            assert LINE.match(line), line
            assert not line.startswith(("INFO", "ERROR"))
    warning = read(home, "warning.log")
    assert "7\\x1b[2J\\nERROR \\x7c forged" in warning  # "|" escaped too: no forged column
    forged = next(line for line in warning.splitlines() if "shopper typed" in line)
    assert forged.split(" | ")[3] == "mallory\\x1b[31m\\n"
    assert forged.endswith("shopper typed x\\x1b[31m\\ry\\x2028z")


def test_an_exception_traceback_stays_on_one_line(services: Services, home: Path) -> None:
    from buynow_tui.logs import get_logger

    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        get_logger("test").exception("something broke")
    lines = [line for line in read(home, "error.log").splitlines() if line]
    assert len(lines) == 1
    assert (
        "something broke" in lines[0]
        and "Traceback" in lines[0]
        and "boom\\nsecond line" in lines[0]
    )


def test_no_password_answer_or_token_in_any_log(
    services: Services, home: Path, frozen_clock: list[datetime]
) -> None:
    password, wrong, new, newer = (
        "Canary-Pass-111",
        "Canary-Wrong-222",
        "Canary-New-333",
        "Canary-Newer-444",
    )
    answer = "Canary Answer Quokka"
    user = register(services, password=password, answer=answer)
    services.accounts.authenticate("ann@example.com", password)
    with pytest.raises(AuthError):
        services.accounts.authenticate("ann@example.com", wrong)
    token = services.accounts.issue_token(user.id)
    services.accounts.resolve_token(token)
    services.accounts.remember_key(user.id, "SHA256:canary-fingerprint")
    services.accounts.revoke_token(token)
    with pytest.raises(AuthError):
        services.accounts.reset_password("ann@example.com", "Canary Wrong Answer", new)
    services.accounts.reset_password("ann@example.com", answer, new)
    services.accounts.change_password(user.id, new, newer)
    services.accounts.change_question(user.id, newer, "food", "Canary Food Answer")
    for _ in range(6):
        with pytest.raises(AuthError):
            services.accounts.authenticate("ann@example.com", wrong)

    logged = every_log(home)
    assert "ann" in logged  # the logs really saw all this
    for secret in (
        password,
        wrong,
        new,
        newer,
        answer,
        answer.lower(),
        "Canary Wrong Answer",
        "canary wrong answer",
        "Canary Food Answer",
        "canary food answer",
        token,
    ):
        assert secret not in logged, secret


def test_log_files_rotate(tmp_path: Path) -> None:
    from buynow_tui.logs import get_logger, setup_logging

    setup_logging(tmp_path, max_bytes=2_000, backups=2)
    for n in range(200):
        get_logger("test").info("line %d with some padding to fill the file", n)
    names = {p.name for p in tmp_path.iterdir()}
    assert {"all.log", "all.log.1", "all.log.2"} <= names
    assert "all.log.3" not in names
    assert (tmp_path / "all.log").stat().st_size <= 2_000
