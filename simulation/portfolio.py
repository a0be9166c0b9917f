"""The PMO's own services and customers in a run: service maturity is state, customers judge.

A profile's ``services`` section says which services the PMO runs and at which maturity level
(Guide Appendix X3, p.275-293); its ``customers`` say how mature each customer group is and which
outcomes it ranks first (Guide p.62, 155). In a run:

- **service levels move**: each month a service in the strategy's mix closes a share of the gap
  to its target level, at the pace of the Operation and Improvement steps' health (the guide's
  service life cycle: services are run, measured and improved, p.191-220); a service dropped from
  the mix, or one run by an idle Operation step, decays towards level 1;
- **quality**: value delivered is multiplied by ``1 + SERVICE_LEVEL_GAIN x (mean level - 3) / 2``
  (share-weighted; level 3 "defined" is the model's reference);
- **relevance**: value fits needs when the services serve what customers ranked: per customer, the
  rank-weighted (1/rank) share of its ranked outcomes that some running service produces
  (Appendix X2), averaged over customers and floored at ``COVERAGE_FLOOR``;
- **approach fit** uses each customer's maturity (moving with the organization's PM maturity
  since the start), not the organization's average.

A profile without these sections runs as before: every service at the reference level, full
relevance, approach fit on the organization's PM maturity.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from advisor.catalog import load_catalog
from advisor.numbers import ROUND_TIE, round_to

if TYPE_CHECKING:
    from simulation.state import PmoState
    from simulation.strategies import Strategy

__all__ = ["initial_levels", "grow", "quality", "relevance", "customer_approach_fit",
           "prune", "extend", "REFERENCE_LEVEL", "PRUNE_HEALTH", "PRUNE_LEVEL"]

REFERENCE_LEVEL = 3.0     # a service at this level delivers the model's reference value
PRUNE_HEALTH = 0.6        # Improvement health from which a review retires services nobody needs
PRUNE_LEVEL = 2.0         # ... that are still below this maturity level
#: the steps whose need grows with the portfolio (the same list as ``state.SERVICE_STEPS``)
_SERVICE_STEPS = ("service_development", "service_onboarding", "service_operation",
                  "service_monitoring", "service_improvement")


def initial_levels(services: tuple[tuple[str, int], ...], strategy: "Strategy",
                   new_level: float) -> dict[str, float]:
    """Month-0 levels: the profile's services; the strategy's other services start new (at
    ``new_level``); without a services section every service starts at the reference level."""
    if not services:
        return {s: REFERENCE_LEVEL for s in load_catalog().ids("services")}
    levels = {s: new_level for s in load_catalog().ids("services")}
    levels.update({s: float(level) for s, level in services})
    return levels


Mix = tuple["Strategy", dict[str, int], frozenset[str], float, dict[float, float],
            frozenset[str], tuple[bool, str | None]]


def _mix(state: "PmoState") -> Mix:
    """(strategy, its target levels, the services it runs, its coverage of the customers'
    ranked outcomes, its approach's fit by customer maturity as it is filled in, the services
    of its that produce an outcome some customer ranked (:func:`prune` keeps them), and what
    :func:`extend` would add (:func:`_best_addition`)), worked out once per strategy a run
    follows rather than every month or every review."""
    strategy = state.strategy
    mix = state.mix
    if mix is None or mix[0] is not strategy:
        # shared by the replications that follow this strategy with these customers (all read
        # it, and the fits it fills in depend only on the strategy and the maturity)
        key = (id(strategy), state.customers)
        mix = _MIXES.get(key)
        if mix is None or mix[0] is not strategy:
            running = frozenset(s for s, share in strategy.services if share > 0)
            customers = state.customers
            coverage = _coverage(strategy.services, customers) if customers else 1.0
            ranked = _ranked(customers)
            serving = frozenset(s for s, _ in strategy.services
                                if not _outcome_numbers(s).isdisjoint(ranked))
            addition = _best_addition(tuple(dict(strategy.services)), customers) \
                if customers else (False, None)
            mix = (strategy, dict(strategy.targets), running, coverage, {}, serving, addition)
            if len(_MIXES) >= 4096:
                _MIXES.clear()
            _MIXES[key] = mix
        state.mix = mix
    return mix


_MIXES: dict[tuple[int, tuple[tuple[float, tuple[int, ...]], ...]], Mix] = {}


def grow(state: "PmoState") -> None:
    """One month of service maturity: grow towards target in the mix, decay outside it."""
    p = state.params
    levels = state.levels
    if not state.has_services:
        return
    mix = _mix(state)
    visits = state.visits
    if visits is None or visits[0] is not mix:
        # each service moves on its own, so only these are visited, in any order: the mix's
        # running services (with their target, None for the default) and the others above 1
        # when the mix took over (they only decay)
        running, targets = mix[2], mix[1]
        visits = state.visits = (
            mix, [(s, targets.get(s)) for s in levels if s in running],
            [s for s in levels if s not in running and levels[s] > 1.0])
    health = state.health
    pace = 0.5 * (health[5] + health[7])            # Service Operation and Improvement
    idle = 1.0 - health[5]
    # products formed as the expressions below form them (left to right): the same floats
    gain = p.service_growth * pace
    decay = p.service_decay
    idle_decay = decay * idle
    default = p.default_service_target
    for service, target in visits[1]:
        level = levels[service]
        if target is None:      # max(default, round(level)), without the call
            target = round(level)
            if target < default:
                target = default
        if level < target:
            level += gain * (target - level)
        else:
            level -= decay * (level - target)
        levels[service] = level - idle_decay * (level - 1.0)
    for service in visits[2]:
        level = levels[service]
        if level > 1.0:         # (a level at 1 stays: nothing to write)
            levels[service] = level - decay * (level - 1.0)


def quality(state: "PmoState") -> float:
    """Value multiplier of the running services' maturity (share-weighted)."""
    if not state.has_services:
        return 1.0
    levels = state.levels
    mean = sum([share * levels[s] for s, share in state.strategy.services])
    return 1.0 + state.params.service_level_gain * (mean - REFERENCE_LEVEL) / 2.0


