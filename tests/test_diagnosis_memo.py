"""A diagnosis asks the engine's exact memo which rules fire and orders them as the engine does.

``rules.diagnosis.diagnose`` (the API's answers) takes the set of fired rules from
``RulesGateway.firing_set`` (answered by ``rules/memo.py`` for a fact like one seen before) and
sorts it by priority, keeping the definition order within a priority. That is the engine's own
firing order for one fact in a fresh session: pinned here on every shipped profile, every
vignette, generated profiles and facts with values at and beside each threshold, asked first
(the engine decides and teaches) and again (the memo answers). And a whole diagnosis through the
memo (and the reviews' remembered rankings) equals the one through the engine, field by field
(issue 13)."""

from __future__ import annotations

from typing import Any

import pytest
from test_diagnosis_vignettes import VIGNETTES
from test_gateway_thin_host import _generated_documents
from test_memo import _boundary_facts

import rules.diagnosis
from advisor.assessment import parse_profile, read_document
from advisor.errors import InputError
from advisor.presets import shipped_profiles
from rules.diagnosis import build_fact, coverage_of, diagnose, score_rules
from rules.diagnosis_table import load_diagnosis_table
from rules.gateway import RulesGateway

GENERATED = 1500
BOUNDARY = 1500


def _documents() -> list[dict[str, Any]]:
    return ([read_document(entry.path) for entry in shipped_profiles().values()]
            + [v.values[0] for v in VIGNETTES] + list(_generated_documents(GENERATED)))


def test_the_engine_fires_by_priority_then_in_definition_order() -> None:
    table = load_diagnosis_table()
    engine, memo = RulesGateway(), RulesGateway()
    for gateway in (engine, memo):
        gateway.register(table.name, table.definition)
    priority = {rule.id: rule.priority for rule in table.rules}
    facts = [build_fact(parse_profile(doc), table) for doc in _documents()]
    facts += list(_boundary_facts(BOUNDARY))
    for fact in facts + facts:        # first the engine decides (and teaches), then the memo
        ordered = sorted(memo.firing_set(table.name, fact), key=priority.__getitem__)
        assert ordered == engine.evaluate(table.name, fact), fact
    hits, _ = memo.memo_stats(table.name)
    assert hits >= len(facts)         # the second pass was the memo's


def test_a_diagnosis_through_the_memo_is_the_one_through_the_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _documents()[:400]
    profiles = [parse_profile(doc) for doc in documents]

    table = load_diagnosis_table()
    order = {rule.id: index for index, rule in enumerate(table.rules)}

    def engine(profile: Any, table: Any) -> tuple[Any, Any, tuple[str, ...]]:
        fact, fired = rules.diagnosis._fired(profile, table)          # the engine's own order
        return fact, fired, tuple(sorted((r.id for r in fired), key=order.__getitem__))

    def computed(scoring: tuple[str, ...], profile: Any, table: Any) -> tuple[float, Any]:
        coverage = coverage_of(profile, table)                      # nothing remembered
        return coverage, score_rules([table.by_id[i] for i in scoring], coverage, table)

    def all_of(use_memo: bool) -> list[Any]:
        if not use_memo:
            monkeypatch.setattr(rules.diagnosis, "_fired_in_order", engine)
            monkeypatch.setattr(rules.diagnosis, "_remembered", computed)
        out = []
        for profile in profiles:
            try:
                out.append(diagnose(profile))
            except InputError as error:     # no evidence at all: refused the same way
                out.append(str(error))
        return out

    through_memo = all_of(True) + all_of(True)
    assert through_memo[:len(profiles)] == through_memo[len(profiles):] == all_of(False)


def _walked_evidence(steps: Any, fact: dict[str, Any]) -> dict[str, Any]:
    """The evidence as the diagnosis read it before its makers were generated: each path walked
    step by step (absent, a leaf before its end, or None: left out), a feature followed by the
    indicators behind it that the fact has."""
    evidence: dict[str, Any] = {}
    for key, path, behind in steps:
        value: Any = fact
        try:
            for step in path:
                value = value[step]
        except (KeyError, TypeError):
            continue
        if value is None:
            continue
        evidence[key] = value
        for ind in behind:
            if ind in fact["ind"]:
                evidence[ind] = fact["ind"][ind]
    return evidence


def test_every_rules_generated_answer_maker_reads_the_evidence_the_walk_reads() -> None:
    table = load_diagnosis_table()
    makers, readers = rules.diagnosis._answer_makers(table)
    facts = [build_fact(parse_profile(doc), table) for doc in _documents()[:600]]
    facts += list(_boundary_facts(300))
    for fact in facts:
        for rule in table.rules:
            walked = _walked_evidence(table.evidence_steps[rule.id], fact)
            made = makers[rule.id](fact)
            assert readers[rule.id](fact) == made.evidence == walked, (rule.id, fact)
            assert list(made.evidence) == list(walked)           # the same keys in the same order
            assert made == rules.diagnosis.FiredRule(rule.id, rule.subject, rule.effect,
                                                     rule.weight, rule.reason, rule.source,
                                                     walked)


def test_the_records_an_answer_makes_directly_equal_those_their_dataclass_makes() -> None:
    from rules.diagnosis import RankedScenario, TransitionSign

    made = rules.diagnosis._SIGN("crisis", "team_morale", "why", "rule", {"a": 1.0}, ("b",))
    assert made == TransitionSign("crisis", "team_morale", "why", "rule", {"a": 1.0}, ("b",))
    assert type(made) is TransitionSign and not made.rests_on_one
    assert rules.diagnosis._RANKED("crisis", 0.25) == RankedScenario("crisis", 0.25)
    with pytest.raises(AttributeError):      # still frozen
        made.towards = "collapse"  # type: ignore[misc]
