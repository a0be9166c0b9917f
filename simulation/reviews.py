"""Quarterly executive reviews: the PMO is diagnosed, support and budget move, and the scenario
feeds back.

At each review the project's one diagnosis (:func:`rules.diagnosis.diagnose`, the durable-rules
engine) first classifies the PMO as an assessor sees it going into the review. Then executives
decide: their support moves towards what the evidence says (recognized value against what they
expect for their money by now, little at launch and full value once the PMO is past its
implementation, and what customers say), the budget follows their support, and the diagnosed
scenario adds its own adjustments, a restructuring in Decline, a shutdown in Collapse, and the
strategy's triggers (data: ``simulation/data/reviews.yaml`` and each strategy's ``triggers``).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import simpy

from advisor.errors import InputError
from rules.diagnosis import diagnose, diagnose_ranking
from simulation import leadership, portfolio
from simulation.dynamics import load_dynamics
from simulation.lifecycle import restructure, shutdown
from simulation.organization import maturity_tolerance
from simulation.state import PmoState, norm
from simulation.strategies import get_strategy

__all__ = ["review_process", "executive_review", "apply_triggers", "PHASE_REVIEW"]

PHASE_REVIEW = 0.5     # after the month's work and indicator changes


def _support_target(state: PmoState) -> float:
    """1 + 4 x [w x value for money + (1 - w) x stakeholder support (0-1)]: value for money is
    recognized value against what executives expect by now (nothing in the grace months after a
    launch or a restructuring, then rising to full value over the ramp), capped at 1."""
    p = state.params
    ramp = (state.mandate_age - p.expectation_grace_months) / p.expectation_ramp_months
    expected = p.value_expected * min(1.0, max(0.0, ramp))
    w = p.measured_value_weight
    value = (1.0 - w) * state.value_index() + w * state.measured_index()
    value_for_money = 1.0 if value >= expected or expected <= 0.0 else value / expected
    return 1.0 + 4.0 * (p.evidence_value_weight * value_for_money
                        + (1.0 - p.evidence_value_weight) * norm(state.x["stakeholder_support"]))


def apply_triggers(state: PmoState, scenario: str,
                   ranking: Sequence[tuple[str, float]] | None = None) -> None:
    """Switch strategy when the current one has a trigger for the diagnosed scenario. With a
    healthy Monitoring step (step 7) trouble is seen a review early: the runner-up scenario
    fires its trigger too when it scores close to the diagnosed one."""
    trigger = state.strategy.trigger_for(scenario) if state.exists else None
    p = state.params
    if (trigger is None and ranking is not None and state.exists
            and state.health[6] >= p.early_warning_health and len(ranking) > 1):
        (_, top), (runner_up, score) = ranking[:2]
        if top > 0 and score >= p.early_warning_score * top:
            trigger = state.strategy.trigger_for(runner_up)
    if trigger is not None:
        state.strategy = get_strategy(trigger.switch_to)
        state.log("strategy", state.strategy.id,
                  f"Strategy switches to {state.strategy.name}: {trigger.reason}")


def executive_review(state: PmoState) -> str:
    """One review at the current month; returns the scenario it diagnosed. Only a traced run
    keeps the full diagnosis (evidence, transition signs); others ask for the ranking alone,
    of the observation itself (no profile built)."""
    p = state.params
    x = state.x
    try:
        if state.events is not None:
            diagnosis = diagnose(state.observed_profile())
            ranking = diagnosis.ranking
            state.diagnoses.append((state.month, diagnosis))
        else:
            ranking = diagnose_ranking(state.observation())
    except InputError:   # no rule fires on what the assessor sees: the last view stands
        ranking = ((state.scenario, 1.0),)
    scenario = ranking[0][0]
    previous, state.scenario = state.scenario, scenario
    state.review_x = dict(x)
    if state.events is not None and scenario != previous:
        state.log("review", scenario, f"Executive review: {scenario}")
    if not state.exists:
        return scenario
    feedback = load_dynamics().feedback[scenario]
    target = _support_target(state)
    # a long record with this sponsor buys the benefit of the doubt when the evidence falls
    # short, the more so in an organization mature in project management (its executives know
    # what the discipline delivers); support won back by evidence moves at the normal pace
    sticky = 1.0 / (1.0 + state.record_age * maturity_tolerance(state) / p.reputation_months) \
        if target < x["executive_support"] else 1.0
    state.shift("executive_support", p.exec_response * sticky * (target - x["executive_support"]))
    state.shift("resources", p.budget_response * (x["executive_support"] - x["resources"])
                + feedback.resources)
    state.shift("autonomy", feedback.autonomy)
    decide = state.decide[state.month]
    if decide[0] < feedback.restructure_probability:
        restructure(state, decide[0] / feedback.restructure_probability)
    if decide[1] < feedback.shutdown_probability:
        shutdown(state)
    elif scenario == "collapse":
        state.show_sign("disbanding_considered", p.review_interval + 1)
    if state.strategy.made_for and scenario not in state.strategy.made_for:
        # a strategy made for other times costs what it cuts (e.g. a turnaround, no crisis)
        for indicator, shift in state.strategy.elsewhere:
            state.shift(indicator, shift)
    apply_triggers(state, scenario, ranking)
    leadership.adapt(state)
    portfolio.prune(state)
    portfolio.extend(state)
    return scenario


def review_process(env: simpy.Environment,
                   state: PmoState) -> Generator[simpy.Event, None, None]:
    """Reviews every ``interval`` months; it ends after the last one before the run's end (as
    ``flywheel.every_month`` does, so the replication's objects are freed without the garbage
    collector): the run stops at ``months + 1``, before anything due at that time."""
    interval = state.params.review_interval
    end = float(state.months + 1)        # as SimPy's run(until=...) takes it
    yield env.timeout(interval + PHASE_REVIEW)
    while True:
        executive_review(state)
        if env.now + interval >= end:
            return
        yield env.timeout(interval)
