"""The base every BuyNow screen builds on: the frame, and store calls off the UI thread.

`call_store` runs a service call in a thread worker and hands the result (or the
domain error) back on the event loop, so bcrypt and database work never freeze the
screen. Workers never touch widgets themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from buynow_tui.logs import get_logger
from buynow_tui.store.errors import StoreError
from buynow_tui.widgets.header import ShopHeader

if TYPE_CHECKING:
    from buynow_tui.app import BuyNowApp
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView

T = TypeVar("T")
log = get_logger("ui")


class BaseScreen(Screen[Any]):
    """Header, body, footer; subclasses write `compose_body`."""

    #: Shown in the header after the shop's name.
    SCREEN_TITLE = ""

    @property
    def shop(self) -> BuyNowApp:
        return self.app  # type: ignore[return-value]

    @property
    def services(self) -> Services:
        return self.shop.services

    @property
    def user(self) -> UserView | None:
        return self.shop.user

    def compose(self) -> ComposeResult:
        yield ShopHeader(self.SCREEN_TITLE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def call_store(
        self,
        fn: Callable[..., T],
        *args: Any,
        done: Callable[[T], object] | None = None,
        failed: Callable[[StoreError], object] | None = None,
        busy: Widget | None = None,
        group: str = "store",
        exclusive: bool = False,
    ) -> None:
        """Run `fn(*args)` in a thread; then `done(result)` or `failed(error)` here.

        `busy` is disabled while the call runs (a button pressed twice does nothing).
        Writes must not be `exclusive` (a cancelled write would still commit).
        """
        if busy is not None:
            busy.disabled = True
        self._store_worker(fn, args, done, failed, busy, group=group, exclusive=exclusive)

    def _store_worker(self, fn, args, done, failed, busy, *, group: str, exclusive: bool) -> None:  # type: ignore[no-untyped-def]
        def runner() -> None:
            try:
                result = fn(*args)
            except StoreError as error:
                self.app.call_from_thread(self._finish, busy, failed, error, True)
            except Exception as error:  # noqa: BLE001 - shown as one line, logged in full
                log.error("unexpected error in %s: %r", getattr(fn, "__qualname__", fn), error, exc_info=True)
                self.app.call_from_thread(self._finish, busy, None, _unexpected(error), True)
            else:
                self.app.call_from_thread(self._finish, busy, done, result, False)

        self.run_worker(runner, thread=True, group=group, exclusive=exclusive, exit_on_error=False)

    def _finish(self, busy: Widget | None, callback: Callable[[Any], object] | None, value: Any, is_error: bool) -> None:
        if busy is not None:
            busy.disabled = False
        if callback is not None:
            callback(value)
        elif is_error:
            self.notify(str(value), severity="error", markup=False)


def _unexpected(error: Exception) -> StoreError:
    text = str(error).lower()
    if "disk" in text and "full" in text:
        return StoreError("The shop could not save that: the disk is full. Nothing was changed.")
    if "readonly" in text or "read-only" in text:
        return StoreError("The shop could not save that: its database is read-only. Nothing was changed.")
    if "locked" in text:
        return StoreError("The shop is busy. Please try again.")
    return StoreError("Something went wrong; it has been logged. Nothing was changed.")
