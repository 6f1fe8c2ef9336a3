"""The base every BuyNow screen builds on: the frame, the context, and store workers.

Store calls run in Textual thread workers (`@work(thread=True, group=...,
exit_on_error=False)`; `exclusive=True` for reads only, since a cancelled write would
still commit), so bcrypt and database work never freeze the screen. A worker never
touches widgets: it hands its answer to the event loop with `reply`, which drops it
if the worker was cancelled by then (a newer read replaced it, or its screen closed)
or its screen is no longer open. A button is disabled while its write runs
(`busy_while`).

`StoreWorkers.on_worker_state_changed` is the one place a failed store call is looked
at, for the screens and the App alike: a `SessionEnded` goes to the App (the session
is logged out, whichever screen asked); anything else becomes words through
`store.problems.for_shopper` (an unexpected error is logged in full first) and goes to
the screen's `store_refused`, which shows it as one line unless the screen puts it
somewhere better (under a form's field, say).

Every screen (and dialog) also carries the "terminal too small" notice, and follows
the window: screens get the `-narrow` class below 100 columns (`-wide` from 100), and
the footer tightens as the window narrows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.worker import Worker, WorkerError, WorkerState, get_current_worker

from buynow_tui.logs import get_logger
from buynow_tui.messages import SessionRefused
from buynow_tui.store.errors import SessionEnded, StoreError
from buynow_tui.store.problems import for_shopper
from buynow_tui.widgets.footer import ShopFooter
from buynow_tui.widgets.header import ShopHeader
from buynow_tui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel

    from buynow_tui.context import Context
    from buynow_tui.store.services import Services
    from buynow_tui.store.views import UserView

    _Node = DOMNode
else:
    _Node = object

P = ParamSpec("P")
#: Below this many columns the layout is narrow (screens get the `-narrow` class).
NARROW_BELOW = 100
#: From this many columns the footer has room for its roomy style.
ROOMY_FROM = 120
log = get_logger("ui")
#: The states a worker ends in.
OVER = frozenset({WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED})


def off_the_footer(*actions: str) -> list[BindingType]:
    """The App's keys for `actions` ("back", "search"), still working here but left off
    this screen's footer so that it fits 80 columns (Help lists them with the App's).

    A screen's binding for a key hides the App's for the footer; these carry no `id`,
    so Help does not list them twice.
    """
    keys = {"back": ("escape", "Back"), "search": ("slash", "Search")}
    return [
        Binding(keys[action][0], f"app.{action}", keys[action][1], show=False) for action in actions
    ]


def problem_of(worker: Worker[Any]) -> StoreError:
    """What went wrong in `worker`, in words; an unexpected error is logged in full
    (by the worker's name: its arguments may hold a password)."""
    error = worker.error
    assert error is not None, "only a failed worker has a problem"
    if not isinstance(error, StoreError):
        log.error("unexpected error in %s: %r", worker.name, error, exc_info=error)
    return for_shopper(error)


async def finished(workers: Iterable[Worker[Any]]) -> None:
    """Wait until each of `workers` is over, however it ended."""
    for worker in workers:
        with suppress(WorkerError):
            await worker.wait()


class StoreWorkers(_Node):
    """Store calls in thread workers, for a screen or the App: the answer back on the
    event loop, busy buttons, and the one handler for failures."""

    #: Worker groups whose refusals are shown as warnings, not errors.
    WARNING_GROUPS: ClassVar[frozenset[str]] = frozenset({"wishlist-add"})
    _busy_widgets: dict[Worker[Any], Widget] | None = None

    def reply(self, callback: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
        """From a worker thread: run `callback(*args)` on the event loop, unless by
        then the worker has been cancelled or this screen has closed (nobody is
        waiting for the answer). Returns once it has run."""
        worker = get_current_worker()
        try:
            app = self.app
        except RuntimeError:  # a screen already taken out of the app
            return

        def answer() -> None:
            if not worker.is_cancelled and self._still_here():
                callback(*args, **kwargs)

        app.call_from_thread(answer)

    def busy_while(self, worker: Worker[Any], widget: Widget) -> None:
        """Disable `widget` until `worker` is over (a button pressed twice does nothing)."""
        widget.disabled = True
        if self._busy_widgets is None:
            self._busy_widgets = {}
        self._busy_widgets[worker] = widget

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state not in OVER:
            return
        widget = self._busy_widgets.pop(worker, None) if self._busy_widgets else None
        if widget is not None:
            widget.disabled = False
        self.worker_over(worker)
        if event.state is not WorkerState.ERROR:
            return
        problem = problem_of(worker)
        if isinstance(problem, SessionEnded):
            self.post_message(SessionRefused(problem))  # bubbles up to the App
        elif self._still_here():
            self.store_refused(worker, problem)

    def worker_over(self, worker: Worker[Any]) -> None:
        """A worker of this node is over: done, failed or cancelled."""

    def store_refused(self, worker: Worker[Any], problem: StoreError) -> None:
        """A store call of this node's failed: say so. Screens put it where it belongs."""
        severity: SeverityLevel = "warning" if worker.group in self.WARNING_GROUPS else "error"
        self.app.notify(str(problem), severity=severity, markup=False)

    def _still_here(self) -> bool:
        """Is this node still open (a screen on the stack, a widget mounted)?"""
        if isinstance(self, Screen):
            return self in self.app.screen_stack
        if isinstance(self, Widget):
            return self.is_attached
        return True  # the App


class InContext(StoreWorkers):
    """A screen's view of its app: the `Context` protocol, the store, the user."""

    @property
    def context(self) -> Context:
        return cast("Context", self.app)

    @property
    def services(self) -> Services:
        return self.context.services

    @property
    def user(self) -> UserView | None:
        return self.context.user


class FitsWindow(_Node):
    """The "terminal too small" notice and the footer follow the window's size."""

    def _fit(self) -> None:
        size = self.app.size
        for notice in self.query(TooSmall):
            notice.fit(size)
        for footer in self.query(Footer):
            # Tighter keys below 120 columns; below 100, ctrl+p is left to Help so the
            # screen's own keys and "q Quit" fit in 80.
            footer.compact = size.width < ROOMY_FROM
            footer.show_command_palette = size.width >= NARROW_BELOW

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def on_screen_resume(self) -> None:
        self._fit()


class BaseScreen(InContext, FitsWindow, Screen[Any]):
    """Header, body, footer; subclasses write `compose_body`."""

    #: Shown in the header after the shop's name.
    SCREEN_TITLE = ""
    #: This screen offers the consent notice's choice itself (the Privacy policy).
    OFFERS_CONSENT = False

    def compose(self) -> ComposeResult:
        yield ShopHeader(self.SCREEN_TITLE)
        yield from self.compose_body()
        yield ShopFooter()
        yield TooSmall()

    def compose_body(self) -> ComposeResult:
        yield from ()


class DialogScreen(InContext, FitsWindow, ModalScreen[Any]):
    """A modal form over a screen; `escape` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="close-dialog")]

    def compose(self) -> ComposeResult:
        yield from self.compose_body()
        yield TooSmall()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_close(self) -> None:
        self.dismiss(None)


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
