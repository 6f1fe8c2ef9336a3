"""About: when this shop was launched and how long it has been up, ticking live.

Over SSH that is the SSH server's launch (`BUYNOW_SERVER_STARTED`); locally, this
app's own start. Time comes from the app's injected clock; the text is only
replaced when what it says changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from buynow_tui import __version__
from buynow_tui.screens.base import BaseScreen


def uptime_words(span: timedelta) -> str:
    """'3 days, 4 hours, 5 minutes and 6 seconds' (largest units first, zeros left out)."""
    seconds = max(0, int(span.total_seconds()))
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if n
    ]
    if not parts:
        return "0 seconds"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def launch_words(when: datetime) -> str:
    local = when.astimezone()
    return local.strftime("%A %d %B %Y, %H:%M:%S %Z")


class AboutScreen(BaseScreen):
    SCREEN_TITLE = "About"

    def compose_body(self) -> ComposeResult:
        context = self.context
        # What "Up for" counts from, said plainly: over SSH or the web the shop is the server.
        since = (
            "when the shop's SSH server started"
            if context.over_ssh
            else "when the shop's web server started"
            if context.over_web
            else "when you opened this app (it is not a server)"
        )
        with VerticalScroll(classes="page", id="about"):
            with Grid(id="about-details") as details:
                details.border_title = "About BuyNow"
                yield Label("Launched", classes="detail-label")
                launched = Content(launch_words(context.shop_started))
                yield Static(launched, id="launched", classes="detail-value")
                yield Label("Up for", classes="detail-label")
                yield Static(Content(self._uptime()), id="uptime", classes="detail-value")
                yield Label("Counted from", classes="detail-label")
                yield Static(Content(since), classes="detail-value")
                yield Label("Version", classes="detail-label")
                yield Static(Content(__version__), classes="detail-value")
            yield Static(
                "BuyNow: an electronics shop that lives in the terminal.",
                classes="page-note",
                markup=False,
            )

    def on_mount(self) -> None:
        self._shown = self._uptime()
        self.set_interval(1, self._tick)

    def _uptime(self) -> str:
        return uptime_words(self.context.now() - self.context.shop_started)

    def _tick(self) -> None:
        text = self._uptime()
        if text != self._shown:
            self._shown = text
            self.query_one("#uptime", Static).update(Content(text))
