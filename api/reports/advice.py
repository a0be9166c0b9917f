"""The advice as a report a PMO lead can hand to a sponsor: what to do, for whom, and why.

Each recommendation names the rules behind it; what each rule means is said once, in the closing
"Why" section, so the body stays short enough to read.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

from advisor.assessment import Profile
from advisor.catalog import load_catalog
from advisor.sections import Customer, customers_of, flywheel_of, organization_of
from api.reports.text import fmt_evidence, fmt_value, heading, wrap
from rules.advice.model import Advice, ApproachAdvice, Because, PlanChange, ServiceAdvice

__all__ = ["render_advice"]

TIMING_TITLES = {
    "now": "Called for now (the plan above schedules them within capacity)",
    "next": "Next, once the first ones run",
    "later": "Later: deferred by the scenario",
}
CUT_TITLE = "Scale down or stop"
CUT_ACTIONS = ("reduce", "retire")


def _level(level: int | None) -> str:
    return "-" if level is None else str(level)


def _ids(items: Iterable[Because]) -> str:
    return ", ".join(b.id for b in items)


def _service(service: ServiceAdvice) -> list[str]:
    move = f"{_level(service.current_maturity)} -> {_level(service.recommended_maturity)}"
    lines = [f"  {service.rank:>2}. {service.name} (service {service.number}, {service.level}): "
             f"{service.action}, maturity {move}, priority {service.priority:g}"]
    if service.serves:
        served = "; ".join(f"{s.customer} #{s.rank} {s.name}" for s in service.serves)
        lines.append(wrap(f"serves: {served}", indent=6))
    lines.append(wrap(f"rules: {_ids(service.because)}", indent=6))
    return lines


def _services(advice: Advice) -> list[str]:
    lines = [heading("Services, most needed first")]
    if not advice.services:
        return lines + ["  none: no customer need and no scenario strategy calls for a service"]
    groups = [(TIMING_TITLES[t], [s for s in advice.services
                                  if s.timing == t and s.action not in CUT_ACTIONS])
              for t in TIMING_TITLES]
    groups.append((CUT_TITLE, [s for s in advice.services if s.action in CUT_ACTIONS]))
    for title, services in groups:
        if services:
            lines.append(f"\n  {title}")
            for service in services:
                lines += _service(service)
    return lines


def _change(change: PlanChange) -> str:
    name = load_catalog().service(change.service).name
    return (f"{change.action} {name}: maturity {_level(change.from_maturity)} -> "
            f"{_level(change.to_maturity)}")


def _plan(advice: Advice) -> list[str]:
    """The schedule: structural recommendations, then each wave's changes within capacity."""
    plan = advice.plan
    lines = [heading("Plan: what to change, wave by wave")]
    if plan.waves:
        lines.append(wrap(plan.waves[0].capacity_rule, indent=2))
    if plan.structure:
        lines.append("\n  The PMO itself (Table 4-1)")
        for item in plan.structure:
            lines.append(wrap(f"{item.wave}: {item.recommendation} [{item.rule}]", indent=4))
    for wave in plan.waves:
        lines.append(f"\n  {wave.wave.capitalize()} ({len(wave.changes)} of {wave.capacity} "
                     "changes)")
        lines += [wrap(f"- {_change(c)}", indent=4) for c in wave.changes] or ["    none"]
    full = [c for c in plan.deferred if "full" in c.reason]
    beyond = [c for c in plan.deferred if c not in full]
    for title, changes in (("Deferred, the waves are full", full),
                           ("Deferred, one level per wave: after the later wave", beyond)):
        if changes:
            lines.append(f"\n  {title}")
            lines.append(wrap("; ".join(f"{c.action} {c.service} {_level(c.from_maturity)} -> "
                                        f"{_level(c.to_maturity)}" for c in changes), indent=4))
    return lines


def _customer(customer: Customer | None, customer_id: str) -> str:
    if customer is None:
        return customer_id
    risk = f", {customer.risk} risk" if customer.risk else ""
    group = load_catalog().customer_group(customer.group).name.lower()
    return f"{customer_id} ({group}, maturity {fmt_value(customer.maturity)}{risk})"


def _approaches(advice: Advice, customers: Mapping[str, Customer]) -> list[str]:
    """Grouped by customer, then by approach: which services, and the fits that chose it."""
    lines = [heading("Approach per customer and service")]
    if not advice.approaches:
        return lines + ["  none: no customer ranked an outcome these services produce"]
    catalog = load_catalog()
    by_customer: dict[str, dict[str, list[ApproachAdvice]]] = {}
    for approach in advice.approaches:
        by_customer.setdefault(approach.customer, {}).setdefault(approach.approach, []).append(
            approach)
    for customer_id, by_approach in by_customer.items():
        lines.append(f"  {_customer(customers.get(customer_id), customer_id)}")
        for approach_id, chosen in by_approach.items():
            fits = dict.fromkeys(f"{b.then['fit']:+g} {b.id}" for a in chosen for b in a.because)
            lines.append(wrap(f"{catalog.approach(approach_id).name}: "
                              + ", ".join(a.service for a in chosen), indent=4))
            lines.append(wrap(f"fit: {', '.join(fits) or 'no rule fired'}", indent=8))
    return lines


