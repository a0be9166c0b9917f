"""The simulated PMO: where a run starts (:class:`Start`) and what changes as it runs
(:class:`PmoState`), and how the state looks to an assessor at an executive review."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from advisor.assessment import PmoFacts, Profile
from advisor.catalog import HORIZONS, load_catalog
from advisor.numbers import ROUND_TIE, round_to
from advisor.sections import customers_of, services_of
from rules.diagnosis import Observation
from simulation import portfolio
from simulation.dynamics import load_dynamics
from simulation.parameters import Parameters
from simulation.strategies import Strategy

__all__ = ["Start", "PmoState", "Event", "indicator_ids", "step_ids", "SERVICE_STEPS", "norm",
           "clip"]


@functools.cache
def indicator_ids() -> tuple[str, ...]:
    """The catalog's indicators in order (read on first use: nothing runs at import)."""
    return load_catalog().ids("indicators")


@functools.cache
def step_ids() -> tuple[str, ...]:
    """The flywheel's steps in order (read on first use: nothing runs at import)."""
    return load_catalog().ids("flywheel")


#: Steps whose work grows with the number of services offered (design, deployment, enhancement).
SERVICE_STEPS = ("service_development", "service_onboarding", "service_operation",
                 "service_monitoring", "service_improvement")
DEFAULT_INDICATOR = 3.0    # indicator points: the scale's midpoint, when nothing is assessed


def norm(x: float) -> float:
    """An indicator (1-5) rescaled to 0-1."""
    return (x - 1.0) / 4.0


