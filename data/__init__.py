"""The shipped catalog (installed as buynow_tui.data)."""
