"""What an experiment reports: monthly percentiles and scenario shares, and a summary.

The JSON contract (the CLI's ``--json`` and the HTTP API) is stated once, by the schemas in
``api/schemas/simulation.py``, which dump these objects: each answer's fields are attributes
here (plain lists, dicts, floats rounded to 4 decimals, shares exact fractions of the runs,
``None`` where a median does not exist within the horizon). This layer does not import ``api``,
so it keeps the values, and the schemas keep the shape.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from rules.diagnosis_table import load_diagnosis_table
from simulation.dynamics import load_dynamics
from simulation.model import Replication, scenario_ids, series_columns
from simulation.shocks import load_shocks
from simulation.spec import ExperimentSpec

__all__ = ["ExperimentResult", "ComparisonResult", "BaselineResult", "summarize",
           "parameters_dict", "per_run", "paired_differences", "verdict", "MODEL_VERSION",
           "SUMMARY_KEYS", "PERCENTILES", "HEADLINE", "Z95", "BOOTSTRAP_RESAMPLES"]

MODEL_VERSION = "flywheel-5"
PERCENTILES = (10, 50, 90)
#: Summary fields in report order (docs/model.md, "Results", defines each).
SUMMARY_KEYS = ("p_collapse_by_horizon", "p_thriving_at_horizon",
                "median_months_to_first_thriving", "mean_months_in_crisis", "p_thriving_ever",
                "p_crisis_ever", "p_recovered", "p_shutdown_by_horizon", "mean_major_changes",
                "median_months_to_first_major_change")


@functools.cache
def _index() -> dict[str, int]:
    """Each scenario's code in a replication's ``scenarios`` array."""
    return {s: i for i, s in enumerate(scenario_ids())}


def _r(value: float) -> float:
    return round(float(value), 4)


def _median_months(first: np.ndarray) -> float | None:
    """Median over runs of a first-occurrence month, never = beyond the horizon (None)."""
    value = float(np.median(first))
    return None if not np.isfinite(value) else round(value, 1)


def _first(mask: np.ndarray) -> np.ndarray:
    """Per run, the first month where ``mask`` holds, or infinity."""
    found = mask.any(axis=1)
    return np.where(found, mask.argmax(axis=1), np.inf)


def summarize(reps: Sequence[Replication]) -> dict[str, Any]:
    scen = np.stack([r.scenarios for r in reps])            # (runs, months + 1)
    after = scen[:, 1:]
    runs = len(reps)
    index = _index()
    thriving, crisis, collapse = index["thriving"], index["crisis"], index["collapse"]
    major_first = np.array([r.major_changes[0] if r.major_changes else np.inf for r in reps])
    return {
        "p_collapse_by_horizon": _r((scen == collapse).any(axis=1).mean()),
        "p_thriving_at_horizon": _r((scen[:, -1] == thriving).mean()),
        "median_months_to_first_thriving": _median_months(_first(scen == thriving)),
        "mean_months_in_crisis": _r((after == crisis).sum(axis=1).mean()),
        "p_thriving_ever": _r((after == thriving).any(axis=1).mean()),
        "p_crisis_ever": _r((after == crisis).any(axis=1).mean()),
        "p_recovered": _r(((after == index["growing"]) | (after == thriving))
                          .any(axis=1).mean()),
        "p_shutdown_by_horizon": _r(sum(1 for r in reps if r.shutdowns) / runs),
        "mean_major_changes": _r(sum(len(r.major_changes) for r in reps) / runs),
        "median_months_to_first_major_change": _median_months(major_first),
    }


def _bands(values: np.ndarray) -> dict[str, list[float]]:
    """p10/p50/p90 per month of a (runs, months + 1) array."""
    pct = np.percentile(values, PERCENTILES, axis=0)
    return {f"p{p}": [_r(v) for v in row] for p, row in zip(PERCENTILES, pct)}


class _RunRecord:
    """What every simulation answer repeats of its request, resolved (to reproduce it): the
    attributes the answers' schemas read, from the request every strategy shares."""

    model_version: ClassVar[str] = MODEL_VERSION

    def _request(self) -> ExperimentSpec:
        raise NotImplementedError

    @property
    def ruleset_version(self) -> str:
        return load_diagnosis_table().version

    @property
    def profile(self) -> dict[str, Any]:
        """The starting PMO as the model read it (a record: ``Start.to_dict``)."""
        spec = self._request()
        return {"label": spec.profile_label, **spec.start.to_dict()}

    @property
    def relaunch_strategy(self) -> str | None:
        relaunch = self._request().relaunch_strategy
        return relaunch.id if relaunch else None

    @property
    def months(self) -> int:
        return self._request().months

    @property
    def runs(self) -> int:
        return self._request().runs

    @property
    def seed(self) -> int:
        return self._request().seed

    @property
    def shocks(self) -> list[str]:
        return [str(s) for s in self._request().shocks]

    @property
    def random_shocks(self) -> bool:
        return self._request().random_shocks


