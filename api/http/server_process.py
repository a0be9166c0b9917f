"""``pmo-advisor serve`` in a child process, for tests, benchmarks and scripts.

It starts the real command on a free loopback port (``--port 0``), learns the URL from the line
the server prints once listening, can report the memory of the server's processes (master and
workers, from /proc), and stops exactly the processes it started.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from api.http.server import READY_PREFIX

__all__ = ["ServerProcess", "cpu_seconds", "proc_stats"]

STARTUP_TIMEOUT = 60.0   # seconds for the server to listen
STOP_TIMEOUT = 20.0      # seconds for a graceful stop before SIGKILL


def _command() -> list[str]:
    script = Path(sys.executable).with_name("pmo-advisor")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "advisor"]


def proc_stats() -> Iterator[tuple[int, list[str]]]:
    """Every live process's pid and the fields of its ``/proc/PID/stat`` after the command name
    (Linux): field 1 is the parent's pid, 11-14 utime, stime, cutime, cstime in clock ticks."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name in parentheses may hold spaces: split after its closing parenthesis
        yield int(entry.name), stat[stat.rindex(")") + 2:].split()


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc)."""
    return [child for child, fields in proc_stats() if int(fields[1]) == pid]


def _rss_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far, in seconds (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """``with ServerProcess("--workers", "2") as server: requests.get(server.url + ...)``"""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.args: Sequence[str] = args
        self.env = {**os.environ, **(env or {})}
        self.url = ""
        self._process: subprocess.Popen[str] | None = None
        self._log = tempfile.TemporaryFile(mode="w+")
        self._final_log = ""
        self._reader: threading.Thread | None = None

    def __enter__(self) -> "ServerProcess":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        command = [*_command(), "serve", "--host", "127.0.0.1", "--port", "0", *self.args]
        # a session of its own: whatever the server starts (workers, the jobs runner and its
        # process pool) is in its process group, which stop() can end whole
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self._log,
                                         text=True, env=self.env, start_new_session=True)
        lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, args=(self._process.stdout, lines),
                                        daemon=True)
        self._reader.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            if line.startswith(READY_PREFIX):
                self.url = line[len(READY_PREFIX):].split()[0]
                return
        self.stop()
        raise RuntimeError(f"the server did not start: {' '.join(command)}\n{self.log()}")

    @staticmethod
    def _pump(stream: Any, lines: queue.Queue[str | None]) -> None:
        for line in stream:
            lines.put(line.strip())
        lines.put(None)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def pids(self) -> list[int]:
        """The server's processes: the master and its workers."""
        return [self.pid, *_children(self.pid)]

    def cpu_seconds(self) -> float:
        """CPU time the server's processes have used so far (master and workers)."""
        return cpu_seconds(self.pids())

    def rss_bytes(self) -> int:
        """Resident memory of all the server's processes together."""
        return sum(_rss_bytes(pid) for pid in self.pids())

    def log(self) -> str:
        """The end of what the server wrote to stderr (gunicorn's log)."""
        if self._log.closed:
            return self._final_log
        self._log.seek(0)
        return self._log.read()[-4000:]

    def stop(self) -> None:
        """SIGTERM to the server (it stops its workers); SIGKILL to what is left after a while."""
        process = self._process
        if process is not None and process.poll() is None:
            self._terminate(process)
        if process is not None:
            self._end_group(process.pid)
        if process is not None and process.stdout:
            if self._reader is not None:
                # it ends at the pipe's end, with the last process that holds the pipe
                self._reader.join(timeout=STOP_TIMEOUT)
            if self._reader is None or not self._reader.is_alive():
                process.stdout.close()  # closing it under a blocked reader would hang here
        if not self._log.closed:
            self._final_log = self.log()
            self._log.close()

    @staticmethod
    def _end_group(pgid: int) -> None:
        """SIGKILL what is left of the server's process group once the server has stopped: a
        jobs runner's process pool outlived it (orphaned, holding the server's stdout open, so
        reading to the pipe's end never finished and stop() hung)."""
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _terminate(self, process: subprocess.Popen[str]) -> None:
        workers = self.pids()[1:]
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            for pid in workers:  # orphaned by the killed master
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

