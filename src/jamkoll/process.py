"""This process as a worker names itself in the jobs it holds and in its heartbeat."""

from __future__ import annotations

import os
import secrets
import socket

# Drawn once per process start: a worker restarted in a container often gets the same pid on the
# same host name (pid 1), and must not be taken for the worker that died there.
_STARTED = secrets.token_hex(4)


def process_name(limit: int = 100) -> str:
    """ "<pid>@<host>#<token of this start>", at most `limit` characters (the host is shortened,
    never the pid or the token)."""
    tail = f"#{_STARTED}"
    head = f"{os.getpid()}@"
    host = socket.gethostname()[: max(0, limit - len(head) - len(tail))]
    return f"{head}{host}{tail}"
