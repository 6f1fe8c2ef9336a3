"""The drivers of the shop's front ends: SSH sessions and browser tabs.

`SshDriver`, for a session over SSH: mouse buttons, not every motion.

Textual's Linux driver turns on any-motion mouse reporting (`?1003h`): the terminal
then sends an escape sequence for every cell the pointer crosses, pressed or not, and
over SSH each one crosses the network and wakes the app, only for hover effects. Over
SSH the app asks for button-event tracking instead (`?1002h`): clicks, the wheel, and
motion only while a button is held (dragging a scrollbar). Locally nothing changes.

`BrowserDriver`, for a browser tab (`buynow web` names it in `TEXTUAL_DRIVER`):
Textual's web driver, except that the app quits when its input ends. The web server
holds the only other end of a tab's stdin, so its end means the server is gone (even
killed outright): without this a tab forked from the fork server, which no parent-death
signal ties to the web server, would wait for input forever.
"""

from __future__ import annotations

import asyncio

from textual import messages
from textual.drivers.linux_driver import LinuxDriver
from textual.drivers.web_driver import WebDriver


class SshDriver(LinuxDriver):
    def _enable_mouse_support(self) -> None:
        if not self._mouse:
            return
        write = self.write
        write("\x1b[?1000h")  # clicks
        write("\x1b[?1002h")  # motion while a button is held; never ?1003h (every motion)
        write("\x1b[?1015h")  # urxvt coordinates
        write("\x1b[?1006h")  # SGR coordinates
        self.flush()

    def _disable_mouse_support(self) -> None:
        if not self._mouse:
            return
        write = self.write
        for mode in ("1000", "1002", "1003", "1015", "1006"):
            write(f"\x1b[?{mode}l")
        self.flush()


class BrowserDriver(WebDriver):
    def start_application_mode(self) -> None:
        self._loop = asyncio.get_running_loop()
        super().start_application_mode()

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # input ended, not the app: the server is gone
            asyncio.run_coroutine_threadsafe(
                self._app._post_message(messages.ExitApp()), self._loop
            )
