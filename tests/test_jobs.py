"""Jobs in the project's database, on SQLite and PostgreSQL: a runner outside the server claims
each job once, reports progress, writes the result with ``done`` in one transaction (never half),
fails what a dead runner left running, and a full queue refuses more."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import api.jobs as api_jobs
import api.store.jobs as store_jobs
from advisor.errors import InputError
from api import service
from api.jobs import JobStore, QueueFull, Runner, execute, runner_command, submit
from api.schemas.answers import to_json
from api.store import close_store
from api.store.jobs import runner_identity
from simulation.limits import LOCAL

SMALL = {"kind": "simulation", "preset": "crisis-retailer", "strategy": "minimal",
         "runs": 6, "months": 6, "seed": 3}
LONG = {**SMALL, "runs": 2000, "months": 36}
MEDIUM = {**SMALL, "runs": 160, "months": 36}     # runs inline: progress every 10 replications


@pytest.fixture
def store(database_url: str) -> Iterator[JobStore]:
    yield JobStore(database_url)
    close_store(database_url)


def _wait(store: JobStore, job_id: str, until: tuple[str, ...], timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = store.get(job_id)
        if job is not None and job.status in until:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {store.get(job_id)}")


def _runner(url: str, *extra: str) -> subprocess.Popen[bytes]:
    command, env = runner_command(url)
    return subprocess.Popen([*command, *extra], env=env, stdin=subprocess.DEVNULL)


def _pid_of(identity: str) -> int:
    return int(identity.split(":")[1])


def _runner_of(store: JobStore, job_id: str) -> str:
    from api.store.models import Job as JobRow
    with store._transaction() as s:
        row = s.get(JobRow, job_id)
        assert row is not None and row.runner
        return row.runner


def test_a_runner_in_its_own_process_gives_the_synchronous_result(store: JobStore) -> None:
    job = submit(store, SMALL)
    assert job.status == "queued" and job.progress == 0.0
    command, env = runner_command(store.url)
    assert store.url not in " ".join(command)          # a password never on a command line
    runner = subprocess.run([*command, "--once"], env=env, timeout=120,
                            stdin=subprocess.DEVNULL)
    assert runner.returncode == 0
    done = store.get(job.id)
    assert done is not None and done.status == "done", done
    assert _pid_of(_runner_of(store, job.id)) != os.getpid()
    expected = to_json(service.simulate("crisis-retailer", "minimal", runs=6, months=6, seed=3,
                                        limits=LOCAL))
    assert done.result == expected
    assert done.progress == 1.0
    assert done.replications == {"done": 6, "total": 6}


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "party"}, "kind"),
    ({**SMALL, "strategy": "no_such_strategy"}, "strategy"),
    ({**SMALL, "runs": 0}, "runs"),
    ({"kind": "sweep", "profiles": ["crisis-retailer"], "strategies": []}, "strategies"),
])
def test_a_bad_job_is_refused_before_it_is_queued(tmp_path: Path, body, field) -> None:
    store = JobStore(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(InputError) as caught:
        submit(store, body)
    assert caught.value.field == field
    assert store.claim("anyone") is None


def test_a_full_queue_refuses_more_jobs(store: JobStore) -> None:
    submit(store, SMALL, max_active=2)
    submit(store, SMALL, max_active=2)
    with pytest.raises(QueueFull):
        submit(store, SMALL, max_active=2)


def test_runners_claiming_at_once_take_each_job_exactly_once(store: JobStore) -> None:
    queued = {submit(store, SMALL, max_active=3).id for _ in range(3)}
    claimed: list[str | None] = []
    start = threading.Barrier(8)

    def claim(n: int) -> None:
        start.wait()
        claimed.append(store.claim(f"runner-{n}"))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [c for c in claimed if c is not None]
    assert sorted(taken) == sorted(queued)           # each once, none twice, none lost


def test_a_killed_runner_leaves_a_failed_job_and_no_result(store: JobStore) -> None:
    job = submit(store, LONG)
    runner = _runner(store.url)
    try:
        _wait(store, job.id, ("running",))
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait(30)
        failed = _wait(store, job.id, ("failed", "done"), timeout=30)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert failed.status == "failed" and failed.result is None
    assert "submit the job again" in (failed.error or "")
    assert submit(store, SMALL).status == "queued"     # and the queue has room again


def test_a_runner_starting_fails_the_jobs_a_dead_runner_left_running(store: JobStore) -> None:
    dead = f"{runner_identity().split(':')[0]}:999999999:1"
    job = submit(store, SMALL)
    assert store.claim(dead) == job.id
    assert store.recover() == 1
    failed = store.get(job.id)
    assert failed is not None and failed.status == "failed" and failed.result is None
    assert not store.finish(job.id, dead, {"half": "written"})   # a late write is refused
    assert store.get(job.id).result is None  # type: ignore[union-attr]


def test_a_runner_elsewhere_is_dead_only_once_its_heartbeat_is_stale(
        store: JobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    job = submit(store, SMALL)
    assert store.claim("another-host:42:7") == job.id
    assert store.recover() == 0 and store.get(job.id).status == "running"  # type: ignore
    monkeypatch.setattr(store_jobs, "STALE_SECONDS", -1.0)
    assert store.recover() == 1 and store.get(job.id).status == "failed"  # type: ignore


def test_finished_jobs_are_deleted_a_week_after_and_active_ones_never(
        store: JobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    finished = submit(store, SMALL, max_active=3)
    store.cancel(finished.id)
    queued = submit(store, SMALL, max_active=3)
    assert store.recover() == 0 and store.get(finished.id) is not None   # kept for a week
    monkeypatch.setattr(store_jobs, "KEEP_SECONDS", -1.0)
    store.recover()
    assert store.get(finished.id) is None
    assert store.get(queued.id).status == "queued"  # type: ignore[union-attr]


def test_a_runner_waits_out_an_unreachable_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    from sqlalchemy.exc import OperationalError

    runner = Runner(JobStore(f"sqlite:///{tmp_path / 'db.sqlite3'}"), poll_seconds=0.0)
    monkeypatch.setattr(api_jobs, "UNREACHABLE_PAUSE_SECONDS", 0.0)
    calls = []

    def claim(identity: str) -> str | None:
        calls.append(identity)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        runner.stopping.set()
        return None

    monkeypatch.setattr(runner.store, "claim", claim)
    runner.run()                                       # does not raise: it tried again
    assert len(calls) == 2
    assert "cannot be reached" in capsys.readouterr().err


def test_a_runner_started_while_the_database_is_down_waits_for_it_instead_of_dying(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    """It connected (and recovered) outside its waiting loop: with PostgreSQL restarting, it
    died at once and ``serve`` restarted it every second, a traceback each time."""
    from sqlalchemy.exc import OperationalError

    monkeypatch.setattr(api_jobs, "UNREACHABLE_PAUSE_SECONDS", 0.0)
    down = OperationalError("SELECT 1", {}, Exception("connection refused"))
    opened = []
    real = api_jobs.JobStore

    def job_store(url: str | None) -> JobStore:
        opened.append(url)
        if len(opened) == 1:
            raise down
        return real(url)

    monkeypatch.setattr(api_jobs, "JobStore", job_store)
    store = api_jobs.open_waiting(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert store is not None and len(opened) == 2
    runner = Runner(store, poll_seconds=0.0)
    recovered = []

    def recover() -> None:
        recovered.append(1)
        if len(recovered) == 1:
            raise down
        runner.stopping.set()

    monkeypatch.setattr(runner.store, "recover", recover)
    runner.run()                                       # does not raise: it tried again
    assert len(recovered) == 2
    assert capsys.readouterr().err.count("cannot be reached") == 2


class _Pausing(JobStore):
    """A store whose first progress write, once made, waits for the test to say go on: the
    test acts while the job is known to be running, however fast or loaded the machine."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.written, self.go_on = threading.Event(), threading.Event()

    def progress(self, job_id: str, runner: str, done: int, total: int) -> str:
        status = super().progress(job_id, runner, done, total)
        if not self.written.is_set():
            self.written.set()
            assert self.go_on.wait(60), "the test never let the job go on"
        return status