def clip(x: float) -> float:
    return 1.0 if x < 1.0 else 5.0 if x > 5.0 else x


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened in a run, for the timeline (story mode, traces)."""

    month: int
    kind: str          # shock|strategy|portfolio|cycle|review|restructure|shutdown|launch
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Start:
    """Where a run starts: a profile's facts with every indicator filled in. Plain data, so it
    travels to worker processes unchanged."""

    name: str | None
    exists: bool
    age: float
    previous_pmo_closed: bool
    indicators: tuple[tuple[str, float], ...]
    imputed: tuple[str, ...]
    trends: tuple[tuple[str, str], ...]
    signs: tuple[str, ...]
    services: tuple[tuple[str, int], ...] = ()                   # (service, maturity level)
    customers: tuple[tuple[float, tuple[int, ...]], ...] = ()    # (maturity, ranked outcomes)

    @classmethod
    def from_profile(cls, profile: Profile) -> "Start":
        """Indicators the profile leaves out get the mean of those it gives (rounded to 0.05),
        or the midpoint 3 when it gives none: the model needs all twelve (docs/model.md)."""
        given = dict(profile.indicators)
        fill = round(sum(given.values()) / len(given) * 20) / 20 if given else DEFAULT_INDICATOR
        return cls(
            name=profile.name,
            exists=profile.pmo.exists,
            age=float(profile.pmo.age_months or 0.0) if profile.pmo.exists else 0.0,
            previous_pmo_closed=profile.pmo.previous_pmo_closed,
            indicators=tuple((i, float(given.get(i, fill))) for i in indicator_ids()),
            imputed=tuple(i for i in indicator_ids() if i not in given),
            trends=tuple(profile.trends.items()),
            signs=tuple(profile.signs),
            services=tuple(sorted(services_of(profile).items())),
            customers=tuple((c.maturity, c.outcomes) for c in customers_of(profile)),
        )

    def profile(self) -> Profile:
        """The month-0 assessment: the filled-in indicators with the input trends and signs."""
        return Profile(
            name=self.name,
            pmo=PmoFacts(exists=self.exists, age_months=self.age if self.exists else None,
                         previous_pmo_closed=self.previous_pmo_closed),
            indicators=MappingProxyType(dict(self.indicators)),
            trends=MappingProxyType(dict(self.trends)),
            signs=self.signs)

    def to_dict(self) -> dict[str, Any]:
        """A record, not an answer: the answers carry it whole as ``profile`` (free-form)."""
        return {"name": self.name, "exists": self.exists, "age_months": self.age,
                "previous_pmo_closed": self.previous_pmo_closed,
                "indicators": dict(self.indicators), "imputed": list(self.imputed),
                "trends": dict(self.trends), "signs": list(self.signs),
                "services": dict(self.services),
                "customers": [{"maturity": m, "outcomes": list(o)} for m, o in self.customers]}


class PmoState:
    """Everything that changes in one replication. Processes read and write it in turn."""

    def __init__(self, start: Start, strategy: Strategy, params: Parameters, months: int,
                 shock_u: Sequence[Sequence[float]], noise: Sequence[Sequence[float]],
                 decide: Sequence[Sequence[float]], trace: bool) -> None:
        dynamics = load_dynamics()
        self.params = params
        self.months = months                  # the run's length: its processes end with it
        self.env: Any = None                  # the SimPy environment, set by the model
        self.exists = start.exists
        self.age = start.age
        self.mandate_age = start.age          # months since launch or the last restructuring
        self.record_age = start.age           # months the current sponsor has seen it deliver
        self.closed_before = start.previous_pmo_closed
        self.months_without_pmo = 0
        self.x: dict[str, float] = dict(start.indicators)
        self.review_x = dict(self.x)          # indicators at the last review (for trends)
        self.input_trends = dict(start.trends)
        self.strategy = strategy
        self.relaunch_strategy = strategy
        self.scenario = ""
        self.signs: dict[str, int] = {}       # sign -> last month it is visible
        self.shock_u, self.noise, self.decide = shock_u, noise, decide
        self.events: list[Event] | None = [] if trace else None
        self.diagnoses: list[tuple[int, Any]] = []
        # how this PMO carries out its strategy: effort per step x this (model.py draws it)
        self.execution = [1.0] * len(step_ids())
        self.leadership: Any = None           # the leader's trait and tilt (leadership.py)
        # services and customers (simulation/portfolio.py)
        self.has_services = bool(start.services)
        self.levels = portfolio.initial_levels(start.services, strategy, params.new_service_level)
        self.customers = start.customers
        self.mix: Any = None                  # portfolio's per-strategy figures (portfolio._mix)
        self.visits: Any = None               # the services grow visits (portfolio.grow)
        self._approach_fit: tuple[Any, float, float] = (None, 0.0, 0.0)   # see approach_fit
        self.start_pm_maturity = self.x["pm_maturity"]
        # flywheel
        x = self.x
        self.health = ([sum(norm(x[i]) for i in proxies) / len(proxies)
                        for proxies in dynamics.initial_health]
                       if self.exists else [0.0] * len(step_ids()))
        wheel = min(self.health)
        self.momentum = 0.8 * wheel if self.exists else 0.0
        self.turn = 0.0
        self.cycles = start.age / params.cycle_months * wheel if self.exists else 0.0
        self.completed_cycles = 0
        self.recognized = norm(x["stakeholder_support"]) / params.cycle_months if self.exists \
            else 0.0                          # value units per month, smoothed
        self.measured = self.recognized       # value Value Delivery measures, smoothed
        self.pipeline = [0.0] * (months + max(params.perception_delay.values()) + 2)
        if self.exists:
            self._prefill_pipeline(start.age)
        # counters
        self.leader_changes: list[int] = []
        self.major_changes: list[int] = []
        self.new_sponsors: list[int] = []     # months a new sponsor took over
        self.restructures = 0
        self.shutdowns: list[int] = []
        self.launches = 0

    # -- derived quantities --------------------------------------------------------------------
    @property
    def month(self) -> int:
        """The month now (month m's work happens at times m + phase, 0 <= phase < 1)."""
        return int(self.env.now) if self.env is not None else 0

    def capacity(self) -> float:
        """Effort units per month: resources x morale factor."""
        p = self.params
        morale = p.morale_floor + (1.0 - p.morale_floor) * norm(self.x["team_morale"])
        return p.capacity_per_resource * self.x["resources"] * morale

    def value_index(self) -> float:
        """Recognized value per month against a fully healthy wheel without momentum (0-1)."""
        v = self.recognized * self.params.cycle_months
        return 1.0 if v > 1.0 else v

    def measured_index(self) -> float:
        """Value the Value Delivery step measures and reports (0-1), distinct from recognized."""
        v = self.measured * self.params.cycle_months
        return 1.0 if v > 1.0 else v

    def approach_fit(self) -> float:
        """How well the approach suits the customers: each customer's maturity when the profile
        names customers, else the organization's PM maturity; the misfit counts 1 / tolerance
        (organizations differ in how much a mismatched approach costs).

        Remembered for the last (strategy, PM maturity) it was worked out for: the wheel and
        the organization ask for it in the same month, with nothing in between that moves it."""
        strategy, maturity = self.strategy, self.x["pm_maturity"]
        memo = self._approach_fit
        if memo[0] is strategy and memo[1] == maturity:
            return memo[2]
        if self.customers:
            fit = portfolio.customer_approach_fit(self)
        else:
            fit = self.strategy.approach_for(round(self.x["pm_maturity"], 1))[1]
        fit = 1.0 - (1.0 - fit) / self.params.approach_tolerance
        fit = fit if fit > 0.0 else 0.0
        self._approach_fit = (strategy, maturity, fit)
        return fit

    def fit(self) -> float:
        """Share of delivered value that meets real needs: the approach's fit to the customers'
        maturity, times how well the PMO's work is aligned with strategy (Guide p.84), times
        how much of what customers ranked the services serve and how mature they are."""
        floor = self.params.alignment_floor
        return (self.approach_fit() * (floor + (1.0 - floor) * norm(self.x["strategic_alignment"]))
                * portfolio.relevance(self) * portfolio.quality(self))

    def wheel(self) -> float:
        """The flywheel's health: its weakest step (weakest-link rule)."""
        return min(self.health)

    # -- changes -------------------------------------------------------------------------------
    def shift(self, indicator: str, delta: float) -> None:
        self.x[indicator] = clip(self.x[indicator] + delta)

    def pull(self, indicator: str, toward: float, share: float) -> None:
        self.shift(indicator, share * (toward - self.x[indicator]))

    def show_sign(self, sign: str, months: int) -> None:
        self.signs[sign] = max(self.signs.get(sign, -1), self.month + months - 1)

    def new_leader(self) -> None:
        recent = [m for m in self.leader_changes if self.month - m < 12]
        self.leader_changes.append(self.month)
        if recent:
            self.show_sign("frequent_pmo_leader_changes", 12)

    def major_change(self) -> None:
        self.major_changes.append(self.month)

    def log(self, kind: str, name: str, text: str) -> None:
        if self.events is not None:
            self.events.append(Event(self.month, kind, name, text))

    def _prefill_pipeline(self, age: float) -> None:
        """Value already on its way at month 0: as if the PMO had delivered at its current pace
        for as long as it has existed."""
        p = self.params
        delivered = self.wheel() * (1 + p.momentum_speedup * self.momentum) / p.cycle_months \
            * self.fit()
        for horizon, share in zip(HORIZONS, self.strategy.horizon_mix):
            delay = p.perception_delay[horizon]
            for ahead in range(1, delay + 1):
                if delay - ahead < age:       # delivered at month ahead - delay, after launch
                    self.pipeline[ahead] += delivered * share

    # -- what an assessor sees -----------------------------------------------------------------
    def trends(self) -> dict[str, str]:
        threshold = self.params.trend_threshold
        low = -threshold
        x, before = self.x, self.review_x
        out = {}
        for i in indicator_ids():
            change = x[i] - before[i]
            out[i] = "rising" if change >= threshold else "falling" if change <= low \
                else "steady"
        return out

    def visible_signs(self) -> tuple[str, ...]:
        if not self.signs:
            return ()
        month = self.month
        return tuple(sorted(s for s, until in self.signs.items() if until >= month))

    def observed_profile(self) -> Profile:
        """The profile an executive review diagnoses (:meth:`observation` as a profile)."""
        return self.observation().profile()

    def observation(self) -> Observation:
        """What an executive review diagnoses: indicators to two decimals, trends since the
        last review, the signs visible now (``rules.diagnosis.diagnose_ranking`` reads it as
        its profile, without building one).

        Each indicator is rounded by :func:`advisor.numbers.round_to`'s steps written out (a
        dozen per review; an indicator is a float from 1 to 5, anything else goes to
        ``round_to``): the same floats."""
        x = self.x
        indicators = {}
        for i in indicator_ids():
            v = x[i]
            scaled = v * 100.0
            whole = round(scaled)
            indicators[i] = whole / 100.0 \
                if -ROUND_TIE < scaled - whole < ROUND_TIE and type(v) is float and 0.0 < v < 6.0 \
                else round_to(v, 2)
        return Observation(self.exists, float(round(self.age)) if self.exists else None,
                           self.closed_before, indicators, self.trends(), self.visible_signs())
