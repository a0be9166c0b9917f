"""Where replications run does not change what they give: the same seed, the same result on
every executor (a replication's random streams come from the seed and its index only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

from advisor.errors import InputError
from api.schemas.answers import to_json
from simulation import compare, run_experiment
from simulation.executors import MAX_WORKERS, Execution, check_scheduler, run_tasks
from simulation.worker import status

SMALL = {"months": 12, "runs": 9, "seed": 7}


def _same(a, b) -> None:
    assert to_json(a) == to_json(b)
    for x, y in zip(a.replications, b.replications, strict=True):
        assert np.array_equal(x.series, y.series) and np.array_equal(x.scenarios, y.scenarios)
        assert x.major_changes == y.major_changes and x.shutdowns == y.shutdowns


def test_inline_and_local_processes_give_identical_results_for_one_seed() -> None:
    inline = run_experiment("crisis-retailer", "customer_centric", executor="inline", **SMALL)
    pooled = run_experiment("crisis-retailer", "customer_centric", executor="processes",
                            workers=2, **SMALL)
    _same(inline, pooled)


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_inline_result_for_one_seed() -> None:
    """A two-worker LocalCluster (started and stopped here), on a comparison: chunks of both
    strategies land on either worker in any order, and come back in replication order."""
    strategies = ["customer_centric", "minimal"]
    inline = compare("decline-logistics", strategies, executor="inline", **SMALL)
    progress: list[tuple[int, int]] = []
    dask = compare("decline-logistics", strategies, executor="dask", workers=2,
                   progress=lambda done, total: progress.append((done, total)), **SMALL)
    for a, b in zip(inline.results, dask.results, strict=True):
        _same(a, b)
    assert progress[-1] == (2 * SMALL["runs"], 2 * SMALL["runs"])


@pytest.mark.parametrize("executor", ["processes", pytest.param("dask", marks=pytest.mark.slow)])
def test_local_workers_start_prepared_and_build_their_own_engine(executor) -> None:
    """The forkserver read the tables and built the memos before it forked the workers
    (``simulation/worker.py``); the engine is never inherited: a worker builds its own."""
    states = run_tasks([(status, ())] * 4, executor, 2)
    assert all(s["tables"] and s["memos"] for s in states)
    assert not any(s["engine"] for s in states)
    assert os.getpid() not in {s["pid"] for s in states}


def test_preparing_a_worker_builds_no_engine() -> None:
    """What the forkserver runs builds memos from the rules' definitions alone."""
    script = ("import simulation.worker as w; s = w.status(); "
              "assert s['tables'] and s['memos'] and not s['engine'], s")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


@pytest.mark.parametrize(("options", "field"), [
    ({"executor": "threads"}, "executor"),
    ({"executor": "processes", "scheduler": "tcp://127.0.0.1:8786"}, "scheduler"),
    ({"executor": "dask", "scheduler": "http://example"}, "scheduler"),
    ({"workers": 0}, "workers"),
    ({"executor": "dask", "scheduler": "tcp://127.0.0.1:99999"}, "scheduler"),
])
def test_bad_execution_options_name_their_field(options, field) -> None:
    with pytest.raises(InputError) as caught:
        Execution(**options)
    assert caught.value.field == field


def test_small_work_runs_inline_and_large_work_on_every_core_unless_told() -> None:
    assert Execution().resolve(100, 6000) == ("inline", 1)
    assert Execution().resolve(10_000, 6000)[0] == "processes"
    assert Execution(workers=1).resolve(10_000, 6000) == ("inline", 1)
    assert Execution("dask", workers=3).resolve(10, 6000) == ("dask", 3)


def test_cli_refuses_a_scheduler_without_the_dask_executor(run_cli) -> None:
    result = run_cli("simulate", "--profile", "crisis-retailer", "--strategy", "minimal",
                     "--runs", "2", "--months", "3", "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode == 2
    assert "scheduler" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_workers_out_of_range_are_refused_with_the_allowed_range() -> None:
    with pytest.raises(InputError, match="between 1 and 10000, got 100000"):
        Execution(workers=100_000)


def test_a_local_dask_cluster_starts_no_more_workers_than_a_local_pool() -> None:
    """Without a scheduler, dask starts its workers here: as many as ``processes`` would."""
    assert Execution("dask", workers=500).resolve(10, 6000) == ("dask", MAX_WORKERS)
    assert Execution("dask", workers=500, scheduler="tcp://h:8786").resolve(10, 6000) == \
        ("dask", 500)


@pytest.mark.slow
def test_a_local_dask_cluster_leaves_dasks_default_port_alone() -> None:
    """Another cluster's dashboard on 8787 (or anything there) makes no warning here: the
    cluster started for a run serves no dashboard, and its scheduler's HTTP server takes a
    free port."""
    holder = socket.socket()
    try:
        holder.bind(("", 8787))
        holder.listen()
    except OSError:
        pass                    # already taken by something else: the same test
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            run_experiment("crisis-retailer", "minimal", executor="dask", workers=1, **SMALL)
    finally:
        holder.close()
    assert not [w for w in caught if "8787" in str(w.message)]


@pytest.fixture
def other_service() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP service that is not Dask: it accepts, then either stays silent or answers with
    the bytes put in the list (an HTTP error page, say)."""
    reply: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    held = []

    def serve() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)
            if reply:
                conn.sendall(reply[0])
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"tcp://127.0.0.1:{server.getsockname()[1]}", reply
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_scheduler_address_where_a_silent_service_listens_is_refused_not_waited_on(
        other_service) -> None:
    """Dask's own Client bounds only the connect and would wait for ever on its handshake."""
    address, _ = other_service
    started = time.monotonic()
    with pytest.raises(InputError, match="no Dask scheduler answered") as caught:
        check_scheduler(address, timeout=0.5)
    assert caught.value.field == "scheduler" and time.monotonic() - started < 5


def test_a_scheduler_address_answering_other_bytes_is_refused_as_input(other_service) -> None:
    """An HTTP server's answer read as Dask frames asked numpy for exabytes (MemoryError)."""
    address, reply = other_service
    reply.append(b"HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n" + b"x" * 64)
    with pytest.raises(InputError) as caught:
        check_scheduler(address, timeout=5)
    assert caught.value.field == "scheduler" and address in str(caught.value)


def test_a_dask_scheduler_without_workers_is_refused_not_waited_on_for_ever(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask holds tasks until a worker joins: with none, a run hung with no word."""
    from dask.distributed import LocalCluster

    from simulation import executors

    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_SECONDS", 0.5)
    with LocalCluster(n_workers=0, processes=False, protocol="tcp://", host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        with pytest.raises(InputError, match="has no workers") as caught:
            executors.run_tasks([(abs, (-1,))], "dask", 1, cluster.scheduler_address)
    assert caught.value.field == "scheduler"


def test_the_scheduler_check_works_from_inside_a_running_event_loop(other_service) -> None:
    """A notebook calls the library from a running asyncio loop; the check must still answer
    about the address, not fail on the loop."""
    import asyncio

    address, _ = other_service

    async def from_a_loop() -> None:
        check_scheduler(address, timeout=0.5)

    with pytest.raises(InputError, match="no Dask scheduler answered"):
        asyncio.run(from_a_loop())