@pytest.fixture
def pausing(database_url: str) -> Iterator[_Pausing]:
    yield _Pausing(database_url)
    close_store(database_url)


def test_a_cancelled_job_stays_cancelled_and_never_gets_a_result(pausing: _Pausing) -> None:
    """Cancelled between two progress writes (the job paused after its first), the job stops
    at its next one, short of the end, and never gets a result: without the pause a fast
    machine could finish all 160 replications before the cancel arrived."""
    store = pausing
    job = submit(store, MEDIUM)
    me = runner_identity()
    assert store.claim(me) == job.id
    worker = threading.Thread(target=execute, args=(store, job.id, me))
    worker.start()
    try:
        assert store.written.wait(60), "no progress"
        assert 0 < store.get(job.id).done < 160  # type: ignore[union-attr]
        assert store.cancel(job.id).status == "cancelled"  # type: ignore[union-attr]
    finally:
        store.go_on.set()
        worker.join(60)
    assert not worker.is_alive()                       # it stopped at its next progress
    assert store.get(job.id).done < 160  # type: ignore[union-attr]
    assert store.get(job.id).status == "cancelled"  # type: ignore[union-attr]
    assert not store.finish(job.id, me, {"half": "written"})
    assert store.get(job.id).result is None  # type: ignore[union-attr]