@dataclass(frozen=True)
class ExperimentResult(_RunRecord):
    spec: ExperimentSpec
    replications: tuple[Replication, ...]
    initial_scenario: str

    kind: ClassVar[str] = "experiment"

    def _request(self) -> ExperimentSpec:
        return self.spec

    @property
    def summary(self) -> dict[str, Any]:
        return summarize(self.replications)

    def scenario_shares(self) -> dict[str, list[float]]:
        scen = np.stack([r.scenarios for r in self.replications])
        runs = len(self.replications)
        return {s: [int(c) / runs for c in (scen == i).sum(axis=0)]
                for i, s in enumerate(scenario_ids())}

    def series_bands(self) -> dict[str, dict[str, list[float]]]:
        data = np.stack([r.series for r in self.replications])   # (runs, months + 1, 13)
        return {name: _bands(data[:, :, column]) for column, name in enumerate(series_columns())}

    @property
    def strategy(self) -> str:
        return self.spec.strategy.id

    @property
    def parameters(self) -> dict[str, Any]:
        return parameters_dict(self.spec)

    @property
    def series(self) -> dict[str, Any]:
        """Per month: momentum's and each indicator's bands, scenario shares, PMO exists."""
        bands = self.series_bands()
        exists = np.stack([r.exists for r in self.replications]).sum(axis=0)
        return {
            "month": list(range(self.spec.months + 1)),
            "momentum": bands.pop("momentum"),
            "indicators": bands,
            "scenario_shares": self.scenario_shares(),
            "pmo_exists": [int(c) / len(self.replications) for c in exists],
        }


def parameters_dict(spec: ExperimentSpec) -> dict[str, Any]:
    """Every parameter the run used: scalars, the strategy, the shock catalog, the dynamics."""
    strategies = {spec.strategy.id: spec.strategy.to_dict()}
    if spec.relaunch_strategy is not None:
        strategies[spec.relaunch_strategy.id] = spec.relaunch_strategy.to_dict()
    return {
        **spec.parameters.to_dict(),
        "strategies": strategies,
        "shocks": {s.id: {"hazard_per_year": s.hazard_per_year, "major_change": s.major_change}
                   for s in load_shocks().values()},
        "dynamics": load_dynamics().to_dict(),
    }


@dataclass(frozen=True)
class ComparisonResult(_RunRecord):
    """Several strategies from one profile, with common random numbers (one seed)."""

    results: tuple[ExperimentResult, ...]

    kind: ClassVar[str] = "comparison"

    def _request(self) -> ExperimentSpec:
        return self.results[0].spec     # every strategy's request but the strategy

    @property
    def strategies(self) -> list[str]:
        return [r.spec.strategy.id for r in self.results]

    @property
    def experiments(self) -> tuple[ExperimentResult, ...]:
        return self.results

    @functools.cached_property
    def table(self) -> list[dict[str, Any]]:
        rows = []
        for result in self.results:
            momentum = np.stack([r.series[-1, 0] for r in result.replications])
            rows.append({"strategy": result.spec.strategy.id, **result.summary,
                         "median_momentum_at_horizon": _r(np.median(momentum))})
        return rows

    @functools.cached_property
    def differences(self) -> list[dict[str, Any]]:
        """The first strategy against each other one, paired run by run (common random
        numbers): ``{"measure", "strategy", "baseline", "estimate", "low", "high"}``. Cached:
        the bootstrap behind it is the costliest part of an answer."""
        first = self.results[0]
        return [row for other in self.results[1:]
                for row in paired_differences(first.replications, other.replications,
                                              first.spec.seed, first.spec.strategy.id,
                                              other.spec.strategy.id)]

    @functools.cached_property
    def verdict(self) -> list[str]:
        return verdict(self.differences)