@functools.lru_cache(maxsize=1024)
def _coverage(services: tuple[tuple[str, float], ...],
              customers: tuple[tuple[float, tuple[int, ...]], ...]) -> float:
    catalog = load_catalog()
    produced = {o.number for s, share in services if share > 0
                for o in catalog.outcomes_of_service(s)}
    shares = []
    for _, outcomes in customers:
        if not outcomes:
            continue
        weights = [1.0 / rank for rank in range(1, len(outcomes) + 1)]
        served = sum(w for w, o in zip(weights, outcomes) if o in produced)
        shares.append(served / sum(weights))
    return sum(shares) / len(shares) if shares else 1.0


@functools.cache
def _outcome_numbers(service: str) -> frozenset[int]:
    """The outcomes a service produces (Appendix X2), by number: asked at every review."""
    return frozenset(_outcome_list(service))


@functools.cache
def _outcome_list(service: str) -> tuple[int, ...]:
    """The same numbers in the catalog's order (sums over them keep their order)."""
    return tuple(o.number for o in load_catalog().outcomes_of_service(service))


@functools.lru_cache(maxsize=1024)
def _best_addition(services: tuple[str, ...],
                   customers: tuple[tuple[float, tuple[int, ...]], ...]) -> tuple[bool, str | None]:
    """(whether some ranked outcome is unserved, the catalog service that serves most of them or
    None): what :func:`extend` weighs, which depends only on the running services and the
    customers, so it is worked out once per portfolio rather than at every review."""
    produced: set[int] = set()
    for s in services:
        produced.update(_outcome_list(s))
    unserved: dict[int, float] = {}
    for _, outcomes in customers:
        for rank, outcome in enumerate(outcomes, start=1):
            if outcome not in produced:
                unserved[outcome] = unserved.get(outcome, 0.0) + 1.0 / rank
    if not unserved:
        return False, None
    gains = [(sum(unserved.get(o, 0.0) for o in _outcome_list(s)), s)
             for s in load_catalog().ids("services") if s not in services]
    best = max((g for g in gains if g[0] > 0), key=lambda g: g[0], default=None)
    return True, None if best is None else best[1]


def relevance(state: "PmoState") -> float:
    """Share of value that serves what customers ranked (1 without customers)."""
    if not state.customers:
        return 1.0
    floor = state.params.coverage_floor
    return floor + (1.0 - floor) * _mix(state)[3]


def customer_approach_fit(state: "PmoState") -> float:
    """Mean over customers of the fit of the approach used for each, at its maturity now.

    Asked every month (the organization's PM maturity moves), so each level is rounded to one
    decimal by :func:`advisor.numbers.round_to`'s own steps written out (a float from 1 to 5:
    scaled, rounded, and Python's ``round`` only near a tie), without a call per customer."""
    drift = state.x["pm_maturity"] - state.start_pm_maturity
    fit_at = _mix(state)[4]           # this strategy's fit per maturity (0.1 steps), as met
    fits = []
    for maturity, _ in state.customers:
        level = maturity + drift
        level = 1.0 if level < 1.0 else 5.0 if level > 5.0 else level
        scaled = level * 10.0
        whole = round(scaled)
        level = whole / 10.0 if -ROUND_TIE < scaled - whole < ROUND_TIE and type(level) is float \
            else round_to(level, 1)
        fit = fit_at.get(level)
        if fit is None:
            fit = fit_at[level] = state.strategy.approach_for(level)[1]
        fits.append(fit)
    return sum(fits) / len(fits)


