"""Charts (matplotlib, Agg): momentum fan chart, scenario-share area chart, comparisons, stories.

Figures are built with the object API (``Figure`` + ``FigureCanvasAgg``), never ``pyplot``: no
global state, so a server can draw from several threads, and no display is needed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import Bbox

from advisor.catalog import load_catalog
from advisor.errors import InputError
from simulation.model import scenario_ids
from simulation.results import BaselineResult, ComparisonResult, ExperimentResult
from simulation.spec import ExperimentSpec
from simulation.stories import StoryResult

__all__ = ["experiment_figure", "comparison_figure", "baseline_figure", "story_figure",
           "save_figure", "figure_png", "SCENARIO_COLORS"]

SCENARIO_COLORS = {
    "potential": "#9e9e9e", "kickoff": "#64b5f6", "growing": "#81c784", "thriving": "#2e7d32",
    "crisis": "#ffb300", "decline": "#ef6c00", "collapse": "#b71c1c", "resurgence": "#7e57c2",
}
STORY_INDICATORS = ("executive_support", "stakeholder_support", "resources", "pm_maturity")
#: where a story's event labels may start (indicator scale, 1-5), lowest first
EVENT_LABEL_HEIGHTS = (1.05, 2.4, 3.75)


def _name(scenario: str) -> str:
    return load_catalog().scenario(scenario).name


def _fan(ax: Axes, months: Sequence[int], bands: dict[str, list[float]], label: str,
         color: str) -> None:
    ax.fill_between(months, bands["p10"], bands["p90"], color=color, alpha=0.2,
                    label=f"{label} p10-p90")
    ax.plot(months, bands["p50"], color=color, linewidth=2, label=f"{label} median")


def _title(spec: ExperimentSpec) -> str:
    """The profile's own name first (what a reader recognizes), then where it came from."""
    name = spec.start.name
    return f"{name} ({spec.profile_label})" if name and name != spec.profile_label \
        else spec.profile_label


def _percent(ax: Axes) -> None:
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))


def _mark(axes: Sequence[Axes], spec: ExperimentSpec, label: bool = True) -> None:
    """Scheduled shocks (red, dotted) and the strategy's scheduled phases (grey, dashed), on
    every panel; named on the first."""
    marks = [(s.month, s.shock.replace("_", " "), "#b71c1c", ":") for s in spec.shocks]
    marks += [(month, f"{spec.strategy.id}: phase", "#616161", "--")
              for month, _ in spec.strategy.phases if month <= spec.months]
    for index, ax in enumerate(axes):
        for month, text, color, style in marks:
            ax.axvline(month, color=color, linestyle=style, linewidth=1)
            if label and index == 0:
                ax.annotate(text, (month, 0.98), xycoords=("data", "axes fraction"),
                            rotation=90, va="top", ha="right", fontsize=7, color=color)


def _shares(ax: Axes, months: Sequence[int], shares: dict[str, list[float]]) -> None:
    shown = [s for s in scenario_ids() if any(shares[s])]
    ax.stackplot(months, *(shares[s] for s in shown), labels=[_name(s) for s in shown],
                 colors=[SCENARIO_COLORS[s] for s in shown], alpha=0.9)
    _percent(ax)
    ax.set_xlim(months[0], months[-1])
    ax.set_ylabel("share of runs")
    ax.set_xlabel("month")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)