# -- decisions: paired differences on common random numbers ---------------------------------------

#: The headline measures a decision rests on: (measure, table key, higher is better, unit).
HEADLINE: tuple[tuple[str, str, bool, str], ...] = (
    ("p_thriving", "p_thriving_at_horizon", True, "points"),
    ("p_collapse", "p_collapse_by_horizon", False, "points"),
    ("months_in_crisis", "mean_months_in_crisis", False, "months"),
    ("final_momentum", "median_momentum_at_horizon", True, "momentum"),
)
_LABEL = {"p_thriving": "P(Thriving)", "p_collapse": "P(Collapse)",
          "months_in_crisis": "months in Crisis", "final_momentum": "final momentum"}
Z95 = 1.959964             # two-sided 95% normal quantile
#: the largest possible difference of a measure (shares: 1; months in Crisis: the horizon)
_BOUNDS = {"p_thriving": lambda reps: 1.0, "p_collapse": lambda reps: 1.0,
           "months_in_crisis": lambda reps: float(len(reps[0].scenarios) - 1)}
BOOTSTRAP_RESAMPLES = 1000  # paired bootstrap of the median's difference (seeded: reproducible)


def per_run(reps: Sequence[Replication]) -> dict[str, np.ndarray]:
    """Each headline measure per run (the table's value is their mean, or median for
    momentum), in replication order: run i of two experiments with one seed share its numbers."""
    scen = np.stack([r.scenarios for r in reps])
    index = _index()
    return {
        "p_thriving": (scen[:, -1] == index["thriving"]).astype(float),
        "p_collapse": (scen == index["collapse"]).any(axis=1).astype(float),
        "months_in_crisis": (scen[:, 1:] == index["crisis"]).sum(axis=1).astype(float),
        "final_momentum": np.array([r.series[-1, 0] for r in reps]),
    }


def paired_differences(a: Sequence[Replication], b: Sequence[Replication], seed: int,
                       strategy: str, baseline: str) -> list[dict[str, Any]]:
    """``a`` minus ``b`` on each headline measure, with a 95% interval from the paired runs.

    Means and shares: the mean of the per-run differences ± 1.96 standard errors (a paired
    t-interval at large n). Momentum's table value is a median, whose difference has no such
    formula: its interval is the 2.5th-97.5th percentile of the median difference over
    ``BOOTSTRAP_RESAMPLES`` paired resamples of the runs (seeded with ``seed``)."""
    if len(a) != len(b):
        raise ValueError("paired differences need the same runs on both sides")
    x, y = per_run(a), per_run(b)
    n = len(a)
    out = []
    for measure, _, _, _ in HEADLINE:
        if measure == "final_momentum":
            estimate = float(np.median(x[measure]) - np.median(y[measure]))
            rng = np.random.default_rng(np.random.SeedSequence([seed, 7919]))
            idx = rng.integers(0, n, size=(BOOTSTRAP_RESAMPLES, n))
            boot = np.median(x[measure][idx], axis=1) - np.median(y[measure][idx], axis=1)
            low, high = (float(v) for v in np.percentile(boot, [2.5, 97.5]))
        else:
            d = x[measure] - y[measure]
            estimate = float(d.mean())
            half = Z95 * float(d.std(ddof=1)) / np.sqrt(n) if n > 1 else 0.0
            low, high = estimate - half, estimate + half
        bound = _BOUNDS[measure](a) if measure in _BOUNDS else None
        if bound is not None:          # a normal interval may overshoot what is possible
            low, high = max(low, -bound), min(high, bound)
        out.append({"measure": measure, "strategy": strategy, "baseline": baseline,
                    "estimate": _r(estimate), "low": _r(min(low, estimate)),
                    "high": _r(max(high, estimate))})
    return out


