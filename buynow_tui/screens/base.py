"""The base every BuyNow screen builds on: the frame, and store calls off the UI thread.

`call_store` runs a service call in a thread worker and hands the result (or the
domain error) back on the event loop, so bcrypt and database work never freeze the
screen. Workers never touch widgets themselves.

Every screen (and dialog) also carries the "terminal too small" notice, and follows
the window: screens get the `-narrow` class below 100 columns (`-wide` from 100), and
the footer tightens as the window narrows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer

from buynow_tui.logs import get_logger
from buynow_tui.store.problems import for_shopper
from buynow_tui.store.errors import SessionEnded, StoreError
from buynow_tui.widgets.footer import ShopFooter
from buynow_tui.widgets.header import ShopHeader
from buynow_tui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from buynow_tui.app import BuyNowApp
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView

T = TypeVar("T")
#: Below this many columns the layout is narrow (screens get the `-narrow` class).
NARROW_BELOW = 100
#: From this many columns the footer has room for its roomy style.
ROOMY_FROM = 120
log = get_logger("ui")


class ShopScreenMixin:
    """What every BuyNow screen and dialog shares: the store, and the too-small notice."""

    app: Any

    @property
    def shop(self) -> BuyNowApp:
        return self.app  # type: ignore[no-any-return]

    @property
    def services(self) -> Services:
        return self.shop.services

    @property
    def user(self) -> UserView | None:
        return self.shop.user

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
        run_store_call(
            self, fn, args, done=done, failed=failed, busy=busy, group=group, exclusive=exclusive
        )  # type: ignore[arg-type]

    def _fit(self) -> None:
        size = self.app.size
        for notice in self.query(TooSmall):  # type: ignore[attr-defined]
            notice.fit(size)
        for footer in self.query(Footer):  # type: ignore[attr-defined]
            # Tighter keys below 120 columns; below 100, ctrl+p is left to Help so the
            # screen's own keys and "q Quit" fit in 80.
            footer.compact = size.width < ROOMY_FROM
            footer.show_command_palette = size.width >= NARROW_BELOW

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def on_screen_resume(self) -> None:
        self._fit()


class BaseScreen(ShopScreenMixin, Screen[Any]):
    """Header, body, footer; subclasses write `compose_body`."""

    #: Shown in the header after the shop's name.
    SCREEN_TITLE = ""

    def compose(self) -> ComposeResult:
        yield ShopHeader(self.SCREEN_TITLE)
        yield from self.compose_body()
        yield ShopFooter()
        yield TooSmall()

    def compose_body(self) -> ComposeResult:
        yield from ()


class DialogScreen(ShopScreenMixin, ModalScreen[Any]):
    """A modal form over a screen; `escape` closes it."""

    BINDINGS = [Binding("escape", "close", "Close", id="close-dialog")]

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield TooSmall()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_close(self) -> None:
        self.dismiss(None)


def run_store_call(
    node: DOMNode,
    fn: Callable[..., T],
    args: tuple[Any, ...],
    *,
    done: Callable[[T], object] | None = None,
    failed: Callable[[StoreError], object] | None = None,
    busy: Widget | None = None,
    group: str = "store",
    exclusive: bool = False,
) -> None:
    """`call_store` for any node (a screen, a dialog or the app itself).

    The worker belongs to `node`, so it ends with it; results come back on the
    event loop through `call_from_thread`. A refusal goes to `failed` (or becomes an
    error notification); so does any other exception, logged in full and handed on
    as a one-line `StoreError`, so a form never stays stuck in its busy state.
    A `SessionEnded` refusal goes to the app instead (`session_ended`), which logs the
    session out, whichever screen asked and whether or not it is still open.
    """
    app = node.app
    if busy is not None:
        busy.disabled = True

    def finish(callback: Callable[[Any], object] | None, value: Any, is_error: bool) -> None:
        if busy is not None:
            busy.disabled = False
        ended = getattr(app, "session_ended", None)
        if isinstance(value, SessionEnded) and callable(ended):
            ended(value)
            return
        if isinstance(node, Widget) and not node.is_attached:
            return  # the screen was closed meanwhile: nobody is waiting for this answer
        if isinstance(node, Screen) and node not in app.screen_stack:
            return  # popped, and its widgets may already be gone
        if callback is not None:
            callback(value)
        elif is_error:
            app.notify(str(value), severity="error", markup=False)

    def runner() -> None:
        try:
            result = fn(*args)
        except StoreError as error:
            app.call_from_thread(finish, failed, error, True)
        except Exception as error:
            log.error(
                "unexpected error in %s: %r", getattr(fn, "__qualname__", fn), error, exc_info=True
            )
            app.call_from_thread(finish, failed, for_shopper(error), True)
        else:
            app.call_from_thread(finish, done, result, False)

    node.run_worker(runner, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


class ReloadingScreen(BaseScreen):
    """A screen that reads its data when it opens and again each time it comes back.

    The first resume comes with opening the screen, whose mount does the first read
    (a resume can arrive before the widgets exist), so only later resumes reload.
    """

    _resumed = False

    def reload(self) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self._resumed:
            self.reload()
        self._resumed = True
