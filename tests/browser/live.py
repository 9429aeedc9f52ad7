"""A live JämKoll for the browser journeys: its own SQLite database in a temporary data directory,
prepared once (migrate, `jamkoll seed`, the demo users), served by gunicorn (`jamkoll serve`, as in
production) beside the background worker (`jamkoll worker`, so report jobs complete).

Both run as subprocesses of the test session with the worktree's own `src` first on the path; their
output goes to log files in the data directory, which the failing test's report quotes.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

PREPARE_TIMEOUT = 300.0  # seconds for migrate + seed + demo users (about 15–40 s on a busy machine)
START_TIMEOUT = 60.0  # seconds for the server to answer on its port


class LiveSiteError(RuntimeError):
    """The live server could not be prepared or started; the message quotes its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(path: Path, chars: int = 6000) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(ingen logg)"
    return text[-chars:]


@dataclass
class LiveSite:
    """One prepared data directory, and the server and worker serving it."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    timings: dict[str, float] = field(default_factory=dict)
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def server_log(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def worker_log(self) -> Path:
        return self.data_dir / "worker.log"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)  # the journeys run once, on SQLite, in their own database
        env.update(
            DJANGO_SETTINGS_MODULE="jamkoll.settings",
            PYTHONPATH=os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH", "")) if p),
            JAMKOLL_DATA_DIR=str(self.data_dir),
            JAMKOLL_DEBUG="0",  # as in production: the site's own error pages, no debug toolbar of errors
            JAMKOLL_SECRET_KEY=self.secret_key,
            JAMKOLL_SECURE_COOKIES="0",  # plain http on 127.0.0.1
            JAMKOLL_ALLOWED_HOSTS="127.0.0.1,localhost",
            GUNICORN_CMD_ARGS="--access-logfile - --log-level info --timeout 120",
            PYTHONUNBUFFERED="1",
        )
        return env

    def _jamkoll(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "jamkoll.cli", *args]

    def prepare(self) -> None:
        """Migrate, load the documents and create the demo users (`jamkoll demo --no-serve`)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.data_dir / "prepare.log"
        started = time.monotonic()
        with log.open("wb") as out:
            try:
                done = subprocess.run(
                    self._jamkoll("demo", "--no-serve"),
                    env=self.env(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=PREPARE_TIMEOUT,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                raise LiveSiteError(
                    f"Förberedelsen av testdatabasen tog mer än {PREPARE_TIMEOUT:.0f} s.\n{tail(log)}"
                ) from None
        self.timings["förberedelse (migrering, seed, demoanvändare)"] = time.monotonic() - started
        if done.returncode != 0:
            raise LiveSiteError(
                f"`jamkoll demo --no-serve` misslyckades (kod {done.returncode}):\n{tail(log)}"
            )

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        out = log.open("ab")
        try:
            proc = subprocess.Popen(
                args, env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        finally:
            out.close()  # the child holds its own copy
        self._procs.append(proc)
        return proc

    def start(self) -> None:
        """Start the server and the worker; return when the server answers on its port."""
        started = time.monotonic()
        server = self._spawn(
            self._jamkoll("serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"), self.server_log
        )
        self._spawn(self._jamkoll("worker", "--interval", "0.5"), self.worker_log)
        deadline = started + START_TIMEOUT
        while True:
            if server.poll() is not None:
                raise LiveSiteError(
                    f"JämKoll-servern avslutades direkt (kod {server.returncode}):\n{tail(self.server_log)}"
                )
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise LiveSiteError(
                    f"JämKoll-servern svarade inte på {self.url}/ inom {START_TIMEOUT:.0f} s:\n"
                    f"{tail(self.server_log)}"
                )
            time.sleep(0.2)
        self.timings["serverstart"] = time.monotonic() - started

    def stop(self) -> None:
        """Stop what `start` started (each by its own process id), politely first."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self._procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # gunicorn's workers and the worker share their starter's new session
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        self._procs.clear()

    def log_size(self) -> int:
        try:
            return self.server_log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        """What the server wrote since `offset` (a `log_size()` taken earlier), at most the last 20 000
        characters."""
        try:
            with self.server_log.open("rb") as f:
                f.seek(offset)
                text = f.read().decode("utf-8", errors="replace")
        except OSError:
            return "(ingen logg)"
        return text[-20000:]
