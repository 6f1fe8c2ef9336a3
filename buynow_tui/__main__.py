"""`python -m buynow_tui` is the same as the `buynow` command."""

from __future__ import annotations

from buynow_tui.launch import main

if __name__ == "__main__":
    main()
