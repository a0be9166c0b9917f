"""The exact memo of the engine's answer (``rules/memo.py``) answers what durable-rules answers.

A fact whose every rule's signature the memo has seen is answered without the engine; these
tests check that such answers are the engine's own (the same rules, and the reviews' ranking bit
for bit) on every shipped profile, every vignette and thousands of generated facts with values
exactly at each threshold and just either side; that the signatures follow the rule tables; and
that the memo refuses what it does not understand instead of guessing.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Iterator
from typing import Any

import pytest
from test_diagnosis_vignettes import VIGNETTES
from test_gateway_thin_host import _generated_documents

import rules.diagnosis
import rules.memo
from advisor.assessment import parse_profile
from advisor.errors import InputError
from advisor.presets import shipped_profiles
from rules.conditions import _OPERATORS
from rules.diagnosis import build_fact, diagnose_ranking, score_rules
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import CATCH_ALL, RulesGateway, get_gateway
from rules.memo import COMPARISONS, FiringMemo, MemoUnsupported

GENERATED = 3000


@pytest.fixture()
def gateways() -> tuple[RulesGateway, RulesGateway]:
    """(the engine alone, a gateway whose memo starts empty), both with the diagnosis rules."""
    table = load_diagnosis_table()
    engine, memo = RulesGateway(), RulesGateway()
    for gateway in (engine, memo):
        gateway.register(table.name, table.definition)
    return engine, memo


def _check(gateways: tuple[RulesGateway, RulesGateway], fact: dict[str, Any]) -> None:
    engine, memo = gateways
    table = load_diagnosis_table()
    expected = engine.evaluate(table.name, fact)
    answered = memo.firing_set(table.name, fact)
    assert set(answered) == set(expected), fact
    assert len(answered) == len(expected)
    # asked only about some rules (the reviews ask about the scoring ones): its own memo, and
    # on a miss the engine runs a ruleset of those rules alone
    some = memo.firing_set(table.name, fact, table.scoring)
    assert list(some) == [r for r in answered if r in table.scoring]


def _boundary_facts(n: int, seed: int = 5) -> Iterator[dict[str, Any]]:
    """Facts of generated profiles with some fields set exactly at a rule's threshold, or just
    either side of it (the next float, +-0.01), as an int or a float where that is valid."""
    rnd = random.Random(seed)
    table = load_diagnosis_table()
    memo = FiringMemo(table.definition)
    numeric = [(r.path, (r.atom[1],)) for r in memo._readings if r.atom is not None]
    docs = _generated_documents(n, seed=seed)
    for doc in docs:
        try:
            fact = build_fact(parse_profile(doc), table)
        except InputError:
            continue
        for path, thresholds in rnd.sample(numeric, rnd.randint(1, 6)):
            t = rnd.choice(thresholds)
            value = rnd.choice([t, math.nextafter(t, math.inf), math.nextafter(t, -math.inf),
                                round(t + 0.01, 2), round(t - 0.01, 2), float(t)])
            if rnd.random() < 0.3 and float(value).is_integer():
                value = int(value)
            node = fact
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
        yield fact


def test_memo_answers_like_the_engine_on_every_shipped_profile_and_vignette(gateways) -> None:
    table = load_diagnosis_table()
    facts = [build_fact(s.profile, table) for s in shipped_profiles().values()]
    facts += [build_fact(parse_profile(v.values[0]), table) for v in VIGNETTES]
    for _ in range(2):          # first the engine teaches the memo, then the memo answers
        for fact in facts:
            _check(gateways, fact)
    hits, misses = gateways[1].memo_stats(table.name)
    assert hits >= 2 * len(facts) and hits + misses == 4 * len(facts)   # two memos


def test_memo_answers_like_the_engine_at_thresholds_and_either_side(gateways) -> None:
    facts = list(_boundary_facts(GENERATED))
    for fact in facts:
        _check(gateways, fact)
    hits, misses = gateways[1].memo_stats(load_diagnosis_table().name)
    # the memos, not the engine, answered many of these new facts: the comparison tests them
    assert hits > 0.3 * 2 * len(facts), (hits, misses)


def test_reviews_ranking_from_the_memo_is_the_engines_bit_for_bit(monkeypatch) -> None:
    """diagnose_ranking answers from the memo; score_rules on the engine's ordered firings is
    the reference. Generated profiles twice over, so the second pass comes from the memo."""
    table = load_diagnosis_table()
    assert table.sums_exact
    fresh = RulesGateway()
    monkeypatch.setattr("rules.gateway._gateway", fresh)
    monkeypatch.setattr(rules.diagnosis, "_RANKINGS", {})
    engine = RulesGateway()
    engine.register(table.name, table.definition)
    profiles = [s.profile for s in shipped_profiles().values()]
    profiles += [parse_profile(doc) for doc in _generated_documents(300, seed=47)]
    for profile in profiles * 2:
        fired = [table.by_id[r] for r in engine.evaluate(table.name, build_fact(profile, table))]
        try:
            expected = score_rules(fired, rules.diagnosis.coverage_of(profile, table), table)
        except InputError:
            with pytest.raises(InputError):
                diagnose_ranking(profile)
            continue
        assert diagnose_ranking(profile) == expected
    assert fresh.memo_stats(table.name)[0] >= len(profiles) // 2


def test_a_new_threshold_in_the_rules_changes_the_signatures() -> None:
    """The signatures come from the compiled rules: a threshold moved in a table separates
    facts the old one could not tell apart (and changes the memo's digest)."""
    definition = copy.deepcopy(dict(load_diagnosis_table().definition))
    rule_id, path, old = next(
        (rid, path, value) for rid, body in definition.items()
        for term in body["all"][0]["m"]["$and"] if "$lte" in term
        for path, value in term["$lte"].items() if path.startswith("ind."))
    new = old + 0.5
    for term in definition[rule_id]["all"][0]["m"]["$and"]:
        if "$lte" in term and path in term["$lte"]:
            term["$lte"][path] = new
    before, after = FiringMemo(load_diagnosis_table().definition), FiringMemo(definition)
    assert before.digest != after.digest
    index = before.rules.index(rule_id)
    facts = []
    for value in (old + 0.1, new + 0.1):    # both above the old threshold, either side of new
        fact = build_fact(shipped_profiles()["kickoff-fintech"].profile, load_diagnosis_table())
        fact["ind"][path.split(".")[1]] = value
        facts.append(fact)
    old_signatures = [before.signature(f)[index] for f in facts]
    new_signatures = [after.signature(f)[index] for f in facts]
    assert old_signatures[0] == old_signatures[1]
    assert new_signatures[0] != new_signatures[1]


def _rule(expression: Any) -> dict[str, Any]:
    return {"r": {"all": [{"m": expression}], "pri": 1, "run": "r"}}


@pytest.mark.parametrize("definition", [
    _rule({"$nex": {"v": 1}}),                                  # an operator it does not know
    _rule({"$iall": {"$gt": {"v": 1}}}),                        # array operators
    _rule({"$lt": {"v": {"$m": "w"}}}),                         # a field against another field
    _rule({"$and": [{"kind": "x"}, {"$mt": {"name": "a.*"}}]}),  # regular expressions
    _rule({"v": [1, 2]}),                                       # a non-scalar constant
    _rule({"$gt": {"v": float("inf")}}),
    {"r": {"all": [{"m": {"v": 1}}, {"n": {"v": 2}}], "run": "r"}},   # two facts joined
    {"r": {"any": [{"m": {"v": 1}}], "run": "r"}},
    {"r": {"all": [{"m": {"v": 1}}], "count": 3, "run": "r"}},
])
def test_memo_refuses_rules_it_does_not_understand(definition: dict[str, Any]) -> None:
    with pytest.raises(MemoUnsupported):
        FiringMemo(definition)


def test_memo_understands_every_comparison_the_rule_tables_compile_to() -> None:
    """rules/conditions.py writes these; a new one there must be taught to the memo first."""
    assert set(_OPERATORS.values()) <= set(COMPARISONS)
    for op in COMPARISONS:
        assert FiringMemo(_rule({"$and": [{"kind": "x"}, {op: {"a.v": 2.5}}]})).rules == ("r",)


def test_a_ruleset_the_memo_refuses_is_answered_by_the_engine() -> None:
    gateway = RulesGateway()
    gateway.register("refused", {
        "a": {"all": [{"m": {"$and": [{"kind": "x"}, {"$lt": {"v": {"$m": "w"}}}]}}], "run": "a"},
        "b": {"all": [{"m": {"$and": [{"kind": "x"}, {"$gt": {"v": 2}}]}}], "run": "b"}})
    for _ in range(2):
        assert gateway.firing_set("refused", {"kind": "x", "v": 3, "w": 4}) == ("a", "b")
        assert gateway.firing_set("refused", {"kind": "x", "v": 3, "w": 2}) == ("b",)
    assert gateway.memo_stats("refused") == (0, 0)


@pytest.mark.parametrize("value", [
    5e-05,                  # the engine reads it as 0 (the gateway rewrites it)
    float("nan"),
    {"nested": 1},          # a mapping where a number is read
    True,                   # a boolean where numbers are compared: the value itself is the key
])
def test_facts_the_memo_cannot_sign_go_to_the_engine(gateways, value: Any) -> None:
    table = load_diagnosis_table()
    fact = build_fact(shipped_profiles()["crisis-retailer"].profile, table)
    fact["ind"]["executive_support"] = value
    _, memo = gateways
    for _ in range(2):
        try:
            _check(gateways, fact)
        except Exception as exc:  # noqa: BLE001 - the engine refuses: so must the gateway
            with pytest.raises(type(exc)):
                memo.firing_set(table.name, fact)
    if value is not True:
        assert memo.memo_stats(table.name)[0] == 0


def test_a_fact_with_a_dotted_key_is_not_signed() -> None:
    memo = FiringMemo(load_diagnosis_table().definition)
    fact = build_fact(shipped_profiles()["crisis-retailer"].profile, load_diagnosis_table())
    assert memo.signature(fact) is not None
    assert memo.signature({**fact, "ind.executive_support": 1.0}) is None


def test_the_memo_keeps_a_bounded_number_of_signatures(monkeypatch) -> None:
    monkeypatch.setattr(rules.memo, "MAX_SIGNATURES_PER_RULE", 8)
    gateway = RulesGateway()
    gateway.register("bounded", _rule({"$and": [{"kind": "x"}, {"v": 1}]}))
    for v in range(40):     # a string is its own signature; numbers fall in 3 places
        gateway.firing_set("bounded", {"kind": "x", "v": v + 0.5})
        gateway.firing_set("bounded", {"kind": "x", "v": str(v)})
    memo = gateway._memos[("bounded", None)]
    assert memo is not None and memo.size() <= 8


def test_the_gateway_catch_all_is_never_reported() -> None:
    table = load_diagnosis_table()
    fact = build_fact(shipped_profiles()["thriving-energy"].profile, table)
    table.ensure_registered()
    assert CATCH_ALL not in get_gateway().firing_set(table.name, fact)


def test_forgetting_the_rankings_starts_the_memo_cold_with_the_same_answers() -> None:
    profile = shipped_profiles()["kickoff-fintech"].profile
    first = diagnose_ranking(profile)
    table = load_diagnosis_table()
    rules.diagnosis.forget_rankings()
    assert get_gateway().memo_stats(table.name) == (0, 0)
    assert diagnose_ranking(profile) == first
    assert diagnose_ranking(profile) == first
    assert get_gateway().memo_stats(table.name) == (1, 1)     # learned, then answered


def test_learning_after_a_miss_records_what_signing_afresh_records(gateways) -> None:
    """After a miss, learn reuses the signatures answer found (not signed twice): the memo it
    builds is the one learning from a fresh copy of each fact builds, on boundary facts."""
    table = load_diagnosis_table()
    engine = gateways[0]
    reused, fresh = FiringMemo(table.definition), FiringMemo(table.definition)
    missed = 0
    for fact in _boundary_facts(400, seed=21):
        fired = engine.evaluate(table.name, fact)
        if reused.answer(fact) is None:
            missed += 1
            reused.learn(fact, fired)
        fresh.learn(copy.deepcopy(fact), fired)
        assert reused.answer(fact) == fresh.answer(copy.deepcopy(fact))
    assert missed > 50 and reused._tables == fresh._tables
