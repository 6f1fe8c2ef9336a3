"""The SSH server (`buynow serve`), one module per concern; every import points down.

- `server.py`: the server as a whole: listening, running, graceful shutdown, the
  status file. `run` is what `buynow serve` calls.
- `connection.py`: one client connection: admission, the auth callbacks and the
  identity (the key the client proved), forwarding refused.
- `lifecycle.py`: one session: its requests, start (refusal, a seat, a starting
  slot, the app), limits and timers (idle, session cap), and end (terminal restored,
  app stopped and reaped).
- `pump.py`: the bytes between the app's PTY and the channel, with flow control.
- `policy.py`: what is refused and with which line, the deep links (navigation's one
  allowlist), the shoppers' commands, and the environment a session's app gets (the
  contract with the app).
  A new SSH rule goes here, with its line of words.
- `hub.py`: what every connection and session shares; `limits.py`: the limits and
  the bookkeeping that enforces them.
- `spawner.py`, `child.py`, `forkserver.py`: how a session's app starts on its PTY.
- `command_child.py`: a shopper's command without a PTY (`ssh host orders --json`),
  in a process of its own on pipes; `shopper.py` is that process (the only module
  here that opens the store: it runs apart from the server).
- `status_file.py`: `server.json`, read by `buynow uptime`; `hostkey.py`: the host key.
"""
