"""The shop in a browser: a real `buynow web` server, a real headless Chromium
(Selenium) and real WebSocket clients (aiohttp), on loopback.

One server and one browser serve the module (each test leaves no tab behind); the
tests that need other limits start a server of their own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.cli import subprocess_env
from tests.support.repo import ROOT
from tests.support.ssh import (
    FORK_SERVER,
    SESSION,
    cmdline_of,
    environ_of,
    fork_server_of,
    name_of,
    process_ended,
    process_gone,
    sessions_of,
    wait_for,
)
from tests.support.web import (
    MSG_BUSY,
    WebServer,
    chromium,
    page_text,
    press_ctrl,
    requested_urls,
    screen,
    start_web,
    type_keys,
    wait_page_text,
    wait_screen,
    web_argv,
)

SHOP = ("Search by name or price", "10-inch Family Tablet")
MAX_SESSIONS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    home = tmp_path_factory.mktemp("web-home")
    web = start_web(
        home,
        "--max-sessions",
        str(MAX_SESSIONS),
        "--max-per-address",
        str(MAX_SESSIONS),
        "--connections-per-minute",
        "1000",
    )
    yield web
    web.stop()


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    browser = chromium()
    yield browser
    browser.quit()


@pytest.fixture(autouse=True)
def no_tab_left(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test: the browser back on a blank page with one window, and every tab
    of the shared server ended."""
    yield
    if "driver" in request.fixturenames:
        browser: WebDriver = request.getfixturevalue("driver")
        for handle in browser.window_handles[1:]:
            browser.switch_to.window(handle)
            browser.close()
        browser.switch_to.window(browser.window_handles[0])
        browser.get("about:blank")
    if "server" in request.fixturenames:
        web: WebServer = request.getfixturevalue("server")
        web.wait_no_tabs()


def product_id(home: Path, name: str) -> int:
    with sqlite3.connect(home / "buynow.db") as db:
        row = db.execute("SELECT id FROM product WHERE name = ?", (name,)).fetchone()
    assert row is not None, name
    return int(row[0])


def search(driver: WebDriver, word: str) -> None:
    """`/`, then the word once the search box has the cursor (its footer key shows)."""
    type_keys(driver, "/")
    wait_screen(driver, "Leave search")
    type_keys(driver, word)


def active_element_class(driver: WebDriver) -> str:
    return str(driver.execute_script("return document.activeElement.className"))


# -- the shop in the page ----------------------------------------------------------------


def test_the_shop_renders_with_the_keyboard_and_a_search_finds_the_watch(
    server: WebServer, driver: WebDriver
) -> None:
    driver.get(server.url + "/")
    shown = wait_screen(driver, *SHOP)
    assert "Smart Watch" not in shown  # further down the catalog than one screen
    assert driver.title == "BuyNow"
    assert page_text(driver, "ended") == ""
    header = driver.execute_script("return document.querySelector('header').innerText")
    assert "BuyNow" in header
    # Keys work at once, without a click: the terminal has the keyboard.
    assert "xterm-helper-textarea" in active_element_class(driver)
    search(driver, "watch")
    wait_screen(driver, "Smart Watch")
    type_keys(driver, Keys.ENTER)
    wait_screen(driver, "Smart Watch", "$150.00")


def test_a_product_address_opens_that_product(server: WebServer, driver: WebDriver) -> None:
    watch = product_id(server.home, "Smart Watch")
    driver.get(f"{server.url}/product/{watch}")
    wait_screen(driver, "Smart Watch", "Add to cart")
    assert driver.title == f"Product {watch} · BuyNow"
    assert f"open product/{watch}" in server.log()


@pytest.mark.parametrize("path", ["/nosuch", "/login", "/--help"])
def test_an_address_off_the_allowlist_shows_not_found(
    server: WebServer, driver: WebDriver, path: str
) -> None:
    """Even a screen the app has (Log in) does not open from an address that is not
    one of the deep links; neither does anything that looks like an option."""
    driver.get(server.url + path)
    shown = wait_screen(driver, "There is nothing here.")
    assert "Not found" in shown
    assert "Email" not in shown  # not the Log in form
    assert driver.title == "Not found · BuyNow"


def test_ctrl_c_never_ends_the_session(server: WebServer, driver: WebDriver) -> None:
    driver.get(server.url + "/")
    wait_screen(driver, *SHOP)
    press_ctrl(driver, "c")
    press_ctrl(driver, "C")
    search(driver, "watch")
    wait_screen(driver, "Smart Watch")
    assert page_text(driver, "ended") == ""
    opened, closed = server.tabs_logged()
    assert opened > closed  # this tab's app is still running