def _digits(measure: str, *values: float) -> tuple[float, int]:
    """Scale and decimals to show a measure: points 0, months 1, momentum 2, with up to two more
    decimals when a non-zero value would otherwise read as 0 (a clear but small difference)."""
    unit = dict((m, u) for m, _, _, u in HEADLINE)[measure]
    scale = 100.0 if unit == "points" else 1.0
    digits = 0 if unit == "points" else 1 if unit == "months" else 2
    while digits < 4 and any(v and round(abs(v) * scale, digits) == 0 for v in values):
        digits += 1
    return scale, digits


def _amount(measure: str, value: float, *context: float) -> str:
    scale, digits = _digits(measure, value, *context)
    unit = dict((m, u) for m, _, _, u in HEADLINE)[measure]
    text = f"{abs(value) * scale:.{digits}f}"
    if unit == "points":
        return f"{text} points"
    return f"{text} months" if unit == "months" else text


def _interval(measure: str, low: float, high: float) -> str:
    scale, digits = _digits(measure, low, high)
    return f"[{low * scale:.{digits}f}, {high * scale:.{digits}f}]"


def verdict(differences: Sequence[dict[str, Any]], subject: str | None = None) -> list[str]:
    """One plain sentence per (strategy, baseline): where the strategy is clearly better or
    worse (its 95% interval excludes 0) and where there is no clear difference."""
    better = {m: up for m, _, up, _ in HEADLINE}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in differences:
        groups.setdefault((row["strategy"], row["baseline"]), []).append(row)
    sentences = []
    for (strategy, baseline), rows in groups.items():
        name = subject or strategy
        wins: list[str] = []
        losses: list[str] = []
        unclear: list[str] = []
        for row in rows:
            m = row["measure"]
            # the amount is said as a size ("by 12 points"), so its interval is too
            low, high = ((row["low"], row["high"]) if row["estimate"] >= 0
                         else (-row["high"], -row["low"]))
            text = (f"{_LABEL[m]} by {_amount(m, row['estimate'], low, high)} "
                    f"{_interval(m, low, high)}")
            if row["low"] > 0 or row["high"] < 0:
                (wins if (row["estimate"] > 0) == better[m] else losses).append(text)
            else:
                unclear.append(_LABEL[m])
        parts = []
        if wins:
            parts.append(f"{name} beats {baseline} on " + "; on ".join(wins))
        if losses:
            parts.append(("and " if wins else f"{name} ") + f"does worse than {baseline} on "
                         + "; on ".join(losses))
        if unclear:
            parts.append(("no clear difference on " + ", ".join(unclear)) if parts else
                         f"no clear difference between {name} and {baseline}")
        sentences.append("; ".join(parts) + ".")
    return sentences


def _of_shocked(name: str) -> Any:
    """A baseline's answer field that is the shocked run's own."""
    return property(lambda self: getattr(self.shocked, name), doc=f"the shocked run's {name}")


@dataclass(frozen=True)
class BaselineResult(_RunRecord):
    """One strategy with and without the scheduled shocks, on the same random numbers: the
    difference is the shocks' effect (``simulate --baseline``). Its answer is the shocked run's,
    with the baseline's summary, the differences and the verdict added."""

    shocked: ExperimentResult
    baseline: ExperimentResult

    kind: ClassVar[str] = "baseline"

    def _request(self) -> ExperimentSpec:
        return self.shocked.spec

    strategy = _of_shocked("strategy")
    initial_scenario = _of_shocked("initial_scenario")
    parameters = _of_shocked("parameters")
    series = _of_shocked("series")
    summary = _of_shocked("summary")

    @property
    def baseline_summary(self) -> dict[str, Any]:
        return self.baseline.summary

    @functools.cached_property
    def differences(self) -> list[dict[str, Any]]:
        return paired_differences(self.shocked.replications, self.baseline.replications,
                                  self.shocked.spec.seed, "with shocks", "without shocks")

    @functools.cached_property
    def verdict(self) -> list[str]:
        shocks = ", ".join(str(s) for s in self.shocked.spec.shocks)
        return verdict(self.differences, subject=shocks)
