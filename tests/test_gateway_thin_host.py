"""The thin engine host fires exactly the rules durable-rules' own host fires.

The thin host (``rules/gateway.py``) calls the C module directly and reads only each firing's
rule name (and, in a batch, its fact id); the full host is durable-rules' Python ``Host``. Both
drive the same C matcher, so on any fact they must report the same firings in the same order:
checked on every shipped profile, every diagnosis vignette, the advice batches of every shipped
profile, and thousands of generated profiles, edge values included.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from test_diagnosis_vignettes import VIGNETTES

from advisor.assessment import INDICATOR_RANGE, TRENDS, parse_profile
from advisor.catalog import load_catalog
from advisor.errors import EngineError, InputError
from advisor.presets import shipped_profiles
from rules.advice.recommend import recommend
from rules.diagnosis import build_fact, diagnose, diagnose_ranking
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import RulesGateway, _engine_json, _engine_safe, get_gateway

GENERATED = 3000


@pytest.fixture(scope="module")
def hosts() -> tuple[RulesGateway, RulesGateway]:
    thin, full = RulesGateway(host="thin"), RulesGateway(host="full")
    table = load_diagnosis_table()
    for gateway in (thin, full):
        gateway.register(table.name, table.definition)
    return thin, full


def _same_firings(hosts: tuple[RulesGateway, RulesGateway], fact: dict[str, Any]) -> None:
    thin, full = hosts
    name = load_diagnosis_table().name
    expected = full.evaluate(name, fact)
    assert thin.evaluate(name, fact) == expected, fact
    assert thin.live_sessions() == 0


def _generated_documents(n: int, seed: int = 13) -> Iterator[dict[str, Any]]:
    """Random but valid profiles; values on a 0.05 grid so thresholds are hit exactly too."""
    rnd = random.Random(seed)
    catalog = load_catalog()
    indicators = catalog.ids("indicators")
    signs = catalog.ids("signs")
    low, high = INDICATOR_RANGE
    steps = int((high - low) / 0.05)
    for _ in range(n):
        pmo: dict[str, Any] = {"exists": rnd.random() < 0.8,
                               "previous_pmo_closed": rnd.random() < 0.2}
        if rnd.random() < 0.8:
            pmo["age_months"] = rnd.choice([0, 3, 6, 12, 18, 24, 36, 60, rnd.uniform(0, 120)])
        chosen = rnd.sample(indicators, rnd.randint(0, len(indicators)))
        yield {
            "pmo": pmo,
            "indicators": {i: round(low + 0.05 * rnd.randint(0, steps), 2) for i in chosen},
            "trends": {i: rnd.choice(TRENDS) for i in rnd.sample(indicators, rnd.randint(0, 6))},
            "signs": rnd.sample(signs, rnd.randint(0, 4)),
        }


def test_thin_host_fires_like_the_full_host_on_every_shipped_profile(hosts) -> None:
    table = load_diagnosis_table()
    for shipped in shipped_profiles().values():
        _same_firings(hosts, build_fact(shipped.profile, table))


@pytest.mark.parametrize(("doc", "expected", "transition"), VIGNETTES)
def test_thin_host_fires_like_the_full_host_on_every_vignette(hosts, doc, expected,
                                                              transition) -> None:
    _same_firings(hosts, build_fact(parse_profile(doc), load_diagnosis_table()))


@pytest.mark.slow
def test_thin_host_fires_like_the_full_host_on_generated_profiles(hosts) -> None:
    table = load_diagnosis_table()
    fired_any = set()
    for doc in _generated_documents(GENERATED):
        fact = build_fact(parse_profile(doc), table)
        _same_firings(hosts, fact)
        fired_any.update(hosts[0].evaluate(table.name, fact))
    # the generator reaches most of the table, so the comparison covers most rules
    assert len(fired_any) >= 0.8 * len(table.definition), sorted(fired_any)


def test_thin_host_reports_advice_batches_like_the_full_host(monkeypatch) -> None:
    """The advice asserts batches of facts in one session; each firing names its fact id."""
    batches: list[tuple[str, list[dict[str, Any]]]] = []
    gateway = get_gateway()
    original = gateway.evaluate_facts

    def recording(ruleset: str, facts: Any) -> list[tuple[str, Any]]:
        batches.append((ruleset, [dict(f) for f in facts]))
        return original(ruleset, facts)

    monkeypatch.setattr(gateway, "evaluate_facts", recording)
    for shipped in shipped_profiles().values():
        recommend(shipped.profile)
    monkeypatch.undo()
    assert any(len(facts) > 1 for _, facts in batches)

    thin, full = RulesGateway(host="thin"), RulesGateway(host="full")
    for name, definition in gateway._definitions.items():
        thin.register(name, definition)
        full.register(name, definition)
    for ruleset, facts in batches:
        assert thin.evaluate_facts(ruleset, facts) == full.evaluate_facts(ruleset, facts)


def test_thin_host_deduplicates_or_alternatives_like_the_full_host() -> None:
    """durable-rules fires an ``$or`` rule once per alternative that holds; both report once."""
    rules = {"o": {"all": [{"m": {"$and": [
        {"kind": "x"}, {"$or": [{"$gt": {"v": 2}}, {"$lt": {"v": 10}}]}]}}], "run": "o"}}
    facts = [{"kind": "x", "v": 5, "fid": "a"}, {"kind": "x", "v": 50, "fid": "b"},
             {"kind": "x", "v": 1, "fid": "c"}]
    answers = []
    for kind in ("thin", "full"):
        gateway = RulesGateway(host=kind)
        gateway.register("alternatives", rules)
        answers.append((gateway.evaluate("alternatives", facts[0]),
                        gateway.evaluate_facts("alternatives", facts)))
    assert answers[0] == answers[1]
    assert answers[0][0] == ["o"]
    assert sorted(answers[0][1]) == [("o", "a"), ("o", "b"), ("o", "c")]


def test_thin_host_deletes_every_session_even_when_the_fact_is_refused() -> None:
    gateway = RulesGateway(host="thin")
    gateway.register("demo", {"r": {"all": [{"m": {"kind": "x"}}], "run": "r"}})
    for i in range(1100):  # past the engine's 1,024 live sessions
        assert gateway.evaluate("demo", {"kind": "x", "i": i}) == ["r"]
        with pytest.raises(EngineError):  # the same fact twice: the engine refuses the second
            gateway.evaluate_facts("demo", [{"kind": "x", "i": i}, {"kind": "x", "i": i}])
    assert gateway.session_state("demo", f"{gateway._pid}-1") is None
    assert gateway.live_sessions() == 0


@pytest.mark.parametrize("fact", [
    {"kind": "x", "v": 1e-05, "w": [2.5e-3, {"z": -3e-7}], "s": "1e-5 in a string"},
    {"kind": "x", "v": 3.0, "sid": "caller's own", "t": (1, 2)},
    {"kind": "x", "nested": {"v": 12345678.9}, "label": "Ünïcode"},
    {"kind": "x", "v": float("nan")},
])
def test_thin_host_writes_the_text_the_full_host_would(fact: dict[str, Any]) -> None:
    """The thin host dumps a fact as it is and rebuilds it only when the text shows an
    exponent; the text must be what the engine-safe copy dumps to, with the session id."""
    expected = json.dumps({**_engine_safe(fact), "sid": "7-1"}, ensure_ascii=False)
    if "sid" in fact:  # ours replaces the caller's: same object, the key moves to the end
        assert json.loads(_engine_json(fact, "7-1")) == json.loads(expected)
    else:
        assert _engine_json(fact, "7-1") == expected


def test_the_reviews_ranking_is_the_full_diagnosis_ranking() -> None:
    """The simulation's reviews ask only for the ranking (diagnose_ranking); it must be the one
    diagnose() gives, on every shipped profile and on generated ones."""
    profiles = [s.profile for s in shipped_profiles().values()]
    for doc in _generated_documents(400, seed=31):
        profile = parse_profile(doc)
        try:
            diagnose(profile)
        except InputError:      # nothing to diagnose: both refuse alike (checked below)
            with pytest.raises(InputError):
                diagnose_ranking(profile)
            continue
        profiles.append(profile)
    for profile in profiles:
        assert diagnose_ranking(profile) == diagnose(profile).ranking