class _Clock:
    """A fake clock that moves on by ``tick`` seconds each time it is read: the job's progress
    checks and the store's writes read it, so time passes with the work, the same on any
    machine at any load."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


class _Recording(JobStore):
    """A store that remembers each progress write: when it began and ended (on the fake clock,
    so a write takes time), and the fraction it made."""

    def __init__(self, url: str, clock: _Clock) -> None:
        super().__init__(url)
        self.clock = clock
        self.writes: list[tuple[float, float, int, int]] = []

    def progress(self, job_id: str, runner: str, done: int, total: int) -> str:
        began = self.clock()
        status = super().progress(job_id, runner, done, total)
        self.writes.append((began, self.clock(), done, total))
        return status


@pytest.mark.parametrize("body", [
    {**SMALL, "runs": 300, "months": 6},
    {"kind": "comparison", "preset": "crisis-retailer", "strategies": ["minimal", "plan"],
     "runs": 150, "months": 6, "seed": 3},
    {"kind": "sweep", "profiles": ["crisis-retailer"], "strategies": ["minimal", "plan"],
     "runs": 150, "months": 6, "seed": 3},
], ids=["simulation", "comparison", "sweep"])
def test_every_kind_of_job_reports_progress_at_most_every_interval(
        tmp_path: Path, body: dict[str, Any]) -> None:
    """Each write is its own transaction, at most one per interval (0.5 s) counted from the end
    of the previous write, the fraction rising to 1. On a fake clock (0.1 s a reading), so the
    count and spacing of the writes do not depend on the machine (CI once saw two writes
    0.04999 s apart against 0.05 s when the interval was counted from the check before a
    write: this test fails on that)."""
    assert api_jobs.PROGRESS_EVERY_SECONDS == 0.5
    clock = _Clock(tick=0.1)
    store = _Recording(f"sqlite:///{tmp_path / 'db.sqlite3'}", clock)
    job = submit(store, body)
    me = runner_identity()
    assert store.claim(me) == job.id
    execute(store, job.id, me, clock=clock)
    assert store.get(job.id).status == "done"  # type: ignore[union-attr]
    writes = store.writes
    assert len(writes) >= 3 and writes[-1][2] == writes[-1][3] == 300
    fractions = [done / total for _, _, done, total in writes]
    assert fractions == sorted(fractions) and all(0 < f <= 1 for f in fractions)
    gaps = [b[0] - a[1] for a, b in zip(writes, writes[1:-1])]   # the last write is the end
    assert all(gap >= api_jobs.PROGRESS_EVERY_SECONDS for gap in gaps), gaps


def test_a_sweep_job_over_plans_gives_its_tidy_table(store: JobStore) -> None:
    job = submit(store, {"kind": "sweep", "profiles": ["crisis-retailer"],
                         "strategies": ["minimal", "plan"], "runs": 2, "months": 3, "seed": 1})
    assert Runner(store).run_once()
    done = store.get(job.id)
    assert done is not None and done.status == "done", done.error
    assert [r["strategy"] for r in done.result["rows"]] == ["minimal", "plan"]


def test_a_runner_whose_server_is_gone_stops_and_takes_no_new_job(tmp_path: Path) -> None:
    store = JobStore(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    job = submit(store, SMALL)
    command, env = runner_command(store.url, parent=os.getpid() + 1_000_000)  # not its parent
    finished = subprocess.run(command, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert finished.returncode == 0
    assert store.get(job.id).status == "queued"  # type: ignore[union-attr]


@pytest.mark.slow
def test_the_runner_command_runs_alone_and_stops_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    runner = subprocess.Popen([sys.executable, "-m", "api", "jobs", "run", "--database", url],
                              stdin=subprocess.DEVNULL)
    try:
        job = submit(JobStore(url), SMALL)
        assert _wait(JobStore(url), job.id, ("done", "failed")).status == "done"
    finally:
        runner.terminate()
        assert runner.wait(30) == 0
