"""The assessments' memory behind the real server (gunicorn), on each backend: a SIGKILL while
raters write leaves only whole writes, and raters answering through two workers at once lose no
answer."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time

import pytest
import requests

from advisor.questionnaire import load_questionnaire
from api.http.server_process import ServerProcess
from api.store import Store

BATCH = [i.id for i in load_questionnaire().of_part("indicator")][:24]  # one write, 24 answers
WRITERS = 4
ACKNOWLEDGED_BEFORE_KILL = 2 * WRITERS  # writes the server has confirmed before it is killed
START_DEADLINE = 120.0  # seconds for those first writes (a loaded machine: seconds, not 120)


@pytest.mark.slow
def test_killing_the_server_mid_write_leaves_only_whole_writes(database_url):
    """The kill comes once the server has acknowledged some writes (with the writers still
    sending), not after a fixed time: on a loaded machine a fixed 2 s could pass before the
    first answer (PostgreSQL), and then the test checked nothing."""
    url = database_url
    setup = Store(url)
    org = setup.create_organization("Acme").id
    setup.create_cycle("Acme")
    setup.close()
    stop = threading.Event()
    acknowledged: list[str] = []

    with ServerProcess("--workers", "1", "--threads", "4",
                       env={"PMO_ADVISOR_DATABASE_URL": url}) as server:
        answers_url = f"{server.url}/api/v1/organizations/{org}/assessments/1/answers"

        def write(writer: int) -> None:
            n = 0
            with requests.Session() as session:
                while not stop.is_set():
                    rater = f"w{writer}-{n}"
                    try:
                        reply = session.post(answers_url, timeout=10, json={
                            "rater": rater, "answers": dict.fromkeys(BATCH, 1 + n % 5)})
                    except requests.RequestException:
                        return  # the server is gone
                    if reply.status_code == 200:
                        acknowledged.append(rater)
                    n += 1

        threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + START_DEADLINE
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, server.log()
        for pid in reversed(server.pids()):  # the workers first, then the master
            os.kill(pid, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after = Store(url)
    cycle = after.cycle("Acme", 1)
    stored = {r["name"]: len(r["answers"]) for r in cycle.raters}
    assert len(acknowledged) > 0
    assert set(acknowledged) <= set(stored)          # what the server acknowledged is kept
    assert set(stored.values()) == {len(BATCH)}      # and every stored write is whole
    assert cycle.version == 1 + len(stored)       # the version counts exactly those writes
    after.answer("Acme", 1, "after the crash", {BATCH[0]: 3})  # and the file takes writes again
    after.close()


@pytest.mark.slow
def test_eight_raters_through_two_server_workers_lose_no_answer(database_url):
    """The same as the store's 8-thread test, across processes: two gunicorn workers share
    one database, and every acknowledged answer is there afterwards."""
    setup = Store(database_url)
    org = setup.create_organization("Acme").id
    setup.create_cycle("Acme")
    setup.close()
    errors: list[str] = []
    with ServerProcess("--workers", "2", "--threads", "4",
                       env={"PMO_ADVISOR_DATABASE_URL": database_url}) as server:
        answers_url = f"{server.url}/api/v1/organizations/{org}/assessments/1/answers"

        def rate(n: int) -> None:
            with requests.Session() as session:
                for start in range(0, len(BATCH), 8):  # three writes per rater
                    reply = session.post(answers_url, timeout=60, json={
                        "rater": f"rater {n}",
                        "answers": dict.fromkeys(BATCH[start:start + 8], 1 + n % 5)})
                    if reply.status_code != 200:
                        errors.append(f"{reply.status_code} {reply.text}")

        threads = [threading.Thread(target=rate, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        cycle = requests.get(answers_url.removesuffix("/answers"), timeout=30).json()
    assert errors == []
    assert cycle["version"] == 1 + 8 * 3
    assert {r["name"]: len(r["answers"]) for r in cycle["raters"]} == {
        f"rater {n}": len(BATCH) for n in range(8)}
