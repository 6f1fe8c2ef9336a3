"""The terminal driver for a session over SSH: mouse buttons, not every motion.

Textual's Linux driver turns on any-motion mouse reporting (`?1003h`): the terminal
then sends an escape sequence for every cell the pointer crosses, pressed or not, and
over SSH each one crosses the network and wakes the app, only for hover effects. Over
SSH the app asks for button-event tracking instead (`?1002h`): clicks, the wheel, and
motion only while a button is held (dragging a scrollbar). Locally nothing changes.
"""

from __future__ import annotations

from textual.drivers.linux_driver import LinuxDriver


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
