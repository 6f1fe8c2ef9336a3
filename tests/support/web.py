"""Helpers for the web front end's tests: a real `buynow web` (`python -m buynow_tui web`)
subprocess on a free loopback port, and a real headless Chromium driven through
Selenium.

Every wait is a wait-for-condition with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import json
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.cli import stop_process, subprocess_env
from tests.support.repo import ROOT
from tests.support.ssh import wait_for

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LISTENING = re.compile(r"listening on \S+:(\d+) \(pid (\d+)\)")
MSG_BUSY = "BuyNow is busy right now; please try again in a minute."


@dataclass
class WebServer:
    home: Path
    proc: subprocess.Popen[str]
    port: int = 0
    output: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def log(self, name: str = "all.log") -> str:
        try:
            return (self.home / "logs" / name).read_text()
        except FileNotFoundError:
            return ""

    def tabs_logged(self) -> tuple[int, int]:
        """(tabs connected, tabs disconnected) so far, from the server's log."""
        text = self.log()
        return text.count("| connect from "), text.count("| disconnect from ")

    def wait_no_tabs(self, timeout: float = 20.0) -> None:
        """Until every tab the server started has ended (its app stopped, uncounted)."""

        def settled() -> bool:
            opened, closed = self.tabs_logged()
            return opened == closed

        wait_for(settled, timeout, "every tab to end")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        self.output += stop_process(self.proc, sig, timeout)
        return self.proc.returncode


def web_argv(home: Path, *args: str) -> list[str]:
    """`buynow --home HOME web ARGS`, as the installed command runs it, from this tree."""
    return [sys.executable, "-m", "buynow_tui", "--home", str(home), "web", *args]


def start_web(home: Path, *args: str, timeout: float = 30.0) -> WebServer:
    """`buynow --home HOME web --port 0 ARGS`, once it listens."""
    proc = subprocess.Popen(
        web_argv(home, "--port", "0", *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=subprocess_env(),
        text=True,
        cwd=str(ROOT),
    )
    server = WebServer(home, proc)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""  # the first line says where it listens
    match = LISTENING.search(line)
    if match is None:
        server.stop()
        raise AssertionError(f"the web server did not start: {line}{server.output}")
    server.port = int(match.group(1))
    return server


def chromium(extra_prefs: dict[str, object] | None = None) -> WebDriver:
    """Headless Chromium with a fresh profile, its performance log on."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="buynow-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument("--window-size=1280,800")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    if extra_prefs:
        options.add_experimental_option("prefs", extra_prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.profile_dir = profile  # type: ignore[attr-defined]
    return driver


@contextmanager
def browser() -> Iterator[WebDriver]:
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(driver.profile_dir, ignore_errors=True)  # type: ignore[attr-defined]


def screen(driver: WebDriver) -> str:
    """What the terminal shows, row by row (xterm.js draws its rows in the DOM)."""
    return str(
        driver.execute_script(
            "var rows = document.querySelector('.xterm-rows');return rows ? rows.innerText : '';"
        )
    )


def wait_screen(driver: WebDriver, *texts: str, timeout: float = 20.0) -> str:
    def shows() -> str | None:
        shown = screen(driver)
        return shown if all(text in shown for text in texts) else None

    try:
        return str(wait_for(shows, timeout, f"the terminal to show {texts}"))
    except AssertionError:
        raise AssertionError(f"never showed {texts}; the screen was:\n{screen(driver)}") from None


def page_text(driver: WebDriver, element_id: str) -> str:
    return str(
        driver.execute_script(
            "var e = document.getElementById(arguments[0]);"
            "return e && !e.hidden ? e.innerText : '';",
            element_id,
        )
    )


def wait_page_text(driver: WebDriver, element_id: str, text: str, timeout: float = 20.0) -> str:
    return str(
        wait_for(
            lambda: (shown := page_text(driver, element_id)) and text in shown and shown,
            timeout,
            f"#{element_id} to say {text!r}",
        )
    )


def type_keys(driver: WebDriver, *keys: str) -> None:
    """Keys to whatever has the keyboard, as a shopper types them (no click first)."""
    ActionChains(driver).send_keys(*keys).perform()


def press_ctrl(driver: WebDriver, key: str) -> None:
    ActionChains(driver).key_down(Keys.CONTROL).send_keys(key).key_up(Keys.CONTROL).perform()


def requested_urls(driver: WebDriver) -> list[str]:
    """Every URL the page asked for (HTTP and WebSocket), from the performance log."""
    assert isinstance(driver, webdriver.Chrome)  # the performance log is Chromium's
    urls = []
    log = driver.get_log("performance")  # type: ignore[no-untyped-call]  # selenium's is unannotated
    for entry in log:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            urls.append(params["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.append(params["url"])
    return urls