def test_quitting_shows_session_ended_and_reload_comes_back(
    server: WebServer, driver: WebDriver
) -> None:
    driver.get(server.url + "/")
    wait_screen(driver, *SHOP)
    press_ctrl(driver, "q")  # the search box has the cursor: its footer says ^q quits
    shown = wait_page_text(driver, "ended", "Session ended")
    assert "Reload" in shown
    assert "app exited" in wait_for(
        lambda: "app exited" in server.log() and server.log(), 10, "the disconnect line"
    )
    type_keys(driver, Keys.ENTER)  # the Reload button has the keyboard now
    wait_screen(driver, *SHOP)
    assert page_text(driver, "ended") == ""


# -- what the page loads -------------------------------------------------------------------


def test_the_page_makes_no_request_outside_the_server(server: WebServer, driver: WebDriver) -> None:
    driver.get_log("performance")  # forget what came before
    driver.get(server.url + "/cart")
    wait_screen(driver, "Log in")
    assert driver.execute_script("return document.fonts.check(\"16px 'Roboto Mono'\")")
    urls = requested_urls(driver)
    web = [url for url in urls if url.split(":", 1)[0] in ("http", "https", "ws", "wss")]
    assert f"{server.url}/static/fonts/RobotoMono-VariableFont_wght.ttf" in web
    assert any(url.startswith(server.ws_url) for url in web)
    outside = [url for url in web if not url.startswith((server.url + "/", server.ws_url))]
    assert outside == []
    assert "content security policy" not in server.log("warning.log")


async def test_a_websocket_from_another_origin_is_refused(server: WebServer) -> None:
    connected_before, _ = server.tabs_logged()
    async with aiohttp.ClientSession() as client:
        for origin in ("http://evil.example", f"http://localhost:{server.port}", None):
            headers = {"Origin": origin} if origin else {}
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(server.ws_url, headers=headers)
            assert refused.value.status == 403
        # The same request from the shop's own origin gets the shop.
        async with client.ws_connect(server.ws_url, origin=server.url) as ws:
            message = await ws.receive(timeout=20)
            assert message.type == aiohttp.WSMsgType.BINARY
    assert "refused a WebSocket from 127.0.0.1: its page is at 'http://evil.example'" in (
        server.log("warning.log")
    )
    connected_after, _ = server.tabs_logged()
    assert connected_after == connected_before + 1  # no app started for the refused


def test_the_tab_beyond_max_sessions_is_told_busy(server: WebServer, driver: WebDriver) -> None:
    driver.get(server.url + "/")
    wait_screen(driver, *SHOP)
    for _ in range(MAX_SESSIONS - 1):
        driver.switch_to.new_window("tab")
        driver.get(server.url + "/")
        wait_screen(driver, *SHOP)
    driver.switch_to.new_window("tab")
    driver.get(server.url + "/")
    assert wait_page_text(driver, "message", MSG_BUSY)
    assert screen(driver) == ""

    async def over_the_websocket() -> tuple[int | None, str]:
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(server.ws_url, origin=server.url) as ws,
        ):
            message = await ws.receive(timeout=20)
            return ws.close_code, str(message.extra or "")

    # A tab whose page came just before the others filled the shop: told in the page.
    code, reason = asyncio.run(over_the_websocket())
    assert (code, reason) == (4002, MSG_BUSY)


async def test_http_answers_in_words_with_the_policy_and_never_redirects(
    server: WebServer,
) -> None:
    async with aiohttp.ClientSession() as client:

        async def get(path: str, method: str = "GET", **kwargs: object) -> tuple[int, str, dict]:
            async with client.request(
                method, server.url + path, allow_redirects=False, **kwargs
            ) as response:
                return response.status, await response.text(), dict(response.headers)

        status, body, headers = await get("/")
        assert status == 200
        policy = headers["Content-Security-Policy"]
        for part in ("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'"):
            assert part in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert f"connect-src 'self' ws://127.0.0.1:{server.port}" in policy
        assert "<noscript>" in body and "JavaScript" in body
        assert "fonts.googleapis" not in body and "https://" not in body

        for path in ("//evil.example/", "/%2F%2Fevil.example", "/\\evil.example", "/nosuch"):
            status, body, headers = await get(path)
            assert status == 404, path
            assert "Location" not in headers
            assert "Not found" in body
        cases = [
            ("POST", "/", {}, 405, "This address only shows pages."),
            ("PUT", "/cart", {}, 405, "This address only shows pages."),
            ("GET", "/" + "a" * 600, {}, 414, "That address is too long."),
            ("GET", "/static/nothing.js", {}, 404, "There is nothing here."),
            ("GET", "/ws", {}, 400, "That request could not be read."),
            ("POST", "/csp-report", {"data": b"x" * 40_000}, 413, "That request is too large."),
            ("POST", "/csp-report", {"data": b"{not json"}, 400, "could not be read"),
        ]
        for method, path, kwargs, expected, words in cases:
            status, body, headers = await get(path, method, **kwargs)
            assert (status, words in body) == (expected, True), (method, path, body[:300])
            assert "Content-Security-Policy" in headers


