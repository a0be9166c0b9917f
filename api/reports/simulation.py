"""Plain-text reports of experiments, comparisons and stories (the CLI prints these)."""

from __future__ import annotations

import textwrap
from typing import Any

from advisor.catalog import load_catalog
from api.reports.text import bar, heading, wrap
from simulation.results import HEADLINE, BaselineResult, ComparisonResult, ExperimentResult
from simulation.stories import StoryResult

__all__ = ["render_experiment", "render_comparison", "render_baseline", "render_story",
           "render_differences", "SUMMARY_LABELS"]

SUMMARY_LABELS = {
    "p_collapse_by_horizon": "P(Collapse by horizon)",
    "p_thriving_at_horizon": "P(Thriving at horizon)",
    "median_months_to_first_thriving": "median months to first Thriving",
    "mean_months_in_crisis": "mean months in Crisis",
    "p_thriving_ever": "P(Thriving at some review)",
    "p_crisis_ever": "P(Crisis at some review)",
    "p_recovered": "P(Growing or Thriving at some review)",
    "p_shutdown_by_horizon": "P(shut down by horizon)",
    "mean_major_changes": "mean major changes",
    "median_months_to_first_major_change": "median months to first major change",
    "median_momentum_at_horizon": "median momentum at horizon",
}
_SHORT = {  # column heads of the comparison table
    "p_collapse_by_horizon": "P(Collapse)", "p_thriving_at_horizon": "P(Thriving)",
    "median_months_to_first_thriving": "to Thriving", "mean_months_in_crisis": "in Crisis",
    "p_crisis_ever": "P(Crisis)", "p_recovered": "P(Growing+)",
    "p_shutdown_by_horizon": "P(shutdown)", "mean_major_changes": "changes",
    "median_momentum_at_horizon": "momentum",
}


def _fmt(key: str, value: Any) -> str:
    if value is None:
        return "never" if "median" in key else "-"
    if key.startswith("p_"):
        return f"{value * 100:.1f}%"
    if "months_to" in key:
        return f"{value:g}"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _name(scenario: str) -> str:
    return load_catalog().scenario(scenario).name


def _header(result: ExperimentResult) -> list[str]:
    spec = result.spec
    shocks = ", ".join(str(s) for s in spec.shocks) or "none scheduled"
    named = f" ({spec.start.name})" if spec.start.name else ""
    return [f"{spec.profile_label}{named}: {spec.strategy.name} strategy, {spec.runs} runs x "
            f"{spec.months} months, seed {spec.seed}",
            f"starts in {_name(result.initial_scenario)}; shocks: {shocks}; random shocks "
            + ("on" if spec.random_shocks else "off")]


def render_experiment(result: ExperimentResult, step: int | None = None) -> str:
    """The summary, then momentum and scenario shares at every executive review (``step``:
    months between the rows shown, default the review interval)."""
    step = step or result.spec.parameters.review_interval
    lines = _header(result)
    lines.append(heading("Summary"))
    for key, value in result.summary.items():
        lines.append(f"  {SUMMARY_LABELS[key]:<40} {_fmt(key, value)}")
    months = list(range(0, result.spec.months + 1, step))
    if months[-1] != result.spec.months:
        months.append(result.spec.months)
    bands = result.series_bands()["momentum"]
    lines.append(heading("Momentum (0-1): p10 / p50 / p90"))
    for m in months:
        lines.append(f"  month {m:>3}  {bands['p10'][m]:.2f} / {bands['p50'][m]:.2f} / "
                     f"{bands['p90'][m]:.2f}  {bar(bands['p50'][m])}")
    shares = result.scenario_shares()
    shown = [s for s, v in shares.items() if any(v[m] > 0 for m in months)]
    lines.append(heading("Share of runs per scenario"))
    lines.append("  month " + "".join(f"{_name(s)[:10]:>11}" for s in shown))
    for m in months:
        lines.append(f"  {m:>5} " + "".join(f"{shares[s][m] * 100:>10.1f}%" for s in shown))
    return "\n".join(lines)


