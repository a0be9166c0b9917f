"""The model's numeric parameters: one named constant per line, its unit in a comment.

Each is explained, with its source or the word *assumption*, in ``docs/model.md`` (a test checks
that every name below appears there). :class:`Parameters` bundles them so an experiment can
record them all and a calibration can vary them; the defaults are the calibrated values.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from advisor.errors import InputError

__all__ = ["Parameters", "DEFAULT_PARAMETERS", "PERCEPTION_DELAY", "SPREAD", "SPREAD_DRAWS"]

# --- clock -----------------------------------------------------------------------------------
REVIEW_INTERVAL = 3              # months between executive reviews (quarterly)

# --- capacity ----------------------------------------------------------------------------------
CAPACITY_PER_RESOURCE = 0.27     # effort units per month per point of the resources indicator
MORALE_FLOOR = 0.6               # share of capacity left when team morale is at 1 (lowest)
REFERENCE_PORTFOLIO = 8          # services: portfolio size whose service steps need the base effort
PORTFOLIO_EXPONENT = 0.5         # dimensionless: service-step need x (services / reference)^this

# --- flywheel ----------------------------------------------------------------------------------
HEALTH_RESPONSE = 0.35           # 1/month: share of the gap to its target a step's health closes
LEARNING_EXPONENT = 0.15         # dimensionless: need x (1 + completed cycles)^-this (90% curve)
CYCLE_MONTHS = 6.0               # months per turn of a fully healthy wheel without momentum
MOMENTUM_SPEEDUP = 1.0           # dimensionless: at momentum 1 the wheel turns (1 + this) as fast
CYCLE_KICK = 0.15                # share of the missing momentum a completed cycle adds
RECOGNITION_GAIN = 0.05          # 1/month: momentum added per reference month of recognized value
MOMENTUM_DECAY = 0.05            # 1/month: share of momentum lost to friction
ALIGNMENT_FLOOR = 0.4            # share of delivered value that fits needs at alignment 1
RECOGNITION_FLOOR = 0.3          # share of arriving value recognized with an idle Value Recognition
VALUE_SMOOTHING = 0.3            # 1/month: weight of this month in the recognized-value average

#: months until customers perceive an outcome, per horizon of the guide's Table 6-1
PERCEPTION_DELAY: Mapping[str, int] = {"S": 1, "S-M": 3, "M": 6, "M-L": 10, "L": 15}

# --- services and customers (simulation/portfolio.py) --------------------------------------------
SERVICE_GROWTH = 0.06            # 1/month: share of the gap to its target level a service closes
SERVICE_DECAY = 0.03             # 1/month: share of (level - 1) a dropped or idle service loses
DEFAULT_SERVICE_TARGET = 3       # maturity level a strategy's service aims for when none is given
NEW_SERVICE_LEVEL = 1.0          # maturity level of a service the PMO did not run before
SERVICE_LEVEL_GAIN = 0.3         # dimensionless: value x (1 + this x (mean level - 3) / 2)
COVERAGE_FLOOR = 0.5             # share of value that fits needs when no ranked outcome is served

# --- monitoring and measurement ----------------------------------------------------------------
MONITORING_SOFTENING = 0.4       # share of a shock's harm a fully healthy Monitoring step avoids
EARLY_WARNING_HEALTH = 0.6       # Monitoring health from which trouble is seen a review early
EARLY_WARNING_SCORE = 0.8        # runner-up scenario score (share of the top) that counts as seen
MEASURED_VALUE_WEIGHT = 0.3      # dimensionless: weight of measured value in executives' evidence

# --- indicators --------------------------------------------------------------------------------
NOISE_SD = 0.05                  # indicator points per month: unexplained month-to-month change
TREND_THRESHOLD = 0.2            # indicator points per review: a change that reads as a trend
INITIAL_TREND_DRIFT = 0.1        # indicator points per month an input trend goes on for
INITIAL_TREND_MONTHS = 3         # months an input trend goes on for

# --- executive reviews -------------------------------------------------------------------------
EXPECTATION_GRACE_MONTHS = 6.0   # months after a launch or restructuring executives expect nothing
EXPECTATION_RAMP_MONTHS = 18.0   # months after the grace until executives expect full value
VALUE_EXPECTED = 0.75            # value index (0-1) executives take as full value for money
EVIDENCE_VALUE_WEIGHT = 0.65     # dimensionless: weight of value vs stakeholder voice for execs
EXEC_RESPONSE = 0.4              # 1/review: share of the gap to its target support closes
BUDGET_RESPONSE = 0.25           # 1/review: share of the gap to executive support budget closes
REPUTATION_MONTHS = 12.0         # months: executives' response x 1 / (1 + record age / this)
MATURITY_TOLERANCE = 1.0         # per PM-maturity point above 3: record counts (1 + this x excess)
LAUNCH_BUILDUP = 0.3             # 1/month: share of the gap to executive support a new team closes

# --- organizations differ (one draw per replication; simulation/model.py) -------------------------
SPREAD_DRAWS = 8                 # standard normals drawn per replication for ``spread`` (at most)
#: log-normal spread (sd of the log) of each parameter across the organizations a run may be
SPREAD: Mapping[str, float] = {"value_expected": 0.3, "exec_response": 0.3,
                               "capacity_per_resource": 0.15, "hazard_scale": 0.5,
                               "momentum_decay": 0.3, "recognition_floor": 0.4,
                               "approach_tolerance": 0.4, "recognition_luck": 0.4}
EXECUTION_SPREAD = 0.25          # sd of the log of each step's effort as carried out vs planned
APPROACH_TOLERANCE = 1.0         # dimensionless: approach misfit x 1 / this (customers' tolerance)
RECOGNITION_LUCK = 1.0           # dimensionless: recognized value x this (varied by ``spread``)
ADAPTIVITY_SHAPE = 3.0           # dimensionless: leaders' adaptivity ~ Beta(1, this) (mean 0.25)
ADAPTATION_GAIN = 2.0            # log effort per health point below the mean, per review, at 1
ADAPTATION_LIMIT = 3.0           # dimensionless: a step's effort at most this^adaptivity x its plan
TAILORING_ADAPTIVITY = 0.2       # adaptivity from which a leader also tailors a fixed approach

# --- life cycle --------------------------------------------------------------------------------
RELAUNCH_HAZARD = 0.12           # 1/month: chance a new PMO is launched, once the gap has passed
RELAUNCH_MIN_GAP = 3             # months between a shutdown and the earliest relaunch
SHUTDOWN_TRAUMA = 0.5            # cultural-readiness points lost when a PMO is shut down
HAZARD_SCALE = 1.0               # dimensionless: multiplies every random shock's hazard
MANDATE_WITHDRAWAL = 0.25        # chance a random reorganization or merger withdraws the mandate
WITHDRAWN_BACKING = 1.5          # points: executive support, autonomy, resources, influence at most
SPONSOR_STANCE = 1.5             # points: a new sponsor moves executive support by up to +/- this
SPONSOR_BAR = 0.3                # log: a new sponsor's expected value x exp(+/- up to this)
CHAMPION_RELAUNCH = 0.3          # share of restructurings a champion sponsor drives as a relaunch


@dataclass(frozen=True)
class Parameters:
    """Every scalar parameter of the model (defaults: the constants above)."""

    review_interval: int = REVIEW_INTERVAL
    capacity_per_resource: float = CAPACITY_PER_RESOURCE
    morale_floor: float = MORALE_FLOOR
    reference_portfolio: int = REFERENCE_PORTFOLIO
    portfolio_exponent: float = PORTFOLIO_EXPONENT
    health_response: float = HEALTH_RESPONSE
    learning_exponent: float = LEARNING_EXPONENT
    cycle_months: float = CYCLE_MONTHS
    momentum_speedup: float = MOMENTUM_SPEEDUP
    cycle_kick: float = CYCLE_KICK
    recognition_gain: float = RECOGNITION_GAIN
    momentum_decay: float = MOMENTUM_DECAY
    alignment_floor: float = ALIGNMENT_FLOOR
    recognition_floor: float = RECOGNITION_FLOOR
    value_smoothing: float = VALUE_SMOOTHING
    perception_delay: Mapping[str, int] = field(default_factory=lambda: dict(PERCEPTION_DELAY))
    service_growth: float = SERVICE_GROWTH
    service_decay: float = SERVICE_DECAY
    default_service_target: int = DEFAULT_SERVICE_TARGET
    new_service_level: float = NEW_SERVICE_LEVEL
    service_level_gain: float = SERVICE_LEVEL_GAIN
    coverage_floor: float = COVERAGE_FLOOR
    monitoring_softening: float = MONITORING_SOFTENING
    early_warning_health: float = EARLY_WARNING_HEALTH
    early_warning_score: float = EARLY_WARNING_SCORE
    measured_value_weight: float = MEASURED_VALUE_WEIGHT
    noise_sd: float = NOISE_SD
    trend_threshold: float = TREND_THRESHOLD
    initial_trend_drift: float = INITIAL_TREND_DRIFT
    initial_trend_months: int = INITIAL_TREND_MONTHS
    expectation_grace_months: float = EXPECTATION_GRACE_MONTHS
    expectation_ramp_months: float = EXPECTATION_RAMP_MONTHS
    value_expected: float = VALUE_EXPECTED
    evidence_value_weight: float = EVIDENCE_VALUE_WEIGHT
    exec_response: float = EXEC_RESPONSE
    budget_response: float = BUDGET_RESPONSE
    reputation_months: float = REPUTATION_MONTHS
    maturity_tolerance: float = MATURITY_TOLERANCE
    launch_buildup: float = LAUNCH_BUILDUP
    relaunch_hazard: float = RELAUNCH_HAZARD
    relaunch_min_gap: int = RELAUNCH_MIN_GAP
    shutdown_trauma: float = SHUTDOWN_TRAUMA
    hazard_scale: float = HAZARD_SCALE
    spread: Mapping[str, float] = field(default_factory=lambda: dict(SPREAD))
    execution_spread: float = EXECUTION_SPREAD
    approach_tolerance: float = APPROACH_TOLERANCE
    recognition_luck: float = RECOGNITION_LUCK
    adaptivity_shape: float = ADAPTIVITY_SHAPE
    adaptation_gain: float = ADAPTATION_GAIN
    adaptation_limit: float = ADAPTATION_LIMIT
    tailoring_adaptivity: float = TAILORING_ADAPTIVITY
    mandate_withdrawal: float = MANDATE_WITHDRAWAL
    withdrawn_backing: float = WITHDRAWN_BACKING
    sponsor_stance: float = SPONSOR_STANCE
    sponsor_bar: float = SPONSOR_BAR
    champion_relaunch: float = CHAMPION_RELAUNCH

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "spread":
                if len(value) > SPREAD_DRAWS or not set(value) <= {
                        g.name for g in fields(self)} or not all(
                        isinstance(v, (int, float)) and 0 <= v <= 2 for v in value.values()):
                    problems.append((f"parameters.{f.name}", "maps parameter names to "
                                     "log-normal spreads 0-2"))
                continue
            if f.name == "perception_delay":
                if set(value) != set(PERCEPTION_DELAY) or not all(
                        isinstance(v, int) and 0 <= v <= 60 for v in value.values()):
                    problems.append((f"parameters.{f.name}",
                                     "needs whole months 0-60 for S, S-M, M, M-L and L"))
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                problems.append((f"parameters.{f.name}", f"must be a number >= 0, got {value!r}"))
        if self.adaptation_limit < 1.0:
            problems.append(("parameters.adaptation_limit", "must be at least 1 (1: no tilt)"))
        if min(self.review_interval, self.cycle_months, self.expectation_ramp_months) <= 0:
            problems.append(("parameters", "review_interval, cycle_months and "
                                           "expectation_ramp_months must be positive"))
        if problems:
            raise InputError(problems)

    def with_changes(self, changes: Mapping[str, Any]) -> "Parameters":
        """A copy with some parameters changed (unknown names are refused)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise InputError(f"unknown parameter {unknown[0]!r}; allowed: "
                             + ", ".join(sorted(known)), "parameters")
        return replace(self, **dict(changes))

    def to_dict(self) -> dict[str, Any]:
        """A record, not an answer: the answers carry it whole in ``parameters``."""
        out = asdict(self)
        out["perception_delay"] = dict(self.perception_delay)
        out["spread"] = dict(self.spread)
        return out

    def varied(self, z: Sequence[float]) -> "Parameters":
        """This organization's parameters: each parameter in ``spread`` times exp(spread x z)
        for its standard-normal draw (in ``spread`` order). Credible uncertainty: the research
        gives rates for PMOs in general, and organizations differ around them."""
        if not self.spread:
            return self
        return self.changed(**{name: getattr(self, name) * math.exp(sd * value)
                               for (name, sd), value in zip(self.spread.items(), z)})

    def changed(self, **changes: Any) -> "Parameters":
        """``dataclasses.replace(self, **changes)``, checked the same way, without rebuilding
        all sixty fields through ``__init__``: runs change them once or twice per replication."""
        copied = copy.copy(self)
        for name, value in changes.items():
            if name not in self.__dataclass_fields__:
                raise TypeError(f"unknown parameter {name!r}")
            object.__setattr__(copied, name, value)
        copied.__post_init__()
        return copied


DEFAULT_PARAMETERS = Parameters()