# -- limits and the contract with each tab's app -------------------------------------------


def test_a_tab_idle_too_long_is_told_so_in_the_page(tmp_path: Path, driver: WebDriver) -> None:
    web = start_web(tmp_path, "--idle-timeout", "3")
    try:
        driver.get(web.url + "/")
        wait_screen(driver, *SHOP)
        assert wait_page_text(driver, "ended", "You were idle for 3 seconds; goodbye.")
        driver.get("about:blank")
        web.wait_no_tabs()
        assert "(idle; app exit" in web.log()
    finally:
        web.stop()


async def test_the_session_cap_and_the_shop_closing_are_told(tmp_path: Path) -> None:
    """A tab in use still ends at the session cap; a server stopping tells every tab,
    stops their apps and leaves no folder behind."""
    web = start_web(tmp_path, "--session-cap", "3", "--idle-timeout", "60")
    try:
        async with aiohttp.ClientSession() as client:
            busy = await client.ws_connect(web.ws_url, origin=web.url)
            while (message := await busy.receive(timeout=30)).type == aiohttp.WSMsgType.BINARY:
                await busy.send_json(["stdin", "\x1b[B"])  # down, down: in use all along
            assert (busy.close_code, message.extra) == (
                4003,
                "Sessions last at most 3 seconds; goodbye. Come back any time.",
            )
            web.wait_no_tabs()
            staying = await client.ws_connect(web.ws_url, origin=web.url)
            assert (await staying.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
            apps = sessions_of(web.proc.pid)
            assert len(apps) == 1
            web.proc.send_signal(signal.SIGTERM)
            while (message := await staying.receive(timeout=30)).type == aiohttp.WSMsgType.BINARY:
                pass
            assert (staying.close_code, message.extra) == (4004, "The shop is closing. Goodbye.")
        assert web.stop() == 0
        assert all(process_ended(pid) for pid in apps)
        assert "Stopped after serving 2 tabs." in web.output
    finally:
        web.stop()


async def test_tabs_are_forked_from_the_fork_server_with_the_allowlisted_environment(
    server: WebServer,
) -> None:
    """Each tab's app is forked from the server's own fork server (`buynow-forksrv`, then
    `buynow-session`), which runs with the allowlisted environment (a forked app's
    /proc environ is the fork server's), in the shop's home."""
    async with aiohttp.ClientSession() as client:
        sockets = [await client.ws_connect(server.ws_url, origin=server.url) for _ in range(2)]
        for ws in sockets:
            assert (await ws.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
        forkserver = fork_server_of(server.proc.pid)
        assert forkserver is not None and name_of(forkserver) == FORK_SERVER
        apps = wait_for(lambda: len(sessions_of(server.proc.pid)) == 2, 10, "two apps") and (
            sessions_of(server.proc.pid)
        )
        assert [name_of(pid) for pid in apps] == [SESSION, SESSION]
        assert cmdline_of(forkserver)[-2] == "buynow_tui.forkserver"
        env = environ_of(forkserver)
        assert set(env) <= ALLOWED_ENV, set(env) - ALLOWED_ENV
        assert env["TEXTUAL_DRIVER"] == "buynow_tui.drivers:BrowserDriver"
        assert env["TEXTUAL_FPS"] == "60"
        assert env["BUYNOW_DATABASE_URL"] == f"sqlite:///{server.home / 'buynow.db'}"
        assert env["BUYNOW_HOME"] == str(server.home)
        for pid in apps:
            assert Path(f"/proc/{pid}/cwd").resolve() == server.home.resolve()
        for ws in sockets:
            await ws.close()
    server.wait_no_tabs()
    for pid in apps:
        assert wait_for(lambda pid=pid: process_gone(pid), 10, "the app to end")
    assert server.log().count("(forked)") >= 2


ALLOWED_ENV = {
    "PATH",
    "HOME",
    "BUYNOW_HOME",
    "BUYNOW_DATABASE_URL",
    "PYTHONPATH",
    "LANG",
    "TERM",
    "COLORTERM",
    "TEXTUAL_DRIVER",
    "TEXTUAL_FPS",
    "TEXTUAL_COLOR_SYSTEM",
    "TERM_PROGRAM",
    "COLUMNS",
    "ROWS",
    "BUYNOW_WEB",
    "BUYNOW_WEB_PEER",
    "BUYNOW_WEB_CLIENT",
    "BUYNOW_SERVER_STARTED",
    "BUYNOW_TESTING",
    "BUYNOW_BCRYPT_ROUNDS",
    "BUYNOW_SHIPPING_CENTS",
    "LC_CTYPE",  # Python's C-locale coercion (PEP 538) adds it inside the child itself
}


async def test_no_tab_app_outlives_a_killed_server(tmp_path: Path) -> None:
    web = start_web(tmp_path)
    async with aiohttp.ClientSession() as client:
        ws = await client.ws_connect(web.ws_url, origin=web.url)
        assert (await ws.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
        apps = sessions_of(web.proc.pid)
        assert len(apps) == 1
        web.stop(signal.SIGKILL)
        assert wait_for(lambda: process_ended(apps[0]), 15, "the app to end")
        await ws.close()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--max-sessions", "0"], "error: max sessions must be at least 1"),
        (["--idle-timeout", "-5"], "error: idle timeout must be more than 0 seconds"),
        (["--host", "0.0.0.0"], "error: listening on 0.0.0.0 needs --public-url"),
        (["--public-url", "ftp://shop.example"], "error: the public URL must start with https://"),
        (["--public-url", "https://shop.example/app"], "must be only scheme://host[:port]"),
        (["--spawn", "thread"], "error: --spawn must be fork or exec, not 'thread'"),
    ],
)
def test_bad_options_get_one_line_and_start_nothing(
    tmp_path: Path, args: list[str], words: str
) -> None:
    result = subprocess.run(
        web_argv(tmp_path, *args),
        capture_output=True,
        text=True,
        timeout=30,
        env=subprocess_env({"BUYNOW_WEB_PORT": "0"}),
        cwd=str(ROOT),
    )
    assert result.returncode == 1
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "buynow.db").exists()  # nothing was started
    assert os.listdir(tmp_path) == []


