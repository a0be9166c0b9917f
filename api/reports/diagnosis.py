"""The diagnosis as a readable report: scenario, why, what was ruled out, where it is heading."""

from __future__ import annotations

from advisor.catalog import load_catalog
from api.reports.text import bar, fmt_evidence, heading, wrap
from rules.diagnosis import Diagnosis

__all__ = ["render_diagnosis", "THIN"]

#: Below this coverage the report says the answer rests on little evidence.
THIN = 0.5


def render_diagnosis(diagnosis: Diagnosis, name: str | None = None) -> str:
    catalog = load_catalog()
    scenario = catalog.scenario(diagnosis.scenario)
    title = f"{name}: " if name else ""
    lines = [f"{title}{scenario.name} (confidence {diagnosis.confidence:.2f}, "
             f"coverage {diagnosis.coverage:.2f})",
             wrap(f"{scenario.summary} [Guide p.{scenario.page}]", indent=2)]
    if diagnosis.coverage < THIN:
        lines.append(wrap(
            f"This answer rests on little: the profile gives {diagnosis.coverage:.0%} of the "
            "evidence the rules use. Assess the indicators listed under 'Not assessed' and "
            "their trends before acting on it.", indent=2))

    lines.append(heading("Ranking"))
    for scenario_id, score in diagnosis.ranking:
        lines.append(f"  {catalog.scenario(scenario_id).name:<11} {score:5.3f}  {bar(score)}")

    lines.append(heading(f"Why {scenario.name}"))
    for rule in diagnosis.rules_for(diagnosis.scenario):
        if rule.effect == "evidence":
            lines.append(f"  + {rule.id}  (+{rule.weight:g}, {rule.source})")
            lines.append(wrap(rule.reason))
            lines.append(wrap(f"evidence: {fmt_evidence(rule.evidence)}"))
    others = [r for r in diagnosis.fired_rules
              if r.effect == "evidence" and r.scenario != diagnosis.scenario]
    against = [r for r in diagnosis.fired_rules if r.effect == "against"]
    for title, weighed, mark, plus in (
            ("Also seen (evidence for other scenarios)", others, "~", "+"),
            ("Counted against (counter-evidence, weighed with the rest)", against, "-", "-")):
        if weighed:
            lines.append(heading(title))
        for rule in weighed:
            lines.append(f"  {mark} {catalog.scenario(rule.scenario).name}: {rule.id}  "
                         f"({plus}{rule.weight:g}, {rule.source})")
            lines.append(wrap(f"{rule.reason} [{fmt_evidence(rule.evidence)}]"))
    gates = [r for r in diagnosis.fired_rules if r.effect == "exclude"]
    if gates:
        lines.append(heading("Ruled out"))
        for rule in gates:
            lines.append(f"  x {catalog.scenario(rule.scenario).name}: {rule.id}  ({rule.source})")
            lines.append(wrap(f"{rule.reason} [{fmt_evidence(rule.evidence)}]"))

    lines.append(heading("Transition signs"))
    if diagnosis.transition_signs:
        for sign in diagnosis.transition_signs:
            lines.append(f"  -> {catalog.scenario(sign.towards).name} "
                         f"({sign.indicator}; rule {sign.rule})")
            lines.append(wrap(sign.reason))
            if sign.concurring:
                lines.append(wrap(f"concurring: {', '.join(sign.concurring)}"))
    else:
        lines.append("  none: no trend or sign points to another scenario")

    if diagnosis.counterfactuals:
        lines.append(heading("What would change it"))
        for counterfactual in diagnosis.counterfactuals:
            lines.append(f"  => {catalog.scenario(counterfactual.scenario).name}, if:")
            lines.extend(wrap(f"- {change}", indent=6) for change in counterfactual.changes)

    if diagnosis.missing_indicators:
        lines.append(heading("Not assessed"))
        lines.append(wrap(", ".join(diagnosis.missing_indicators), indent=2))
    lines.append(f"\nruleset {diagnosis.ruleset_version}")
    return "\n".join(lines)
