"""The web session contract: each browser is its own shopper.

A real `buynow web`, real headless Chromium profiles (Selenium) and real aiohttp
clients on loopback; the app's half through Textual pilots. A browser's cookie holds
a random id; the tab's app is told only its SHA-256; Remember me and the consent it
gave while anonymous are kept per browser in the store, never in files.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from buynow_tui.widgets.form import TickBox
from tests.support.app import make_app, press_key, settle
from tests.support.cli import subprocess_env
from tests.support.repo import ROOT
from tests.support.ssh import cmdline_of, environ_of, sessions_of, wait_for
from tests.support.store import register
from tests.support.web import (
    WebServer,
    browser,
    press_ctrl,
    screen,
    start_web,
    type_keys,
    wait_screen,
    web_argv,
)

SHOP = ("Search by name or price", "10-inch Family Tablet")
EMAIL, PASSWORD = "ann@example.com", "correct horse"
COOKIE = "buynow_client"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[WebServer]:
    web = start_web(tmp_path, "--connections-per-minute", "1000")
    yield web
    web.stop()


def add_ann(home: Path) -> None:
    """Ann's account, made through the store beside the running server."""
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths
    from buynow_tui.store.db import close_db

    try:
        register(open_store(Paths(home)).services)
    finally:
        close_db()


def sql(home: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "buynow.db", timeout=10) as db:
        return list(db.execute(query))


def remembered_browsers(home: Path) -> int:
    return int(sql(home, "SELECT count(*) FROM remember_token WHERE kind = 'web'")[0][0])


def cookie_of(driver: WebDriver) -> str:
    found = driver.get_cookie(COOKIE)
    assert found is not None
    return str(found["value"])


def shop_after_recall(driver: WebDriver, url: str) -> str:
    """Open the page, and the Shop as it is once the app has looked for this browser's
    login and consent: a deep link opens only after that look-up, so open About and
    go back."""
    driver.get(url + "/about")
    wait_screen(driver, "About BuyNow")
    type_keys(driver, Keys.ESCAPE)
    return wait_screen(driver, *SHOP)


def log_in_with_remember_me(driver: WebDriver) -> None:
    """Through the form, key by key as a person types, each once the screen shows it."""
    type_keys(driver, Keys.TAB, "5")  # out of the Shop's search box, then Log in
    wait_screen(driver, "Remember me in this browser for 30 days")
    for _ in range(20):  # the field takes focus a moment after the form is drawn
        type_keys(driver, EMAIL)
        try:
            wait_screen(driver, EMAIL, timeout=1.0)
            break
        except AssertionError:
            press_ctrl(driver, "u")
    type_keys(driver, Keys.TAB, PASSWORD)
    wait_screen(driver, "•" * len(PASSWORD))
    type_keys(driver, Keys.TAB, " ")
    wait_screen(driver, "X▌ Remember me")  # ticked
    # Back to the password (enter on the box would untick it), then log in.
    ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    type_keys(driver, Keys.ENTER)
    wait_screen(driver, "@ann")


