"""The advice rule tables: readable rows, checked at load time, safe in the engine."""

from __future__ import annotations

import re
from typing import Any

import pytest

from advisor.errors import CatalogError
from rules.advice.table import advice_rule_from_row, load_advice_table

ROW: dict[str, Any] = {"id": "x_when_y", "then": {"action": "keep"}, "when": {"offered": True},
                       "reason": "Because.", "source": "model"}


def test_every_rule_has_an_id_a_reason_and_a_source() -> None:
    table = load_advice_table()
    assert len(table.rules) >= 100 and len(table.by_id) == len(table.rules)
    for rule in table.rules:
        assert re.fullmatch(r"[a-z][a-z0-9_]+", rule.id), rule.id
        assert rule.reason.endswith(".") and len(rule.reason) > 30, rule.id
        assert re.match(r"(Guide p\.|Guide Table|model)", rule.source), (rule.id, rule.source)


def test_every_fact_kind_has_rules() -> None:
    table = load_advice_table()
    kinds = {rule.data["fact"] for rule in table.rules}
    assert kinds == {"service_demand", "approach", "service_plan", "competency", "outcome", "pmo",
                     "change"}


def test_a_fact_no_rule_matches_leaves_the_engine_working() -> None:
    table = load_advice_table()
    lonely = table.fact("outcome", 1, {"outcome": 3, "best_rank": 9, "customers_ranking": 1,
                                       "producers_offered": 2, "producers_possible": 3,
                                       "customers_without_producer": 0,
                                       "services_assessed": True, "pmo_exists": True,
                                       "scenario": "growing"})
    assert table.fire([lonely]) == {}
    assert table.fire([lonely, {**lonely, "fid": 2, "best_rank": 1, "producers_offered": 0}]) \
        == {2: [table.by_id["top_outcome_produced_by_no_current_service"]]}


def test_a_rule_with_any_counts_once() -> None:
    table = load_advice_table()
    signs = {"constant_complaints": True, "bureaucracy_complaints": True}
    fired = table.fire([table.fact("pmo", 1, {"scenario": "growing", "sign": signs,
                                              "self_check": {"service_monitoring": "unchecked"}})])
    ids = [r.id for r in fired[1]]
    assert ids.count("service_monitoring_when_complaints_persist") == 1


@pytest.mark.parametrize(("row", "kind", "match"), [
    # a conclusion the fact kind cannot draw
    ({**ROW, "then": {"fit": 2}}, "service_plan", r"concludes one of \['action'"),
    # an action outside the five
    ({**ROW, "then": {"action": "outsource"}}, "service_plan", r"bad value for action"),
    # a companion that does not belong to the conclusion
    ({**ROW, "then": {"timing": "now", "target": 2}}, "service_plan", r"timing goes with nothing"),
    # a focus without its weight
    ({**ROW, "then": {"focus": "value_delivery"}, "when": {"scenario": "crisis"}}, "pmo",
     r"focus goes with \['weight'\]"),
    # a focus on a step that does not exist
    ({**ROW, "then": {"focus": "celebration", "weight": 1}, "when": {"scenario": "crisis"}},
     "pmo", r"bad value for focus"),
    # a maturity target outside 0-5
    ({**ROW, "then": {"target": 7}, "when": {"best_rank": {"lte": 3}}}, "service_demand",
     r"bad value for target"),
    # a key the fact does not carry
    ({**ROW, "when": {"offerd": True}}, "service_plan", r"unknown condition key 'offerd'"),
    # a choice outside its values
    ({**ROW, "when": {"scenario": "boom"}}, "service_plan", r"scenario must be one of"),
    # no reason
    ({**ROW, "reason": ""}, "service_plan", r"missing 'reason'"),
    # no then at all
    ({k: v for k, v in ROW.items() if k != "then"}, "service_plan", r"'then' must be a mapping"),
    # an unknown fact kind
    (ROW, "customer", r"'fact' must be one of"),
])
def test_bad_rows_are_refused_at_load_time(row: dict[str, Any], kind: str, match: str) -> None:
    with pytest.raises(CatalogError, match=match):
        advice_rule_from_row(row, kind)


def test_a_good_row_reads_its_conclusion() -> None:
    rule = advice_rule_from_row({**ROW, "then": {"action": "reduce", "target": 1}}, "service_plan")
    assert (rule.effect, rule.subject, rule.data["then"]) == \
        ("action", "reduce", {"action": "reduce", "target": 1})
