"""What the tests share (no tests, no fixtures here: fixtures are in tests/conftest.py).

- `repo`: the checkout's root and the shipped catalog's size (`CATALOG_SIZE`).
- `store`: the fixed clock, the PostgreSQL URL, `register`, `product_named`.
- `app`: one `make_app` (clock, theme, NO_COLOR, environment, animations and cursor
  blink pinned), one `settle`, one `screen_text`, the wait-for helpers and form input.
- `shop`: shopping steps for pilots (log in, search, fill a cart, go to checkout).
- `cli`: one `run_cli`, the real `python -m buynow_tui` in a subprocess.
- `ssh`, `web`: real servers in subprocesses, SSH/PTY clients, a headless Chromium.
- `hostile`: the hostile strings the safety tests feed everywhere.
"""