def test_two_browsers_at_once_each_have_their_own_login_and_consent(server: WebServer) -> None:
    home = server.home
    add_ann(home)
    with browser() as first, browser() as second:
        for driver in (first, second):
            shown = shop_after_recall(driver, server.url)
            assert "Read policy" in shown and "@ann" not in shown
        assert cookie_of(first) != cookie_of(second)

        # The first accepts the notice while anonymous: the second still has it.
        press_ctrl(first, "y")
        wait_for(lambda: "Read policy" not in screen(first), 10, "the notice to go")
        wait_for(lambda: sql(home, "SELECT client_hash FROM web_client"), 10, "the consent")
        assert sql(home, "SELECT client_hash FROM web_client") == [(sha256(cookie_of(first)),)]
        assert "Read policy" in shop_after_recall(second, server.url)

        # The first logs in with Remember me; a reload (a new tab, a new app) is still Ann.
        log_in_with_remember_me(first)
        wait_for(lambda: remembered_browsers(home) == 1, 10, "the browser to be remembered")
        first.refresh()  # the page at /about, from `shop_after_recall`
        wait_screen(first, "About BuyNow", "@ann")
        type_keys(first, Keys.ESCAPE)
        assert "Read policy" not in wait_screen(first, *SHOP)
        shown = shop_after_recall(second, server.url)  # the other is still anonymous
        assert "@ann" not in shown and "Read policy" in shown

        # Log out, then reload: not logged in; the browser's consent stays.
        type_keys(first, Keys.TAB, "5")  # out of the Shop's search box, then Account
        wait_screen(first, "Log out")
        type_keys(first, "l")
        wait_for(lambda: remembered_browsers(home) == 0, 10, "the browser to be forgotten")
        first.get(server.url + "/account")  # opens once the app has looked: Log in
        assert "@ann" not in wait_screen(first, "Remember me in this browser")
        shown = shop_after_recall(first, server.url)
        assert "@ann" not in shown and "Read policy" not in shown

        tokens = [cookie_of(driver) for driver in (first, second)]
    server.wait_no_tabs()

    # No token or settings file for any tab; the cookie's id nowhere in the database.
    assert not (home / "config" / "remember.token").exists()
    assert not (home / "config" / "settings.json").exists()
    stored = b"".join(path.read_bytes() for path in home.glob("buynow.db*"))
    assert sha256(tokens[0]).encode() in stored
    for token in tokens:
        assert token.encode() not in stored
    log = server.log()
    assert f"browser #{sha256(tokens[0])[:8]}" in log and f"browser #{sha256(tokens[1])[:8]}" in log
    assert all(token not in log for token in tokens)


# -- the cookie and what the tab's app is told -------------------------------------------


SET_COOKIE = re.compile(r"^(?P<name>[^=]+)=(?P<value>[^;]*)(?P<flags>.*)$")


async def page_cookie(url: str) -> tuple[str, str, list[str]]:
    """The page's Set-Cookie: (name, value, its attributes)."""
    async with (
        aiohttp.ClientSession() as client,
        client.get(url + "/", allow_redirects=False) as response,
    ):
        assert response.status == 200
        headers = response.headers.getall("Set-Cookie")
    assert len(headers) == 1, headers
    match = SET_COOKIE.match(headers[0])
    assert match is not None
    flags = [part.strip().lower() for part in match["flags"].split(";") if part.strip()]
    return match["name"], match["value"], sorted(flags)


async def test_the_cookie_is_httponly_strict_for_30_days(server: WebServer) -> None:
    name, value, flags = await page_cookie(server.url)
    assert name == COOKIE
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)  # 256 random bits
    assert flags == ["httponly", "max-age=2592000", "path=/", "samesite=strict"]
    again = await page_cookie(server.url)
    assert again[1] != value  # a browser without one gets its own


def exec_environment(web: WebServer) -> dict[str, str]:
    """The environment of the server's one exec'd tab app, once it has exec'd (before,
    /proc shows the server's own)."""

    def execed() -> dict[str, str] | None:
        apps = sessions_of(web.proc.pid)
        env = environ_of(apps[0]) if len(apps) == 1 else {}
        return env if env.get("BUYNOW_WEB") == "1" else None

    found: dict[str, str] = wait_for(execed, 20, "the tab's app to start")
    return found


