"""Text reports of the assessments' memory: a cycle's combined profile and an organization's
history (``pmo-advisor assess`` and ``pmo-advisor history``). They read the store's records and
plain dicts, so the CLI and any script print the same thing."""

from __future__ import annotations

from typing import Any

from advisor.catalog import load_catalog

__all__ = ["render_history", "render_cycle"]

ARROWS = {"rising": "↑", "steady": "→", "falling": "↓"}
#: the summary measures a kept simulation run shows in the history
RUN_MEASURES = (("p_thriving_at_horizon", "thriving at the end"),
                ("p_collapse_by_horizon", "collapsed"))


def _name(scenario: str | None) -> str:
    return load_catalog().scenario(scenario).name if scenario else "-"


def render_cycle(cycle: Any) -> str:
    """A cycle (the store's ``CycleRecord``): its raters and, per indicator, mean, spread,
    raters, coverage and disagreement."""
    lines = [f"Cycle {cycle.number}{' (' + cycle.label + ')' if cycle.label else ''}"
             f": {cycle.status}, version {cycle.version}, "
             f"{len(cycle.raters)} rater(s)"]
    if cycle.scenario:
        lines.append(f"Scenario: {_name(cycle.scenario)}")
    combined = cycle.combined
    if not combined:
        return "\n".join(lines)
    trends = combined.get("trends", {})
    lines.append(f"{'indicator':<22} {'mean':>5} {'spread':>6} {'raters':>6} {'coverage':>8}")
    for indicator, s in combined["indicators"].items():
        mean = f"{s['mean']:.2f}" if s["mean"] is not None else "  -"
        flag = "  raters disagree" if s["disagreement"] else ""
        trend = f" {ARROWS[trends[indicator]]}" if indicator in trends else ""
        lines.append(f"{indicator:<22} {mean:>5} {s['spread']:>6.2f} {s['raters']:>6} "
                     f"{s['coverage']:>8.0%}{trend}{flag}")
    steps = {k: v for k, v in combined.get("flywheel", {}).items() if v["band"]}
    if steps:
        lines.append("Flywheel self-check: " + ", ".join(
            f"{step} {v['band']}" for step, v in steps.items()))
    return "\n".join(lines)


def render_history(history: Any) -> str:
    """Cycles in order, the scenario path, and each indicator's values over the cycles, from
    the store's ``HistoryRecord`` (``api/store/records.py``: a sibling layer this one cannot
    import, hence ``Any``)."""
    org, pmo = history.organization, history.pmo
    cycles = history.cycles
    lines = [org.name + (f" ({pmo.name})" if pmo is not None else "")]
    if not cycles:
        lines.append("No closed assessment cycle yet.")
        return "\n".join(lines)
    lines.append("Scenario path: " + " -> ".join(_name(s) for s in history.scenario_path))
    lines.append("")
    for cycle in cycles:
        lines.append(f"  cycle {cycle.number:>2}  {cycle.label or '':<18} "
                     f"{_name(cycle.scenario):<11} {cycle.raters} rater(s), closed "
                     f"{(cycle.closed_at or '')[:10]}")
    lines.append("")
    header = "".join(f"{'c' + str(c.number):>6}" for c in cycles)
    lines.append(f"{'indicator':<22}{header}  trend")
    last_trends = cycles[-1].trends
    for indicator, values in history.indicators.items():
        cells = "".join(f"{v:>6.2f}" if v is not None else f"{'-':>6}" for v in values)
        trend = last_trends.get(indicator, "")
        lines.append(f"{indicator:<22}{cells}  {ARROWS.get(trend, '')} {trend}".rstrip())
    runs = history.simulation_runs
    if runs:
        lines += ["", "Simulation runs kept:"]
        for run in runs:
            summary = run.summary
            odds = ", ".join(f"{label} {summary[key]:.0%}" for key, label in RUN_MEASURES
                             if isinstance(summary.get(key), int | float))
            lines.append(f"  cycle {run.cycle:>2}  {run.strategy:<22} seed {run.seed}, "
                         f"{summary.get('runs')} runs x {summary.get('months')} months"
                         + (f"; {odds}" if odds else ""))
    return "\n".join(lines)
