"""Rendering with a time and a memory limit (issue 12): a document is rendered in a child process,
so that a document that would exhaust the renderer fails with a reason instead of taking the
worker — or the machine — down with it.

    files = render_files(document, ["pdf", "docx"], limits=render_limits(), tick=renew_lease)

The child comes from a `forkserver` that has already imported Django and WeasyPrint, so starting
one costs a fork, not an import. It limits its own address space (`RLIMIT_AS`) and CPU time
(`RLIMIT_CPU`, which also ends it should its parent die without killing it); the parent waits at
most the time limit, calling `tick` about once a second (the job's lease, `services`), and kills
it when the time is up. Every refusal is a `RenderLimitExceeded`, a `ValidationError` with the
Swedish reason ("Dokumentet kunde inte skapas: renderingen tog mer än 120 s").

Known limitation: the memory limit is on the child's address space, which is larger than what it
actually uses (shared libraries, fonts); the default leaves room for that.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .document import Document

# How often the parent calls `tick` while it waits.
TICK_SECONDS = 1.0
# The modules the forkserver imports once, for every child after it.
PRELOAD = ["jamkoll.reports.render_child"]


@dataclass(frozen=True)
class Limits:
    seconds: float
    megabytes: int


def render_limits(*, interactive: bool = False) -> Limits:
    """The limits from the settings: a background job's, or (`interactive`) those of a rendering
    inside a web request, which must end well before the web server's own timeout."""
    seconds = settings.REPORT_RENDER_REQUEST_SECONDS if interactive else settings.REPORT_RENDER_SECONDS
    return Limits(seconds=float(seconds), megabytes=int(settings.REPORT_RENDER_MEMORY_MB))


class RenderLimitExceeded(ValidationError):
    """A rendering that went over its time or memory limit, or whose process died."""


def _refusal(reason: str) -> RenderLimitExceeded:
    return RenderLimitExceeded(
        _("Dokumentet kunde inte skapas: %(reason)s.") % {"reason": reason}, code="render_limit"
    )


_context: Any = None


def _forkserver() -> Any:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def render_files(
    document: Document,
    formats: Iterable[str],
    *,
    limits: Limits,
    started: Callable[[int, str], None] | None = None,
    tick: Callable[[], None] | None = None,
) -> dict[str, bytes]:
    """Every format of `document` rendered in one child process within `limits`: {format: bytes}.
    `started(i, fmt)` is called as the child begins the i-th format (progress), `tick()` about once
    a second while the parent waits."""
    formats = list(formats)
    context = _forkserver()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main,
        args=(sender, document, formats, limits),
        name="jamkoll-render",
        daemon=True,
    )
    process.start()
    sender.close()
    files: dict[str, bytes] = {}
    deadline = time.monotonic() + limits.seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _refusal(
                    _("renderingen tog mer än %(seconds)s s") % {"seconds": _number(limits.seconds)}
                )
            if receiver.poll(min(remaining, TICK_SECONDS)):
                try:
                    message = receiver.recv()
                except EOFError:
                    break  # the child is gone without a word: see its exit code below
                kind = message[0]
                if kind == "start" and started:
                    started(formats.index(message[1]), message[1])
                elif kind == "file":
                    files[message[1]] = message[2]
                elif kind == "done":
                    return files
                elif kind == "memory":
                    raise _memory(limits)
                elif kind == "error":
                    raise _refusal(message[1])
            if tick:
                tick()
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    code = process.exitcode
    if code is not None and -code in (
        signal.SIGABRT,
        signal.SIGSEGV,
        signal.SIGBUS,
        signal.SIGKILL,
        signal.SIGTRAP,
    ):
        # A failed allocation in the C libraries (GLib, Pango) aborts or traps the process.
        raise _memory(limits)
    if code is not None and -code == signal.SIGXCPU:
        raise _refusal(_("renderingen tog mer än %(seconds)s s") % {"seconds": _number(limits.seconds)})
    raise _refusal(_("renderingen avbröts (slutkod %(code)s)") % {"code": code})


def _memory(limits: Limits) -> RenderLimitExceeded:
    return _refusal(_("renderingen behövde mer än %(mb)s MB minne") % {"mb": limits.megabytes})


def _number(seconds: float) -> str:
    return str(int(seconds)) if seconds == int(seconds) else str(seconds)


def _child_main(conn: Connection, document: Document, formats: list[str], limits: Limits) -> None:
    """In the child: limit ourselves, render each format, send each file back."""
    limit = limits.megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = math.ceil(limits.seconds) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    from .render_child import render_one

    try:
        for fmt in formats:
            conn.send(("start", fmt))
            conn.send(("file", fmt, render_one(document, fmt)))
        conn.send(("done",))
    except MemoryError:
        conn.send(("memory",))
    except Exception as exc:  # the parent fails the job with the reason
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        conn.close()
