"""Stopping a run on local processes stops all of it: the command, its pool's workers and their
forkserver. A worker never notices that its parent is gone, so a command that died and left its
workers waiting (SIGTERM's default; SIGKILL, as the OOM killer kills a jobs runner) or that
waited for every running chunk first (Ctrl-C sent to the command alone) left processes behind
or overstayed a stop's grace period."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

#: a run far longer than the test waits: it must be stopped, not finish
LONG_RUN = ["simulate", "--profile", "kickoff-fintech", "--strategy", "customer_centric",
            "--runs", "10000", "--months", "36", "--seed", "1", "--executor", "processes",
            "--workers", "2"]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                children.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _ours(pid: int) -> bool:
    """Still one of the processes this test started (not a pid reused since)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return sys.executable.encode() in cmdline.read()
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads the process tree from /proc")
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 128 + signal.SIGTERM),
                                                (signal.SIGINT, 130),
                                                (signal.SIGKILL, -signal.SIGKILL)])
def test_a_signal_to_the_command_alone_stops_its_local_workers_at_once(signum, status,
                                                                     tmp_path) -> None:
    errors = tmp_path / "stderr"     # a file, not a pipe: workers left behind would hold it open
    with errors.open("w") as stderr:
        command = subprocess.Popen([sys.executable, "-m", "api", *LONG_RUN],
                                   stdout=subprocess.DEVNULL, stderr=stderr,
                                   start_new_session=True)   # the signal reaches it alone
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and command.poll() is None:
            workers = _descendants(command.pid)
            if len(workers) >= 4:     # forkserver, resource tracker and two workers
                break
            time.sleep(0.1)
        assert len(workers) >= 4, f"the pool never started: {workers}"
        time.sleep(0.5)               # the workers are inside their first chunks
        os.kill(command.pid, signum)
        try:    # a chunk here is ~800 replications: seconds, far over what a stop may take
            assert command.wait(timeout=10) == status, errors.read_text()
        except subprocess.TimeoutExpired:
            pytest.fail("the command was still running 10 s after the signal")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "processes left behind"
        assert "Traceback" not in errors.read_text()
    finally:
        for pid in [command.pid, *workers]:
            if _alive(pid) and _ours(pid):
                os.kill(pid, signal.SIGKILL)
        command.wait()
