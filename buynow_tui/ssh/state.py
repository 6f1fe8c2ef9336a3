"""Old name of `buynow_tui.ssh.status_file`, kept only while `buynow uptime` in the CLI
still imports `format_duration` and `running_state` from here. Delete this module once
the CLI imports `format_duration` and `running_status` from `status_file`."""

from __future__ import annotations

from buynow_tui.ssh.status_file import ServerStatus, format_duration, running_status

running_state = running_status

__all__ = ["ServerStatus", "format_duration", "running_state"]
