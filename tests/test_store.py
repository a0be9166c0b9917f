"""The assessments' memory, on SQLite and on a real PostgreSQL (the ``database_url`` fixture runs
every test on both): transactions, versions, concurrency, history and round trips."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from advisor.errors import InputError
from advisor.questionnaire import load_questionnaire
from api.store import ConflictError, NotFoundError, PreconditionFailedError
from api.store.models import Base

CRISIS_LIKE = {"fact.pmo_exists": True, "fact.age_months": 48,
               "executive_support.funding": 2, "stakeholder_support.participation": 2,
               "autonomy.mandate_clear": 2, "delivery_performance.on_time_budget": 3,
               "sign.artifacts_unused": True, "sign.bureaucracy_complaints": True}


def test_migrated_schema_matches_the_models(store):
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_organization_names_are_unique(store):
    store.create_organization("Acme")
    with pytest.raises(ConflictError, match="exists already"):
        store.create_organization("Acme")


def test_organizations_are_listed_a_page_at_a_time(store):
    for n in range(5):
        store.create_organization(f"Org {n}")
    total, page = store.list_organizations(offset=2, limit=2)
    assert (total, [o.name for o in page]) == (5, ["Org 2", "Org 3"])


def test_unknown_organization_or_cycle_is_not_found(store):
    with pytest.raises(NotFoundError):
        store.organization("nobody")
    store.create_organization("Acme")
    with pytest.raises(NotFoundError, match="no cycle 7"):
        store.cycle("Acme", 7)


def test_one_open_cycle_at_a_time(store):
    store.create_organization("Acme")
    assert store.create_cycle("Acme").number == 1
    with pytest.raises(ConflictError, match="open cycle"):
        store.create_cycle("Acme")


def test_a_bad_answer_stores_nothing_of_its_batch(store):
    store.create_organization("Acme")
    store.create_cycle("Acme")
    with pytest.raises(InputError) as caught:
        store.answer("Acme", 1, "ann", {"autonomy.mandate_clear": 3, "influence.consulted": 9})
    assert caught.value.field == "answers.influence.consulted"
    cycle = store.cycle("Acme", 1)
    assert (cycle.raters, cycle.version) == ([], 1)


def test_answers_replace_the_raters_earlier_answer_and_bump_the_version(store):
    store.create_organization("Acme")
    store.create_cycle("Acme")
    store.answer("Acme", 1, "ann", {"autonomy.mandate_clear": 3})
    summary = store.answer("Acme", 1, "ann", {"autonomy.mandate_clear": 4, "resources.budget": 2})
    assert summary.version == 3
    assert store.cycle("Acme", 1).raters[0]["answers"] == {"autonomy.mandate_clear": 4,
                                                              "resources.budget": 2}


def test_a_stale_version_cannot_overwrite_anothers_write(store):
    store.create_organization("Acme")
    store.create_cycle("Acme")
    store.answer("Acme", 1, "ann", {"autonomy.mandate_clear": 3}, if_match=1)
    with pytest.raises(PreconditionFailedError, match="version 2, not 1"):
        store.answer("Acme", 1, "bob", {"autonomy.mandate_clear": 1}, if_match=1)
    assert [r["name"] for r in store.cycle("Acme", 1).raters] == ["ann"]


def test_closing_keeps_profile_diagnosis_and_plan_and_refuses_later_answers(store):
    store.create_organization("Acme")
    store.create_cycle("Acme")
    store.answer("Acme", 1, "ann", CRISIS_LIKE, role="executive")
    closed = store.close_cycle("Acme", 1)
    assert closed.status == "closed"
    assert closed.scenario == closed.diagnosis["scenario"]
    assert closed.profile["indicators"]["executive_support"] == 2.0
    assert "services" in closed.plan
    with pytest.raises(ConflictError, match="closed") as caught:
        store.answer("Acme", 1, "bob", {"autonomy.mandate_clear": 3})
    assert caught.value.field == "status"


def test_a_new_cycles_trends_come_from_the_previous_closed_cycle(store):
    store.create_organization("Acme")
    for number, funding in ((1, 2), (2, 4)):
        store.create_cycle("Acme")
        store.answer("Acme", number, "ann", {**CRISIS_LIKE, "executive_support.funding": funding,
                                             "trend.autonomy": "falling"})
        closed = store.close_cycle("Acme", number)
    assert closed.profile["trends"] == {"autonomy": "falling", "delivery_performance": "steady",
                                           "executive_support": "rising",
                                           "stakeholder_support": "steady"}
    history = store.history("Acme")
    assert history.indicators["executive_support"] == [2.0, 4.0]
    assert len(history.scenario_path) == 2


def test_eight_raters_answering_at_once_lose_no_answer(store):
    store.create_organization("Acme")
    store.create_cycle("Acme")
    items = [i.id for i in load_questionnaire().of_part("indicator")][:12]
    errors: list[BaseException] = []

    def rate(n: int) -> None:
        try:
            for start in range(0, len(items), 4):  # three writes per rater
                store.answer("Acme", 1, f"rater {n}",
                             {item: 1 + (n + k) % 5 for k, item in enumerate(items[start:start + 4],
                                                                             start)})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=rate, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    cycle = store.cycle("Acme", 1)
    assert cycle.version == 1 + 8 * 3
    assert {r["name"]: len(r["answers"]) for r in cycle.raters} == {
        f"rater {n}": 12 for n in range(8)}


def test_export_wipe_import_round_trips_the_database(store):
    store.create_organization("Acme", pmo_name="Acme PMO")
    store.create_cycle("Acme", label="2026 Q1")
    store.answer("Acme", 1, "ann", CRISIS_LIKE)
    store.close_cycle("Acme", 1)
    store.create_cycle("Acme")
    store.answer("Acme", 2, "bob", {"autonomy.mandate_clear": "dont_know"})
    store.add_simulation_run("Acme", 1, "crisis_turnaround", 7, {"thriving": 0.25})
    before = store.dump()
    store.wipe()
    assert store.dump()["organizations"] == []
    store.load(before)
    assert store.dump() == before
    # ids continue after the loaded ones
    assert store.create_organization("Beta").id == before["organizations"][-1]["id"] + 1


def test_loading_refuses_a_non_empty_database(store):
    store.create_organization("Acme")
    with pytest.raises(ConflictError, match="not empty"):
        store.load(store.dump())


def test_the_shipped_example_turns_from_crisis_to_resurgence(store):
    from api.store.sheets import load_example

    load_example(store)
    history = store.history("Northwind Freight")
    assert history.scenario_path == ["crisis", "decline", "resurgence"]
    assert history.cycles[-1].trends["executive_support"] == "rising"
    # the raters' answers reach the diagnosis' changes and the advice's organization sections
    profile = store.cycle("Northwind Freight", 3).profile
    assert profile["changes"] == {"leadership_change": {"months_ago": 9.0},
                                  "strategy_shift": {"months_ago": 7.0}}
    assert profile["organization"]["scope"] == "enterprise"
    load_example(store)  # loading it again changes nothing
    assert len(store.cycles("Northwind Freight")) == 3