_UNITS = {m: u for m, _, _, u in HEADLINE}
_MEASURE_LABEL = {"p_thriving": "P(Thriving)", "p_collapse": "P(Collapse)",
                  "months_in_crisis": "months in Crisis", "final_momentum": "final momentum"}


def _signed(measure: str, value: float) -> str:
    if _UNITS[measure] == "points":
        return f"{value * 100:+.0f} pts"
    return f"{value:+.1f} mo" if _UNITS[measure] == "months" else f"{value:+.2f}"


def render_differences(differences: list[dict[str, Any]], verdict: list[str]) -> list[str]:
    """Paired differences (strategy minus baseline, 95% interval) and the verdict."""
    lines = [heading("Paired differences on common random numbers (95% interval)")]
    lines.append(f"  {'strategy':<18}{'against':<18}{'measure':<18}{'difference':>12}"
                 f"{'interval':>24}")
    for row in differences:
        m = row["measure"]
        interval = f"[{_signed(m, row['low'])}, {_signed(m, row['high'])}]"
        lines.append(f"  {row['strategy']:<18}{row['baseline']:<18}{_MEASURE_LABEL[m]:<18}"
                     f"{_signed(m, row['estimate']):>12}{interval:>24}")
    lines.append(heading("Verdict"))
    lines += [wrap(sentence, indent=2) for sentence in verdict]
    return lines


def render_baseline(result: BaselineResult) -> str:
    """The shocked run's report, then the shocks' effect against the same runs without them."""
    lines = [render_experiment(result.shocked), heading("Without the scheduled shocks")]
    for key, value in result.baseline.summary.items():
        lines.append(f"  {SUMMARY_LABELS[key]:<40} {_fmt(key, value)}")
    lines += render_differences(result.differences, result.verdict)
    return "\n".join(lines)


def render_comparison(result: ComparisonResult) -> str:
    first = result.results[0]
    named = f" ({first.spec.start.name})" if first.spec.start.name else ""
    lines = [f"{first.spec.profile_label}{named}: {len(result.results)} strategies, "
             f"{first.spec.runs} runs x {first.spec.months} months each, seed "
             f"{first.spec.seed} (common random numbers)", _header(first)[1]]
    keys = list(_SHORT)
    lines.append("")
    lines.append(f"{'strategy':<18}" + "".join(f"{_SHORT[k]:>12}" for k in keys))
    for row in result.table:
        lines.append(f"{row['strategy']:<18}"
                     + "".join(f"{_fmt(k, row[k]):>12}" for k in keys))
    lines.append("")
    lines.append("P(Collapse): diagnosed Collapse at some review; P(Thriving): Thriving at the "
                 "horizon; to Thriving: median months (never = beyond the horizon for half the "
                 "runs); in Crisis: mean months diagnosed Crisis; P(Crisis), P(Growing+): "
                 "diagnosed Crisis, Growing or Thriving at some review after the start; "
                 "changes: restructurings, shutdowns and major shocks per run.")
    lines = lines[:-1] + [wrap(lines[-1], indent=0)]
    lines += render_differences(result.differences, result.verdict)
    return "\n".join(lines)


def render_story(result: StoryResult) -> str:
    story = result.story
    lines = [story.title, "=" * len(story.title), wrap(story.summary, indent=0), "",
             f"Starting profile {story.profile}, strategy {story.strategy}, {story.months} "
             f"months, seed {story.seed}.", ""]
    for entry in result.timeline:
        stamp = f"month {entry.month:>3}"
        if entry.kind in ("start", "review"):
            arrow = (f"{_name(entry.scenario_from)} -> " if entry.scenario_from else "")
            lines.append(f"{stamp}  {arrow}{_name(entry.scenario_to or '')} "
                         f"(confidence {entry.confidence:.2f})")
            for rule_id, reason in entry.rules:
                lines.append(wrap(f"{rule_id}: {reason}", indent=14))
        else:
            lines.append(textwrap.fill(f"{stamp}  [{entry.kind}] {entry.text}", width=96,
                                       subsequent_indent=" " * 14))
            if entry.say:
                lines.append(wrap(entry.say, indent=14))
    path = " -> ".join(_name(s) for s in result.path)
    lines += ["", f"Path: {path}"]
    return "\n".join(lines)

