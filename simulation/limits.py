"""What one simulation call may ask for: the one place the limits live.

A :class:`Limits` bounds months, runs, seeds, shocks, strategies and the total cost (runs x months
x strategies). The domain (:mod:`simulation.spec`) checks every request against the limits its
caller passes in: the command line and library use :data:`LOCAL` (a strategist's own machine, all
its cores); the HTTP service builds its own from its settings (:func:`service_limits`), tighter,
because a request runs inside a server worker. Neither front end re-implements a check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from advisor.errors import InputError

__all__ = ["Limits", "LOCAL", "SERVICE", "MAX_SEED"]

MAX_SEED = 2**63 - 1  # seeds are 0 .. 2^63-1 (JSON-safe integers for most clients)


@dataclass(frozen=True)
class Limits:
    """Bounds on one simulation or comparison; every field is a whole number."""

    max_months: int = 120             # months: ten years of simulated time per run
    max_runs: int = 5000              # replications per strategy
    max_run_months: int = 72_000      # runs x months x strategies per call (2,000 x 36 months)
    max_shocks: int = 24              # scheduled shocks per call
    max_strategies: int = 6           # strategies in one comparison
    default_months: int = 36
    default_runs: int = 500           # runs when a call names none (fewer if the cost needs it)
    default_seed: int = 0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"limit {name} must be a whole number >= 0, got {value!r}")
        if self.max_strategies < 2 or self.max_months < 1 or self.max_runs < 1:
            raise ValueError("limits must allow at least 1 month, 1 run and 2 strategies")
        if not 1 <= self.default_months <= self.max_months:
            raise ValueError("default_months must lie within 1..max_months")
        if self.max_run_months < self.default_months * 2:
            raise ValueError("max_run_months must allow a comparison of 2 strategies over "
                             "default_months with one run each")

    @property
    def max_runs_allowed(self) -> int:
        """The most runs any single-strategy call can have (the smaller of the two caps)."""
        return min(self.max_runs, self.max_run_months)

    def default_runs_for(self, months: int, strategies: int) -> int:
        """Runs when a call names none: the default, or fewer so the call fits the cost cap.

        A default must never be refused, whatever the months and strategies asked for."""
        return max(1, min(self.default_runs, self.max_runs,
                          self.max_run_months // max(1, months * strategies)))

    def check_cost(self, runs: int, months: int, strategies: int) -> None:
        """Refuse a call over the cost cap, naming ``runs`` (the knob a caller usually turns)."""
        cost = runs * months * strategies
        if cost > self.max_run_months:
            what = "runs x months" if strategies == 1 else "runs x months x strategies"
            raise InputError(f"{what} = {cost} is above the limit of {self.max_run_months}; "
                             "ask for fewer runs or months", "runs")

    def with_changes(self, **changes: Any) -> Limits:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """For documentation and clients: the ranges as ``[low, high]``."""
        return {"months": [1, self.max_months], "runs": [1, self.max_runs_allowed],
                "runs_x_months_x_strategies": self.max_run_months, "shocks": self.max_shocks,
                "strategies": [2, self.max_strategies], "seed": [0, MAX_SEED],
                "default_months": self.default_months, "default_runs": self.default_runs,
                "default_seed": self.default_seed}


#: The command line, library and jobs: one strategist's machine, all its cores, up to the
#: 10,000 x 36-month run issue 13 sizes (about a minute on two cores).
LOCAL = Limits(max_runs=10_000, max_run_months=360_000)

#: The HTTP service's defaults (a request runs on one core of a server worker: 12,000 replicated
#: months take well under 10 s); ``PMO_ADVISOR_SIMULATION_MAX_RUN_MONTHS`` changes the cost cap.
SERVICE = Limits(max_run_months=12_000, max_strategies=4, default_runs=200)