def experiment_figure(result: ExperimentResult) -> Figure:
    spec = result.spec
    months = list(range(spec.months + 1))
    fig = Figure(figsize=(10, 7.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    _fan(top, months, result.series_bands()["momentum"], "momentum", "#1565c0")
    top.set_ylim(0, 1)
    top.set_ylabel("flywheel momentum (0-1)")
    top.set_title(f"{_title(spec)}: {spec.strategy.name}, {spec.runs} runs, "
                  f"seed {spec.seed}")
    top.legend(loc="upper left", fontsize=8, frameon=False)
    _shares(bottom, months, result.scenario_shares())
    _mark((top, bottom), spec)
    bottom.set_title("diagnosed scenario (quarterly executive reviews)", fontsize=10)
    return fig


def comparison_figure(result: ComparisonResult) -> Figure:
    return _side_by_side([(r.spec.strategy.id, r) for r in result.results],
                         "per strategy")


def baseline_figure(result: BaselineResult) -> Figure:
    """``simulate --baseline --plot``: the run beside the same runs without its scheduled
    shocks (one seed), so the chart shows the shocks' effect, not only the shocked run."""
    return _side_by_side([("with shocks", result.shocked),
                          ("without shocks", result.baseline)],
                         f"each of {result.shocked.spec.strategy.name}")


def _side_by_side(experiments: Sequence[tuple[str, ExperimentResult]], each: str) -> Figure:
    """Momentum fans and the Thriving and Decline-or-Collapse shares of several experiments
    on one seed, each under its label."""
    results = [experiment for _, experiment in experiments]
    first = results[0].spec
    months = list(range(first.months + 1))
    palette = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f"]
    fig = Figure(figsize=(11, 7.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    for color, (label, experiment) in zip(palette, experiments):
        _fan(top, months, experiment.series_bands()["momentum"], label, color)
        shares = experiment.scenario_shares()
        bottom.plot(months, shares["thriving"], color=color, linewidth=2,
                    label=f"{label}: Thriving")
        bottom.plot(months, [a + b for a, b in zip(shares["decline"], shares["collapse"])],
                    color=color, linewidth=1.5, linestyle="--",
                    label=f"{label}: Decline or Collapse")
    top.set_ylim(0, 1)
    top.set_ylabel("flywheel momentum (0-1)")
    top.set_title(f"{_title(first)}: {first.runs} runs {each}, seed {first.seed} "
                  "(common random numbers)")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    for experiment in results:
        _mark((top, bottom), experiment.spec, label=experiment is results[0])
    _percent(bottom)
    bottom.set_xlim(months[0], months[-1])
    bottom.set_ylabel("share of runs")
    bottom.set_xlabel("month")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def story_figure(result: StoryResult) -> Figure:
    series = result.series
    months = series["month"]
    fig = Figure(figsize=(11, 6), layout="constrained")
    ax = fig.subplots()
    start = 0
    scenarios = series["scenario"]
    for m in range(1, len(months) + 1):
        if m == len(months) or scenarios[m] != scenarios[start]:
            ax.axvspan(start, m, color=SCENARIO_COLORS[scenarios[start]], alpha=0.18, lw=0)
            ax.annotate(_name(scenarios[start]), ((start + m) / 2, 5.05), ha="center",
                        va="bottom", fontsize=8, annotation_clip=False)
            start = m
    for name in STORY_INDICATORS:
        ax.plot(months, series["indicators"][name], linewidth=1.8,
                label=load_catalog().indicator(name).name)
    ax.plot(months, [1 + 4 * v for v in series["momentum"]], color="black", linestyle="--",
            linewidth=1.5, label="momentum (0-1 shown on 1-5)")
    events: dict[int, list[str]] = {}      # one line and one label per month
    for entry in result.timeline:
        if entry.kind not in ("start", "review"):
            names = events.setdefault(entry.month, [])
            if entry.name.replace("_", " ") not in names:
                names.append(entry.name.replace("_", " "))
    fig.draw_without_rendering()          # settle the layout: label sizes in pixels
    renderer = FigureCanvasAgg(fig).get_renderer()
    placed: list[Bbox] = []
    for month, names in sorted(events.items()):
        # a label goes at the lowest height where it overlaps none placed before (they were
        # printed over each other: "service added" and "sponsor change" at months 3 and 4)
        ax.axvline(month, color="#555555", linestyle=":", linewidth=1)
        for height in EVENT_LABEL_HEIGHTS:
            label = ax.annotate(", ".join(names), (month, height), rotation=90, fontsize=7,
                                va="bottom", ha="right", color="#333333", gid="event")
            box = label.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed) or \
                    height == EVENT_LABEL_HEIGHTS[-1]:
                break
            label.remove()
        placed.append(box)
    ax.set_ylim(1, 5)
    ax.set_xlim(months[0], months[-1])
    ax.set_xlabel("month")
    ax.set_ylabel("indicator (1-5)")
    ax.set_title(f"{result.story.title}: {_story_pmo(result)}", pad=20)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def _story_pmo(result: StoryResult) -> str:
    """The story's PMO by its profile's own name (issue 11: every chart carries it)."""
    from advisor.presets import resolve_profile

    name = resolve_profile(result.story.profile, "profile", False).name
    return f"{name} ({result.story.profile})" if name else result.story.profile


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (for an API response)."""
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    return buffer.getvalue()


def save_figure(fig: Figure, path: str | Path) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise InputError(f"plots are written as PNG; give a .png file name, got {path}", "plot")
    try:
        path.write_bytes(figure_png(fig))
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}", "plot") from None
    return path
