"""The serialized gateway keeps durable-rules safe: threads, sessions, forks, registration."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import scenarios
from advisor.assessment import load_profile
from advisor.errors import EngineError
from api.schemas.answers import to_json
from rules.diagnosis import build_fact, diagnose
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import CATCH_ALL, RulesGateway, get_gateway

PROFILES = scenarios.documents("profiles")
SHIPPED = list(PROFILES.values())


SESSION_CAP = 1024  # durable-rules refuses a ruleset's 1,025th live session


def _expected_scenario(path: Path) -> str:
    return path.name.split("-")[0]


def test_eight_threads_diagnosing_at_once_all_get_the_right_answer() -> None:
    profiles = [load_profile(p) for p in SHIPPED]
    expected = [to_json(diagnose(p)) for p in profiles]
    wrong: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def worker(thread: int) -> None:
        try:
            for i in range(500):
                k = (i + thread) % len(profiles)
                if to_json(diagnose(profiles[k])) != expected[k]:
                    wrong.append((thread, i))
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert errors == [] and wrong == []
    assert get_gateway().live_sessions() == 0


def test_five_thousand_engine_evaluations_leave_no_engine_state_behind() -> None:
    """Each evaluation deletes its session, so five times the engine's session cap runs clean.
    Diagnoses mostly answer from the memo, so this asks the engine itself (``evaluate``), once
    with a diagnosis' own fact, and checks the diagnosis still agrees."""
    gateway = get_gateway()
    table = load_diagnosis_table()
    profile = load_profile(SHIPPED[0])
    assert diagnose(profile).scenario == _expected_scenario(SHIPPED[0])
    fact = build_fact(profile, table)
    fired = gateway.evaluate(table.name, fact)
    assert fired
    before = gateway.evaluations
    for _ in range(5000):  # five times the engine's session cap
        assert gateway.evaluate(table.name, fact) == fired
    assert gateway.evaluations - before == 5000
    assert gateway.live_sessions() == 0
    last_sid = f"{gateway._pid}-{next(gateway._sessions) - 1}"
    assert gateway.session_state(table.name, last_sid) is None


def test_leaked_sessions_would_hit_the_engine_cap() -> None:
    """The control for the test above: without cleanup the engine really does refuse."""
    table = load_diagnosis_table()
    gateway = RulesGateway()
    gateway.register(table.name, table.definition)
    host = gateway._engine()
    fact = {"kind": "pmo_assessment", "pmo": {"exists": True, "age_months": 12}}
    for i in range(SESSION_CAP):
        host.fire(table.name, f"leak-{i}", [{**fact, "sid": f"leak-{i}"}])  # never deleted
    with pytest.raises(MemoryError):
        host.fire(table.name, "one-too-many", [{**fact, "sid": "one-too-many"}])


def test_registering_the_same_ruleset_twice_is_harmless() -> None:
    table = load_diagnosis_table()
    table.ensure_registered()
    table.ensure_registered()
    assert get_gateway().is_registered(table.name)


def test_registering_other_rules_under_a_known_name_is_refused() -> None:
    gateway = RulesGateway()
    gateway.register("demo", {"r": {"all": [{"m": {"kind": "x"}}], "run": "r"}})
    with pytest.raises(EngineError, match="already registered"):
        gateway.register("demo", {"s": {"all": [{"m": {"kind": "y"}}], "run": "s"}})


def _diagnose_in_child(path: str, queue: "multiprocessing.Queue[str]") -> None:
    queue.put(diagnose(load_profile(path)).scenario)


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_worker_builds_its_own_engine() -> None:
    path = SHIPPED[0]
    assert diagnose(load_profile(path)).scenario == _expected_scenario(path)  # engine exists here
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_diagnose_in_child, args=(str(path), queue))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == _expected_scenario(path)


UNMATCHED_SCRIPT = """
from rules.gateway import RulesGateway
gateway = RulesGateway()
gateway.register("demo", {"r": {"all": [{"m": {"$and": [{"kind": "x"}, {"$gt": {"v": 2}}]}}],
                                "run": "r"}})
for i in range(3000):
    assert gateway.evaluate("demo", {"kind": "x", "v": 0, "i": i}) == []
    assert gateway.evaluate_facts("demo", [{"kind": "x", "v": 0, "fid": 1, "i": i},
                                           {"kind": "x", "v": 5, "fid": 2}]) == [("r", 2)]
print("ok")
"""


def test_facts_no_rule_matches_are_answered_empty_and_cleaned_up() -> None:
    """Without the gateway's catch-all rule this crashed the C engine (free(): invalid pointer)."""
    result = subprocess.run([sys.executable, "-c", UNMATCHED_SCRIPT], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "ok"


def test_a_rule_with_alternatives_is_reported_once_per_fact() -> None:
    gateway = RulesGateway()
    gateway.register("alternatives", {"o": {"all": [{"m": {"$and": [
        {"kind": "x"}, {"$or": [{"$gt": {"v": 2}}, {"$lt": {"v": 10}}]}]}}], "run": "o"}})
    assert gateway.evaluate("alternatives", {"kind": "x", "v": 5}) == ["o"]  # both hold
    fired = gateway.evaluate_facts("alternatives", [{"kind": "x", "v": 5, "fid": "a"},
                                                    {"kind": "x", "v": 50, "fid": "b"}])
    assert sorted(fired) == [("o", "a"), ("o", "b")]


def test_the_gateway_reserves_its_catch_all_rule_id() -> None:
    with pytest.raises(EngineError, match="reserved"):
        RulesGateway().register("x", {CATCH_ALL: {"all": [{"m": {"kind": "x"}}], "run": "y"}})


@pytest.mark.parametrize(("value", "fires"), [
    (1e-05, False),   # Python writes it 1e-05; the engine's reader refuses exponents
    (2.5e-3, False),  # 0.0025 needs no exponent
    (3.0, True),
])
def test_numbers_python_writes_with_an_exponent_reach_the_engine(value: float,
                                                                  fires: bool) -> None:
    gateway = RulesGateway()
    gateway.register("numbers", {"big": {"all": [{"m": {"$and": [
        {"kind": "x"}, {"$gt": {"nested.v": 0.5}}]}}], "run": "big"}})
    assert gateway.evaluate("numbers", {"kind": "x", "nested": {"v": value}}) == \
        (["big"] if fires else [])
