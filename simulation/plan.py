"""The advice plan as a strategy the simulation can play (and compare with the alternatives).

The advice (``rules/advice``) ends in a plan: waves ``now``, ``next`` and ``later``, each a list
of changes to services (introduce, strengthen, keep, reduce, retire; from one maturity level to
another). :func:`strategy_document_from_plan` turns that JSON shape (a mapping; no import of the
advice's classes, so the plan may come from a file, the API or :func:`advice_plan`) into a
strategy document (:func:`simulation.strategies.strategy_from_document` reads it):

- **when**: wave ``now`` is the strategy at month 0, ``next`` a schedule phase from
  ``WAVE_MONTHS["next"]``, ``later`` from ``WAVE_MONTHS["later"]`` (model assumption P1,
  docs/model.md: the guide's implementation takes 6-24 months, Hobbs 2007);
- **which services**: those the PMO runs (``from_maturity`` above 0) plus those a wave introduces,
  minus those it retires; each service's share of service work is proportional to the level it
  aims for (P2: a service run at level 4 is more work than one at level 2);
- **at which level**: each service's ``to_maturity`` becomes its target (``targets``);
- **effort per step**: each step's need (``simulation/data/dynamics.yaml``), tilted towards
  Service Development and Onboarding while a wave introduces or strengthens services and towards
  Improvement while it strengthens them (P3); approach ``tailored`` (the advice tailors its
  approach to each customer).

When the advice has no ``plan`` yet, :func:`waves_from_advice` builds the waves from its
per-service ``action`` and ``timing`` (the seam until the plan lands).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from advisor.assessment import Profile
from advisor.catalog import load_catalog
from advisor.errors import InputError
from advisor.sections import services_of
from simulation.dynamics import load_dynamics
from simulation.strategies import Strategy, strategy_from_document

__all__ = ["WAVES", "WAVE_MONTHS", "GROWTH_TILT", "IMPROVEMENT_TILT", "waves_from_advice",
           "strategy_document_from_plan", "strategy_from_plan", "profile_plan_strategy",
           "profile_plan_document", "advice_plan"]

WAVES = ("now", "next", "later")
#: Month from which each wave's changes apply (assumption P1).
WAVE_MONTHS: Mapping[str, int] = {"now": 0, "next": 6, "later": 12}
GROWTH_TILT = 0.3            # extra effort (share of need) on Development and Onboarding (P3)
IMPROVEMENT_TILT = 0.2       # extra effort (share of need) on Improvement while strengthening
_GROWING = ("introduce", "strengthen")
_ACTIONS = ("introduce", "strengthen", "keep", "reduce", "retire")


def waves_from_advice(advice: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's waves from an advice's JSON: its ``plan.waves`` when there is one, otherwise
    one wave per timing built from each service's ``action``, ``timing``, ``current_maturity``
    and ``recommended_maturity``."""
    plan = advice.get("plan")
    if isinstance(plan, Mapping) and "waves" in plan:
        return list(plan["waves"])
    waves: dict[str, list[dict[str, Any]]] = {w: [] for w in WAVES}
    for service in advice.get("services", []):
        if service.get("action") not in _ACTIONS:
            continue
        waves[service.get("timing") or "now"].append({
            "service": service["id"], "action": service["action"],
            "from_maturity": service.get("current_maturity") or 0,
            "to_maturity": (0 if service["action"] == "retire"
                            else service.get("recommended_maturity")
                            or service.get("current_maturity") or 1),
            "reason": "advice: " + service["action"]})
    return [{"wave": w, "changes": changes} for w, changes in waves.items() if changes]


