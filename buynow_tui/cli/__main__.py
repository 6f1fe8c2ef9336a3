"""`python -m buynow_tui.cli`: the admin CLI (as `buynow <command>`)."""

from __future__ import annotations

from buynow_tui.cli import main

main()