def _maturity_table(advice: Advice) -> list[str]:
    def cell(value: float | None, count: int) -> str:
        return "-" if value is None else f"{value:g}% of {count}"

    lines = [heading("Service maturity, the guide's percentages (p.276)"),
             f"  {'level':<12} {'now':<14} recommended"]
    for group in advice.maturity:
        lines.append(f"  {group.level:<12} {cell(group.current, group.services_current):<14} "
                     f"{cell(group.recommended, group.services_recommended)}")
    return lines


def _competencies(advice: Advice) -> list[str]:
    lines = [heading("Team competencies the services need")]
    if not advice.competencies:
        return lines + ["  none: no service to run now or next"]
    rated = [c for c in advice.competencies if c.current is not None]
    if rated:
        lines.append(f"  {'status':<9} {'competency':<27} need  team  blocks")
    for c in rated:
        row = f"  {c.status:<9} {c.name:<27} {c.required:<5} {fmt_value(c.current):<5} "
        lines.append(textwrap.fill(", ".join(c.blocks) or "-", width=96, initial_indent=row,
                                   subsequent_indent=" " * len(row)))
    unrated = [f"{c.name} ({c.required})" for c in advice.competencies if c.current is None]
    if unrated:
        lines.append(wrap("not rated (level needed): " + ", ".join(unrated), indent=2))
    return lines


def _flywheel(advice: Advice, profile: Profile | None) -> list[str]:
    """The focus; with a profile whose flywheel self-check rates steps, which steps rest on the
    raters' answers and which on the indicators."""
    lines = [heading("Flywheel: the steps to push now")]
    checked = flywheel_of(profile) if profile is not None else {}
    if checked:
        catalog = load_catalog()
        lines.append(wrap("Rests on the self-check answers for "
                          + ", ".join(f"{catalog.step(s).name} ({band})"
                                      for s, band in checked.items())
                          + "; on the indicators for the other steps.", indent=2))
    for rank, step in enumerate(advice.flywheel_focus, start=1):
        lines.append(f"  {rank}. {step.name} (step {step.number}, {step.stage}; "
                     f"weight {step.score:g})")
        lines.append(wrap(f"rules: {_ids(step.because)}", indent=6))
    return lines


def _warnings(advice: Advice) -> list[str]:
    lines = [heading("Warnings: what in the assessment does not add up")]
    if not advice.warnings:
        return lines + ["  none"]
    for warning in advice.warnings:
        about = ", ".join(f"{k} {', '.join(map(str, v)) if isinstance(v, list) else v}"
                          for k, v in warning.about.items())
        lines.append(f"  ! {warning.severity}: {warning.id}" + (f" ({about})" if about else ""))
        lines.append(wrap(f"{warning.reason} [{warning.source}; {fmt_evidence(warning.evidence)}]",
                          indent=6))
    return lines


def _glossary(advice: Advice) -> list[str]:
    """Every rule named above, once, with its reason and source."""
    used: dict[str, Because] = {
        s.rule: Because(s.rule, {"structure": s.id}, s.reason, s.source, s.evidence)
        for s in advice.plan.structure}
    for items in ([s.because for s in advice.services] + [a.because for a in advice.approaches]
                  + [c.because for c in advice.competencies]
                  + [f.because for f in advice.flywheel_focus]):
        for item in items:
            used.setdefault(item.id, item)
    lines = [heading("Why: the rules named above")]
    for item in sorted(used.values(), key=lambda b: b.id):
        lines.append(f"  {item.id} [{item.source}]")
        lines.append(wrap(item.reason, indent=6))
    return lines


def _organization(profile: Profile) -> list[str]:
    """The baseline elements the profile states (Guide p.107-122), in one line."""
    org = organization_of(profile)
    parts = [org.industry or "",
             {True: "regulated", False: "not regulated", None: ""}[org.regulated],
             f"{org.scope} PMO" if org.scope else "",
             f"reports to {org.reporting_line}" if org.reporting_line else ""]
    stated = [p for p in parts if p]
    return [f"Organization: {', '.join(stated)}"] if stated else []


def render_advice(advice: Advice, profile: Profile | None = None) -> str:
    """The report; with the profile, customers are described by group, maturity and risk."""
    catalog = load_catalog()
    customers = {c.id: c for c in customers_of(profile)} if profile is not None else {}
    scenario = catalog.scenario(advice.scenario)
    title = f"{advice.name}: advice" if advice.name else "Advice"
    lines = [title, "=" * len(title),
             f"Scenario: {scenario.name} (confidence {advice.diagnosis.confidence:.2f}; "
             "`pmo-advisor diagnose` explains it)",
             wrap(scenario.summary, indent=2)]
    if profile is not None:
        lines += _organization(profile)
    source = advice.scenario_strategies[0].source if advice.scenario_strategies else ""
    lines.append(heading(f"What the guide advises in {scenario.name} [{source}]"))
    lines += [wrap(f"- {s.strategy}", indent=2) for s in advice.scenario_strategies]
    lines += _plan(advice)
    lines += _services(advice)
    lines += _approaches(advice, customers)
    lines += _maturity_table(advice)
    lines += _competencies(advice)
    lines += _flywheel(advice, profile)
    lines += _warnings(advice)
    lines += _glossary(advice)
    lines.append(f"\nrulesets {advice.ruleset_version}, {advice.diagnosis.ruleset_version}")
    return "\n".join(lines)
