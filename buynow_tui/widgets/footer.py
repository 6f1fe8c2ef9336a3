"""The key footer, rebuilt at most once per refresh.

Textual's `Footer` rebuilds all its keys (about fifteen widgets, each styled anew) every
time a screen's bindings may have changed: focus moving, a screen resuming, any
`refresh_bindings()`. Several of those in one go (a screen opening does three or four)
meant as many rebuilds, 15-20 ms each, before the screen settled. This footer coalesces
them: the first change schedules one rebuild after the next refresh, and the changes
that come before it has run ride along. And a rebuild whose keys would be the ones it
shows already (a key typed in a text box, the first page arriving, a toast) is
skipped: what it shows is the same.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class ShopFooter(Footer):
    _rebuild_pending = False
    #: What the keys shown were made from (`_shown_keys`); None before the first.
    _shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached or self.screen is not self.app.screen:
            # Its screen closed, or a dialog opened meanwhile: the App's keys now answer
            # for the dialog's focus (Back, ^q Quit), not this screen's. It rebuilds
            # when its screen is back.
            return
        shown = self._shown_keys()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()

    def _shown_keys(self) -> tuple[object, ...]:
        """Everything `Footer.compose` reads to make its keys."""
        return (
            self.show_command_palette,
            self.app.ENABLE_COMMAND_PALETTE,
            tuple(
                (binding.key, binding.action, binding.description, binding.show,
                 binding.group, binding.key_display, enabled, tooltip)
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
            ),
        )  # fmt: skip