async def test_with_an_https_public_url_the_cookie_is_secure_and_the_app_gets_its_hash(
    tmp_path: Path,
) -> None:
    """Behind TLS the cookie is `Secure` (and `__Host-`, so no other host can plant
    one). The tab's app is told the id's hash, never the id (seen here with tabs
    exec'd: a forked tab's /proc environ is the fork server's)."""
    public = "https://shop.example"
    web = start_web(tmp_path, "--public-url", public, "--spawn", "exec")
    try:
        name, value, flags = await page_cookie(web.url)
        assert name == "__Host-" + COOKIE
        assert flags == ["httponly", "max-age=2592000", "path=/", "samesite=strict", "secure"]
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(web.ws_url, origin=public, headers={"Cookie": f"{name}={value}"}),
        ):
            env = exec_environment(web)
            apps = sessions_of(web.proc.pid)
            assert env["BUYNOW_WEB_CLIENT"] == sha256(value)
            assert value not in " ".join([*env.values(), *cmdline_of(apps[0])])
        web.wait_no_tabs()
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(web.ws_url, origin=public, headers={"Cookie": f"{name}=forged"}),
        ):
            assert exec_environment(web)["BUYNOW_WEB_CLIENT"] == ""  # not an id: no browser
        web.wait_no_tabs()
        assert "(exec)" in web.log() and "(forked)" not in web.log()
    finally:
        web.stop()


# -- `buynow web` itself -----------------------------------------------------------------------


