"""This process as a worker: the name it gives itself in the jobs it holds and in its heartbeat,
and the sweeper threads that take over from a worker that died."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable

from django.db import connection

log = logging.getLogger(__name__)

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


_sweepers: dict[str, tuple[threading.Thread, threading.Event]] = {}


def start_sweeper(name: str, sweep: Callable[[], object], interval: float) -> threading.Event:
    """A daemon thread, one per `name`, that calls `sweep` every `interval` seconds for as long as
    the process lives: how a worker that stays up takes over the jobs of one that died beside it
    (their leases ran out). A round that fails (a locked or lost database) is logged and the next
    one tries again; the thread's own connection is closed after each round. Returns the event
    that stops it (a worker never sets it: the thread ends with the process)."""
    running = _sweepers.get(name)
    if running is not None and running[0].is_alive():
        return running[1]
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            try:
                sweep()
            except Exception:
                log.exception("%s: the round failed", name)
            finally:
                connection.close()

    thread = threading.Thread(target=run, name=name, daemon=True)
    _sweepers[name] = (thread, stop)
    thread.start()
    return stop