@functools.lru_cache(maxsize=1024)
def _ranked(customers: tuple[tuple[float, tuple[int, ...]], ...]) -> frozenset[int]:
    """Every outcome some customer ranked (asked at every review)."""
    return frozenset(o for _, outcomes in customers for o in outcomes)


def prune(state: "PmoState") -> None:
    """Service Improvement changes the portfolio (Guide p.69, 211-220): at a review, a healthy
    Improvement step retires the services that serve none of the customers' ranked outcomes and
    are still immature; their share of service work goes to the others. Needs customers."""
    if not state.customers or state.health[7] < PRUNE_HEALTH:
        return
    serving = _mix(state)[5]
    levels = state.levels
    services = state.strategy.services
    keep = [(s, share) for s, share in services if levels[s] >= PRUNE_LEVEL or s in serving]
    if not keep or len(keep) == len(services):
        return
    total = sum(share for _, share in keep)
    kept = tuple((s, share / total) for s, share in keep)
    dropped = sorted(s for s, _ in services if s not in dict(kept))
    state.strategy = _with_services(state.strategy, kept)
    state.log("portfolio", "services_retired", "Service improvement retires services no "
              "customer ranks: " + ", ".join(s.replace("_", " ") for s in dropped) + ".")


#: Strategies whose portfolio a review changed, by (the strategy's id(), the new services):
#: replications of one experiment make the same changes, and share the result (equal values).
_RESHAPED: dict[tuple[int, tuple[tuple[str, float], ...]], tuple["Strategy", "Strategy"]] = {}


def _with_services(strategy: "Strategy", services: tuple[tuple[str, float], ...]) -> "Strategy":
    """The strategy with these services (and the horizon mix they make)."""
    key = (id(strategy), services)
    known = _RESHAPED.get(key)
    if known is not None and known[0] is strategy:
        return known[1]
    from dataclasses import replace

    from simulation.strategies import horizon_mix
    reshaped = replace(strategy, services=services, horizon_mix=horizon_mix(dict(services)))
    if len(_RESHAPED) >= 4096:
        _RESHAPED.clear()
    _RESHAPED[key] = (strategy, reshaped)
    return reshaped


def _room(state: "PmoState", services: int) -> float:
    """The smallest effort-to-need ratio of the service steps if the PMO ran ``services``
    services (1 or more: every service step could carry that portfolio in full health)."""
    p = state.params
    need = _step_need()
    capacity = state.capacity()
    learning = (1.0 + state.cycles) ** -p.learning_exponent
    size = (services / p.reference_portfolio) ** p.portfolio_exponent
    effort, execution = state.strategy.effort, state.execution
    return min(capacity * effort[i] * execution[i] / (need[i] * learning * size)
               for i in _service_step_indexes())


@functools.cache
def _service_step_indexes() -> tuple[int, ...]:
    return tuple(i for i, step in enumerate(load_catalog().ids("flywheel"))
                 if step in _SERVICE_STEPS)


@functools.cache
def _step_need() -> tuple[float, ...]:
    from simulation.dynamics import load_dynamics
    return tuple(load_dynamics().step_need)


def extend(state: "PmoState") -> None:
    """Service Improvement also adds to the portfolio (Guide p.153-168, 211-220): at a review, a
    healthy Improvement step adds the catalog service that serves most of the customers'
    ranked outcomes no running service produces (1/rank weights; ties in catalog order), when
    the PMO's capacity lets every service step carry the larger portfolio. It gets an equal
    share of service work and starts at its current level. Needs customers."""
    if not state.customers or state.health[7] < PRUNE_HEALTH or not state.has_services:
        return
    unserved, added = _mix(state)[6]
    if not unserved or added is None:
        return
    services = dict(state.strategy.services)
    if _room(state, len(services) + 1) < 1.0:
        return
    n = len(services)
    grown = tuple([(s, share * n / (n + 1)) for s, share in services.items()]
                  + [(added, 1.0 / (n + 1))])
    state.strategy = _with_services(state.strategy, grown)
    state.log("portfolio", "service_added", "Service improvement adds "
              + added.replace("_", " ") + " for outcomes customers ranked and no service "
              "produced.")
