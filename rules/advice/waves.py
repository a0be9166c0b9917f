"""The plan a PMO can carry out: service changes in waves bounded by its capacity, and the
structural recommendations about the PMO itself (``advice_waves.yaml``, ``advice_structure.yaml``).

Recommending every producer of every ranked outcome at once would hand a small team a dozen
changes. The guide builds maturity level by level (p.275-276) and starts with simple processes
(p.111); so each change moves one service by at most one level, new services start low, and each
wave (now, next, later) holds at most as many changes as the PMO's resources and team can take.
What does not fit is deferred, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rules.advice.demand import Assessment
from rules.advice.explain import because, conclusions
from rules.advice.model import Because, Plan, PlanChange, StructureAdvice, Wave
from rules.advice.services import ServicePlan, organization_values
from rules.advice.table import TIMINGS, AdviceTable
from rules.table import Rule

__all__ = ["CHANGING", "CUTS", "change_values", "build_plan", "held_back"]

CHANGING = ("introduce", "strengthen", "reduce", "retire")  # "keep" changes nothing
CUTS = ("reduce", "retire")
TIMING_CAUTION = tuple(reversed(TIMINGS))
WHOLE_MOVE = 5  # without a levels_per_wave rule a change would make the whole move at once

Fired = tuple[list[Rule], Mapping[str, Any]]


def change_values(assessment: Assessment, plan: ServicePlan) -> dict[str, Any]:
    """What the wave rules see of one service's change."""
    need = plan.need
    return {
        "scenario": assessment.scenario,
        "service": need.demand.service.id,
        "level": need.demand.service.level,
        "action": plan.action,
        "cut": plan.action in CUTS,
        "from_maturity": plan.current or 0,
        "to_maturity": plan.recommended or 0,
        "timing": plan.timing,
        "emphasized": need.emphasized,
        "covers_top_outcome": need.demand.covers_top_outcome,
        **organization_values(assessment),
    }


@dataclass
class _Staging:
    """One service's steps and how far the filling has got."""

    plan: ServicePlan
    steps: list[tuple[int | None, int | None]]
    rules: list[Rule]
    next_wave: int  # the earliest wave (index) its next step may enter
    done: int = 0  # steps scheduled so far

    @property
    def order(self) -> tuple[int, float, int]:
        """Cuts first (they free the team), then the scenario's strategy (Table 4-1), then
        customers' top outcomes, then the rest; by priority within each group."""
        need = self.plan.need
        if self.plan.action in CUTS:
            group = 0
        elif need.emphasized:
            group = 1
        elif need.demand.covers_top_outcome:
            group = 2
        else:
            group = 3
        return (group, -need.priority, need.demand.service.number)


def _smallest(rules: list[Rule], effect: str) -> int | None:
    values = [int(r.data["then"][effect]) for r in conclusions(rules, effect)]
    return min(values, default=None)


def _steps(plan: ServicePlan, per_wave: int, start_at: int | None
           ) -> list[tuple[int | None, int | None]]:
    """One (from, to) per change: a retirement stops the service at once; otherwise at most
    ``per_wave`` levels at a time, a new service entering at ``start_at``."""
    target = plan.recommended
    if plan.action == "retire":
        return [(plan.current, None)]
    if target is None:
        return []
    steps: list[tuple[int | None, int | None]] = []
    level = plan.current
    if level is None:
        level = min(start_at or target, target)
        steps.append((None, level))
    while level != target:
        move = min(per_wave, abs(target - level)) * (1 if target > level else -1)
        steps.append((level, level + move))
        level += move
    return steps


def _not_before(rules: list[Rule]) -> Rule | None:
    """The most deferring ``not_before`` rule that fired."""
    return min(conclusions(rules, "not_before"), key=lambda r: TIMING_CAUTION.index(r.subject),
               default=None)


def _staging(plan: ServicePlan, fired: Fired) -> _Staging:
    rules = fired[0]
    not_before = _not_before(rules)
    first = TIMINGS.index(plan.timing)
    if not_before is not None:
        first = max(first, TIMINGS.index(not_before.subject))
    per_wave = _smallest(rules, "levels_per_wave") or WHOLE_MOVE
    start_at = _smallest(rules, "start_at")
    return _Staging(plan=plan, steps=_steps(plan, per_wave, start_at), rules=rules,
                    next_wave=first)


def _action(staging: _Staging, frm: int | None) -> str:
    """A new service is introduced once; its later steps strengthen it."""
    action = staging.plan.action
    return "strengthen" if action == "introduce" and frm is not None else action