def _level(value: Any, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 5:
        raise InputError(f"must be a maturity level 0-5, got {value!r}", field)
    return int(round(value))


def _effort(growing: bool, strengthening: bool) -> dict[str, float]:
    dynamics = load_dynamics()
    weights = {}
    for step, need in zip(dynamics.steps, dynamics.step_need):
        tilt = 0.0
        if growing and step in ("service_development", "service_onboarding"):
            tilt += GROWTH_TILT
        if strengthening and step == "service_improvement":
            tilt += IMPROVEMENT_TILT
        weights[step] = need * (1.0 + tilt)
    return _rounded(weights)


def _rounded(weights: Mapping[str, float]) -> dict[str, float]:
    """Shares summing to exactly 1 at four decimals (the remainder goes to the largest)."""
    total = sum(weights.values())
    shares = {k: round(v / total, 4) for k, v in weights.items()}
    largest = max(shares, key=lambda k: (shares[k], k))
    shares[largest] = round(shares[largest] + 1.0 - sum(shares.values()), 4)
    return shares


def strategy_document_from_plan(plan: Mapping[str, Any] | Sequence[Mapping[str, Any]], *,
                                name: str | None = None, strategy_id: str = "plan",
                                current: Mapping[str, int] | None = None) -> dict[str, Any]:
    """A strategy document playing the plan's waves (see the module docstring).

    ``plan``: ``{"waves": [...]}``, an advice's JSON (with ``plan`` or ``services``) or the list
    of waves. ``current``: the profile's services and their maturity, for services the plan
    leaves alone (they keep running at their level)."""
    if isinstance(plan, Mapping):
        waves = plan["waves"] if "waves" in plan else waves_from_advice(plan)
    else:
        waves = list(plan)
    services = set(load_catalog().ids("services"))
    level: dict[str, int] = {s: int(m) for s, m in (current or {}).items() if m}
    running = set(level)
    by_wave: dict[str, tuple[Mapping[str, Any], ...]] = {}
    for i, wave in enumerate(waves):
        where = f"plan.waves[{i}]"
        if not isinstance(wave, Mapping) or wave.get("wave") not in WAVES:
            raise InputError("needs wave: now, next or later", f"{where}.wave")
        if wave["wave"] in by_wave:
            raise InputError(f"wave {wave['wave']!r} is listed twice", f"{where}.wave")
        changes = wave.get("changes") or []
        for j, change in enumerate(changes):
            if not isinstance(change, Mapping) or change.get("service") not in services:
                raise InputError("needs a known service", f"{where}.changes[{j}].service")
            if change.get("action") not in _ACTIONS:
                raise InputError("allowed: " + ", ".join(_ACTIONS),
                                 f"{where}.changes[{j}].action")
        by_wave[wave["wave"]] = tuple(changes)
    for change in by_wave.get("now", ()):   # what runs before the plan starts
        before = _level(change.get("from_maturity"), "from_maturity")
        if before:
            level.setdefault(change["service"], before)
            running.add(change["service"])

    phases: list[dict[str, Any]] = []
    for wave in WAVES:
        changes = by_wave.get(wave, ())
        if not changes and wave != "now":
            continue
        for i, change in enumerate(changes):
            service, action = change["service"], change["action"]
            aim = _level(change.get("to_maturity"), f"plan.{wave}.changes[{i}].to_maturity")
            if action == "retire" or aim == 0:
                running.discard(service)
                level.pop(service, None)
            else:
                running.add(service)
                level[service] = aim or level.get(service, 1)
        if not running:
            if phases:
                raise InputError("the plan leaves the PMO without any service at the "
                                 f"{wave!r} wave", "plan")
            continue             # nothing runs yet: the first wave with services starts it
        actions = {c["action"] for c in changes}
        phases.append({
            "month": WAVE_MONTHS[wave] if phases else 0,
            "effort": _effort(bool(actions & set(_GROWING)), "strengthen" in actions),
            "services": _rounded({s: float(level[s]) for s in sorted(running)}),
            "targets": {s: level[s] for s in sorted(running)},
        })
    if not phases:
        raise InputError("the plan gives the PMO no service to run in any wave", "plan")
    first, later = phases[0], phases[1:]
    label = name or "the PMO"
    document: dict[str, Any] = {
        "id": strategy_id,
        "name": f"Plan for {label}",
        "summary": f"The advice plan for {label}: {len(first['services'])} services from month "
                   "0" + "".join(f", {len(p['services'])} from month {p['month']}"
                                 for p in later) + "; each service works towards its level.",
        "source": "pmo-advisor recommend (advice plan waves); docs/model.md, plan assumptions "
                  "P1-P3",
        "effort": first["effort"],
        "services": first["services"],
        "approach": "tailored",
        "triggers": [],
        "targets": first["targets"],
    }
    if later:
        document["schedule"] = later
    return document


def advice_plan(advice: Any) -> dict[str, Any]:
    """The parts of an :class:`rules.advice.Advice` the plan needs, in the plan's JSON shape:
    ``plan.waves`` (each change as service, action, from and to maturity, reason) and, for
    :func:`waves_from_advice`'s fallback, each service's action and timing."""
    return {
        "plan": {"waves": [
            {"wave": w.wave, "capacity": w.capacity, "capacity_rule": w.capacity_rule,
             "changes": [{"service": c.service, "action": c.action,
                          "from_maturity": c.from_maturity, "to_maturity": c.to_maturity,
                          "reason": c.reason} for c in w.changes]}
            for w in advice.plan.waves]} if advice.plan.waves else None,
        "services": [{"id": s.id, "action": s.action, "timing": s.timing,
                      "current_maturity": s.current_maturity,
                      "recommended_maturity": s.recommended_maturity}
                     for s in advice.services],
    }


def profile_plan_document(profile: Profile) -> dict[str, Any]:
    """The profile's own advice plan as a strategy document (``recommend --strategy-out``)."""
    from rules.advice import recommend
    return strategy_document_from_plan(advice_plan(recommend(profile)), name=profile.name,
                                       current=services_of(profile))


def profile_plan_strategy(profile: Profile) -> Strategy:
    """The profile's own advice plan as a strategy (``plan`` in a strategy list)."""
    return strategy_from_document(profile_plan_document(profile), "plan", "plan")


def strategy_from_plan(plan: Mapping[str, Any] | Sequence[Mapping[str, Any]],
                       **options: Any) -> Strategy:
    """:func:`strategy_document_from_plan`, read back as a checked :class:`Strategy`."""
    return strategy_from_document(strategy_document_from_plan(plan, **options), "plan",
                                  options.get("strategy_id", "plan"))
