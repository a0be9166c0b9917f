"""What the advice starts from: the assessment as the rules need it, and how much each service is
needed by the outcomes customers ranked.

The guide has customers rank outcomes, never services, and maps each outcome to the services
that produce it (Appendix X2, p.253-273). A service's demand adds up, over every customer and
every ranked outcome it produces, a weight that falls with the outcome's rank.

Appendix X2 names up to nine services per outcome, so "every service of every top outcome" would
launch a dozen services at once. The *cover* is the short list that matters now: the services the
PMO already runs that produce a top outcome, plus, one at a time, the service that produces the
most still-unproduced top outcomes, until every top outcome has a producer (our assumption A20).

A service serves a customer only at the levels Table 7-1 (p.73) ties to the customer's group
(``levels_served`` in ``advice_demand.yaml``): operational services serve projects and their
managers, not executives; an executive's outcome counts for its strategic producers only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from advisor.assessment import Profile
from advisor.catalog import Service, load_catalog
from advisor.sections import (
    Customer,
    Organization,
    customers_of,
    flywheel_of,
    has_section,
    organization_of,
    services_of,
    team_of,
)
from rules.diagnosis import Diagnosis

__all__ = ["Assessment", "Demand", "ServedRank", "service_demand", "top_outcome_cover",
           "producers_for"]

#: Per customer group, the service levels that serve it (absent: every level).
LevelsServed = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Assessment:
    """The profile, its diagnosis and its advice sections, read once."""

    profile: Profile
    diagnosis: Diagnosis
    customers: tuple[Customer, ...]
    offered: Mapping[str, int]
    team: Mapping[str, float]
    services_assessed: bool
    team_assessed: bool
    organization: Organization = Organization()
    flywheel: Mapping[str, str] = field(default_factory=dict)  # self-checked step -> band

    @classmethod
    def read(cls, profile: Profile, diagnosis: Diagnosis) -> "Assessment":
        return cls(profile=profile, diagnosis=diagnosis, customers=customers_of(profile),
                   offered=services_of(profile), team=team_of(profile),
                   services_assessed=has_section(profile, "services"),
                   team_assessed=has_section(profile, "team"),
                   organization=organization_of(profile), flywheel=flywheel_of(profile))

    @property
    def scenario(self) -> str:
        return self.diagnosis.scenario


@dataclass(frozen=True, slots=True)
class ServedRank:
    customer: str
    outcome: int
    rank: int


@dataclass(frozen=True)
class Demand:
    """How the customers' ranked outcomes call for one service."""

    service: Service
    score: float
    serves: tuple[ServedRank, ...]
    customers: tuple[Customer, ...]
    top_customers: int
    covers_top_outcome: bool

    @property
    def best_rank(self) -> int | None:
        return min((s.rank for s in self.serves), default=None)


def producers_for(customer: Customer, number: int, levels_served: LevelsServed) -> list[str]:
    """The services producing an outcome (Appendix X2) at a level that serves this customer."""
    catalog = load_catalog()
    levels = levels_served.get(customer.group)
    return [sid for sid in catalog.outcome(number).services
            if levels is None or catalog.service(sid).level in levels]


def service_demand(customers: tuple[Customer, ...], offered: Mapping[str, int],
                   rank_decay: float, top_rank: int,
                   levels_served: LevelsServed | None = None) -> dict[str, Demand]:
    """Every service's demand, in catalog order (a service nobody needs scores 0)."""
    catalog = load_catalog()
    levels_served = levels_served or {}
    serves: dict[str, list[ServedRank]] = {s.id: [] for s in catalog.services}
    for customer in customers:
        for rank, number in enumerate(customer.outcomes, start=1):
            for service_id in producers_for(customer, number, levels_served):
                serves[service_id].append(ServedRank(customer.id, number, rank))
    scores = {sid: round(sum(rank_decay ** (s.rank - 1) for s in ranks), 3)
              for sid, ranks in serves.items()}
    cover = top_outcome_cover(customers, offered, scores, rank_decay, top_rank, levels_served)
    by_id = {c.id: c for c in customers}
    demand = {}
    for service in catalog.services:
        ranks = serves[service.id]
        served_ids = list(dict.fromkeys(s.customer for s in ranks))
        demand[service.id] = Demand(
            service=service,
            score=scores[service.id],
            serves=tuple(sorted(ranks, key=lambda s: (s.rank, served_ids.index(s.customer)))),
            customers=tuple(by_id[c] for c in served_ids),
            top_customers=len({s.customer for s in ranks if s.rank <= top_rank}),
            covers_top_outcome=service.id in cover,
        )
    return demand


def top_outcome_cover(customers: tuple[Customer, ...], offered: Mapping[str, int],
                      scores: Mapping[str, float], rank_decay: float, top_rank: int,
                      levels_served: LevelsServed | None = None) -> set[str]:
    """The services that together produce every customer's top outcomes: those already run
    first, then greedily the one producing the most weight of still-unproduced top outcomes
    (ties: the higher demand score, then the lower service number)."""
    catalog = load_catalog()
    # One item per outcome and set of producers that may serve it (executives' items have fewer).
    weight: dict[tuple[int, frozenset[str]], float] = {}
    for customer in customers:
        for rank, number in enumerate(customer.outcomes[:top_rank], start=1):
            eligible = frozenset(producers_for(customer, number, levels_served or {}))
            if eligible:
                key = (number, eligible)
                weight[key] = weight.get(key, 0.0) + rank_decay ** (rank - 1)
    producers = {key: set(key[1]) for key in weight}
    cover = {sid for services in producers.values() for sid in services if sid in offered}
    open_outcomes = {n for n, services in producers.items() if not services & cover}
    while open_outcomes:
        def gain(sid: str, open_now: set[tuple[int, frozenset[str]]] = open_outcomes) -> float:
            return sum(weight[n] for n in open_now if sid in producers[n])
        candidates = {sid for n in open_outcomes for sid in producers[n]}
        best = max(candidates,
                   key=lambda sid: (gain(sid), scores[sid], -catalog.service(sid).number))
        cover.add(best)
        open_outcomes = {n for n in open_outcomes if best not in producers[n]}
    return cover