def test_only_the_deep_link_allowlist_reaches_the_app() -> None:
    from buynow_tui.navigation import UNKNOWN_PAGE, page_for_url, resolve

    assert page_for_url("/") is None
    assert page_for_url("/product/12") == "product/12"
    assert page_for_url("/Cart/") == "cart"
    for path in ("/login", "/help", "/product/0", "/product/12/x", "/--home=/tmp", "/a b"):
        assert page_for_url(path) == UNKNOWN_PAGE, path
    assert resolve(UNKNOWN_PAGE) is None  # so the app shows Not found


async def test_behind_a_proxy_each_shopper_has_their_own_limits(tmp_path: Path) -> None:
    """With --forwarded-for the address is the one the proxy saw (the last
    X-Forwarded-For entry): one shopper over their limits leaves the next one be."""
    web = start_web(
        tmp_path, "--forwarded-for", "--max-per-address", "1", "--connections-per-minute", "2"
    )

    def via(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": f"203.0.113.9, {address}"}

    try:
        async with aiohttp.ClientSession() as client:
            first = await client.ws_connect(web.ws_url, origin=web.url, headers=via("10.0.0.1"))
            assert (await first.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
            for _ in range(2):  # a second tab at once; then over the rate as well
                again = await client.ws_connect(web.ws_url, origin=web.url, headers=via("10.0.0.1"))
                message = await again.receive(timeout=20)
                assert (again.close_code, message.extra) == (4002, MSG_BUSY)
            other = await client.ws_connect(web.ws_url, origin=web.url, headers=via("10.0.0.2"))
            assert (await other.receive(timeout=20)).type == aiohttp.WSMsgType.BINARY
            await first.close()
            await other.close()
        web.wait_no_tabs()
        log = web.log()
        assert "connect from 10.0.0.1 " in log and "connect from 10.0.0.2 " in log
        assert "203.0.113.9" not in log
        assert log.count("refused a session from 10.0.0.1: " + MSG_BUSY) == 2
    finally:
        web.stop()


async def test_a_tab_whose_app_cannot_start_is_told_so(tmp_path: Path) -> None:
    web = start_web(tmp_path)
    try:
        database = tmp_path / "buynow.db"
        database.rename(tmp_path / "elsewhere.db")
        database.mkdir()  # the shop's database is gone: every new app fails to open it
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(web.ws_url, origin=web.url) as ws,
        ):
            message = await ws.receive(timeout=30)
            assert (ws.close_code, message.extra) == (
                4005,
                "The shop could not start; please try again in a minute.",
            )
        web.wait_no_tabs()
        assert "a tab's app did not start (for 127.0.0.1)" in web.log("error.log")
    finally:
        web.stop()


def test_cheap_requests_cannot_flood_the_log() -> None:
    """Pages while busy, CSP reports and foreign WebSockets cost a stranger nothing:
    at most so many of their warnings a minute reach the log files."""
    from buynow_tui.web.server import LogBudget

    now = [0.0]
    budget = LogBudget(3, clock=lambda: now[0])
    assert [budget.take() for _ in range(5)] == [True, True, True, False, False]
    now[0] += 60.0
    assert budget.take()