def held_back(table: AdviceTable, plans: list[ServicePlan],
              changes: Mapping[str, Fired]) -> dict[str, tuple[str, Because]]:
    """Per service whose wave rules defer it past its plan timing: the timing and the rule, so
    ``services[].timing`` never promises a change earlier than the plan allows."""
    out = {}
    for plan in plans:
        if plan.id not in changes:
            continue
        rules, fact = changes[plan.id]
        rule = _not_before(rules)
        if rule is not None and TIMINGS.index(rule.subject) > TIMINGS.index(plan.timing):
            out[plan.id] = (rule.subject, because(table, rule, fact))
    return out


def _reason(staging: _Staging, index: int) -> str:
    plan = staging.plan
    frm, to = staging.steps[index]
    total = len(staging.steps)
    why = plan.because[0].reason if plan.because else ""
    rule_ids = [r.id for r in staging.rules
                if r.effect in ("not_before", "start_at", "levels_per_wave")
                and (r.effect != "start_at" or frm is None)]
    if plan.action == "retire":
        head = "Stop the service."
    elif frm is None:
        head = f"Start the service at level {to}."
    else:
        head = f"Move from level {frm} to {to}."
    if total > 1:
        head += f" Step {index + 1} of {total} toward level {plan.recommended}."
    tail = f" [{', '.join([plan.because[0].id] + rule_ids)}]" if plan.because else ""
    return f"{head} {why}{tail}"


def _plain(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else f"{value:g}" \
        if isinstance(value, float) else str(value)


def _capacity(table: AdviceTable, pmo: Fired) -> tuple[int, str]:
    rules, fact = pmo
    rule = min(conclusions(rules, "capacity"), key=lambda r: r.data["then"]["capacity"],
               default=None)
    if rule is None:  # every profile meets one capacity rule; a table edit broke that
        raise AssertionError("no capacity rule fired")
    capacity = int(rule.data["then"]["capacity"])
    evidence = ", ".join(f"{k} {_plain(v)}" for k, v in table.evidence(rule, fact).items())
    return capacity, (f"At most {capacity} service changes per wave, each moving one service by "
                      f"at most one maturity level; the lowest capacity rule wins. {rule.id}: "
                      f"{rule.reason} [{rule.source}; {evidence}]")


def _structure(table: AdviceTable, pmo: Fired) -> tuple[StructureAdvice, ...]:
    rules, fact = pmo
    texts = table.config.get("structures", {})
    seen: dict[str, StructureAdvice] = {}
    for rule in conclusions(rules, "structure"):
        if rule.subject in seen:
            continue
        explained = because(table, rule, fact)
        seen[rule.subject] = StructureAdvice(
            id=rule.subject, recommendation=" ".join(str(texts[rule.subject]).split()),
            wave=str(rule.data["then"]["wave"]), rule=rule.id, reason=rule.reason,
            source=rule.source, evidence=explained.evidence)
    return tuple(sorted(seen.values(), key=lambda s: TIMINGS.index(s.wave)))


def build_plan(table: AdviceTable, plans: list[ServicePlan], pmo: Fired,
               changes: Mapping[str, Fired]) -> Plan:
    """Fill the waves: each wave takes, up to its capacity, the next step of every service whose
    first wave has come and whose previous step lies in an earlier wave, in ``_Staging.order``."""
    capacity, rule_text = _capacity(table, pmo)
    stagings = [_staging(p, changes[p.id]) for p in plans
                if p.action in CHANGING and p.id in changes]
    stagings = [s for s in stagings if s.steps]
    waves = []
    for index, name in enumerate(TIMINGS):
        ready = sorted((s for s in stagings if s.done < len(s.steps) and s.next_wave <= index),
                       key=lambda s: s.order)
        chosen = []
        for staging in ready[:capacity]:
            frm, to = staging.steps[staging.done]
            chosen.append(PlanChange(service=staging.plan.id, action=_action(staging, frm),
                                     from_maturity=frm, to_maturity=to,
                                     reason=_reason(staging, staging.done)))
            staging.done += 1
            staging.next_wave = index + 1
        waves.append(Wave(wave=name, capacity=capacity, capacity_rule=rule_text,
                          changes=tuple(chosen)))
    deferred = []
    for staging in sorted(stagings, key=lambda s: s.order):
        if staging.done == len(staging.steps):
            continue
        frm = staging.steps[staging.done][0]
        why = ("one level per wave leaves the rest for after the later wave"
               if staging.next_wave >= len(TIMINGS) else
               f"the waves it could enter are full (at most {capacity} changes each)")
        plan = staging.plan
        rule = f" [{plan.because[0].id}]" if plan.because else ""
        deferred.append(PlanChange(
            service=plan.id, action=_action(staging, frm), from_maturity=frm,
            to_maturity=None if plan.action == "retire" else plan.recommended,
            reason=f"Deferred: {why}; {len(staging.steps) - staging.done} of "
                   f"{len(staging.steps)} changes still to make.{rule}"))
    return Plan(waves=tuple(waves), deferred=tuple(deferred), structure=_structure(table, pmo))