def test_buynow_web_starts_serves_and_stops_even_without_its_output(tmp_path: Path) -> None:
    """The real command on a free port: it says where it listens, serves the page, and
    on SIGTERM stops cleanly even though its output's reader has gone."""
    proc = subprocess.Popen(
        web_argv(tmp_path, "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(),
        cwd=str(ROOT),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode()
        match = re.search(r"listening on 127\.0\.0\.1:(\d+) \(pid (\d+)\)", line)
        assert match is not None, line
        port = int(match[1])

        async def fetch() -> tuple[int, str]:
            async with (
                aiohttp.ClientSession() as client,
                client.get(f"http://127.0.0.1:{port}/cart") as response,
            ):
                return response.status, await response.text()

        status, body = asyncio.run(fetch())
        assert status == 200 and "<title>Cart · BuyNow</title>" in body
        proc.stdout.close()  # `buynow web | head -1`: the reader is gone
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert proc.stderr is not None
        assert b"Traceback" not in proc.stderr.read()
        log = (tmp_path / "logs" / "all.log").read_text()
        assert "standard output is gone" in log and "web server stopped after serving 0" in log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- the app's half, through pilots ------------------------------------------------------------


def web_tab(client: str) -> dict[str, str]:
    return {"BUYNOW_WEB": "1", "BUYNOW_WEB_CLIENT": client}


async def log_in(pilot: Any, *, remember: bool) -> None:
    await press_key(pilot, "5")
    await pilot.pause()
    screen_ = pilot.app.screen
    screen_.query_one("#email").value = EMAIL
    screen_.query_one("#password").value = PASSWORD
    screen_.query_one("#remember").value = remember
    screen_.query_one("#password").focus()
    await pilot.press("enter")
    await settle(pilot)


async def test_a_browser_tab_remembers_in_the_store_and_writes_no_file(
    services: Any, home: Path
) -> None:
    from buynow_tui.paths import Paths

    user = register(services)
    mine, other = sha256("mine"), sha256("other")
    first = make_app(services, home, environ=web_tab(mine))
    async with first.run_test() as pilot:
        await settle(pilot)
        assert first.consent_needed
        await pilot.press("ctrl+y")
        await settle(pilot)
        await log_in(pilot, remember=True)
        assert first.user is not None
    assert services.accounts.resolve_browser(mine).id == user.id
    assert services.web_clients.consent_at(mine) is not None
    assert not Paths(home).token_file.exists() and not Paths(home).settings_file.exists()

    again = make_app(services, home, environ=web_tab(mine))
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.user is not None and again.user.id == user.id
        again.log_out()
        await settle(pilot)
    assert services.accounts.resolve_browser(mine) is None

    stranger = make_app(services, home, environ=web_tab(other))
    async with stranger.run_test() as pilot:
        await settle(pilot)
        assert stranger.user is None and stranger.consent_needed  # another browser
        await pilot.press("ctrl+y")
        await settle(pilot)
    assert services.web_clients.consent_at(other) is not None

    anonymous_again = make_app(services, home, environ=web_tab(mine))
    async with anonymous_again.run_test() as pilot:
        await settle(pilot)
        assert anonymous_again.user is None and not anonymous_again.consent_needed
    assert not Paths(home).token_file.exists() and not Paths(home).settings_file.exists()


async def test_the_login_form_says_where_remember_me_is_kept(services: Any, home: Path) -> None:
    for environ, words, disabled in (
        (web_tab(sha256("x")), "Remember me in this browser for 30 days", False),
        (web_tab(""), "needs cookies", True),
    ):
        app = make_app(services, home, environ=environ)
        async with app.run_test() as pilot:
            await settle(pilot)
            await press_key(pilot, "5")
            await pilot.pause()
            remember = app.screen.query_one("#remember", TickBox)
            assert words in str(remember.label)
            assert remember.disabled is disabled


async def test_a_browser_without_the_cookie_keeps_consent_for_the_tab_only(
    services: Any, home: Path
) -> None:
    from buynow_tui.paths import Paths

    app = make_app(services, home, environ=web_tab("not a hash"))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert not app.consent_needed
    assert services.web_clients.count() == 0
    assert not Paths(home).settings_file.exists()
    again = make_app(services, home, environ=web_tab(""))
    async with again.run_test() as pilot:
        await settle(pilot)
        assert again.consent_needed


# -- forked tabs ---------------------------------------------------------------------------


async def test_a_killed_fork_server_loses_no_tab_and_is_replaced(server: WebServer) -> None:
    import os

    from tests.support.ssh import fork_server_of

    async with aiohttp.ClientSession() as client:
        live = await client.ws_connect(server.ws_url, origin=server.url)
        assert (await live.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
        first = fork_server_of(server.proc.pid)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: fork_server_of(server.proc.pid) != first, 10, "the fork server to go")
        await live.send_json(["stdin", "/"])  # the live tab still answers
        while (message := await live.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY:
            if b"Leave search" in message.data:
                break
        assert message.type == aiohttp.WSMsgType.BINARY
        async with client.ws_connect(server.ws_url, origin=server.url) as again:
            assert (await again.receive(timeout=30)).type == aiohttp.WSMsgType.BINARY
            replaced = fork_server_of(server.proc.pid)
            assert replaced is not None and replaced != first
        await live.close()
    server.wait_no_tabs()
    assert server.log().count("fork server for browser tabs running") == 2


async def test_without_a_fork_server_tabs_start_by_exec(tmp_path: Path) -> None:
    """A fork server that cannot start (here: its interpreter cannot find its own
    standard library) is logged, and the tab's app is exec'd instead."""
    from buynow_tui.logs import setup_logging
    from buynow_tui.paths import Paths
    from buynow_tui.web.apps import server_environment, tab_environment
    from buynow_tui.web.config import SpawnMode
    from buynow_tui.web.spawn import TabSpawner

    paths = Paths(tmp_path)
    setup_logging(paths.logs)
    env = server_environment(paths, "2026-01-01T00:00:00+00:00")
    # Not PYTHONPATH: an installed (editable) shop would still import from site-packages.
    broken = {**env, "PYTHONHOME": str(tmp_path / "nowhere")}
    spawner = TabSpawner(SpawnMode.FORK, tmp_path, lambda: dict(broken))
    started = await spawner.spawn(
        None, env=tab_environment(env, cols=80, rows=24, peer="127.0.0.1", client=""), cwd=tmp_path
    )
    try:
        assert not started.forked
        assert started.process.pid > 0
        assert spawner.forkserver is None
    finally:
        started.stdin.close()
        started.process.kill()
        await started.process.wait()
        await spawner.close()
    assert "the fork server did not start" in (paths.logs / "error.log").read_text()
