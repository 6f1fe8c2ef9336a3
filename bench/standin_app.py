"""STAND-IN for the Shop's search box (bench only), run in a PTY by bench/keystroke.py.

The real `BuyNowApp` on the real store, with an Input and a result line mounted on its
(placeholder) Shop screen. Each change searches the catalog in a thread worker, as the
Shop will, and shows "N results for 'text'" (the text as `ascii()`, so a reader of the
terminal can match it whatever was typed). Delete this once the Shop has a search box.
"""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Input, Static

from buynow_tui import app as buynow_app
from buynow_tui.app import BuyNowApp


class StandInApp(BuyNowApp):
    CSS_PATH = str(
        Path(buynow_app.__file__).with_name("app.tcss")
    )  # relative paths follow the subclass

    def on_mount(self) -> None:
        super().on_mount()
        box = Input(id="bench-search", placeholder="search")
        self.screen.mount(box, Static(Content(f"0 results for {ascii('')}"), id="bench-result"))
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        value = event.value

        def search() -> None:
            hits = len(self.services.catalog.search(value))
            self.call_from_thread(self._show, value, hits)

        self.run_worker(
            search, thread=True, group="bench-search", exclusive=True, exit_on_error=False
        )

    def _show(self, value: str, hits: int) -> None:
        self.screen.query_one("#bench-result", Static).update(
            Content(f"{hits} results for {ascii(value)}")
        )


def main() -> None:
    from buynow_tui.bootstrap import open_store
    from buynow_tui.paths import Paths

    paths = Paths.resolve()
    opened = open_store(paths)
    StandInApp(opened.services, paths).run()  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
