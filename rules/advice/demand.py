"""What the advice starts from: the assessment as the rules need it, and how much each service is
needed by the outcomes customers ranked.

The guide has customers rank outcomes, never services, and maps each outcome to the services
that produce it (Appendix X2, p.253-273). A service's demand adds up, over every customer and
every ranked outcome it produces, a weight that falls with the outcome's rank.

Appendix X2 names up to nine services per outcome, so "every service of every top outcome" would
launch a dozen services at once. The *cover* is the short list that matters now: the services the
PMO already runs that produce a top outcome, plus, one at a time, the service that produces the
most still-unproduced top outcomes, until every top outcome has a producer (our assumption A20).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from advisor.assessment import Profile
from advisor.catalog import Service, load_catalog
from advisor.sections import Customer, customers_of, has_section, services_of, team_of
from rules.diagnosis import Diagnosis

__all__ = ["Assessment", "Demand", "ServedRank", "service_demand", "top_outcome_cover"]


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

    @classmethod
    def read(cls, profile: Profile, diagnosis: Diagnosis) -> "Assessment":
        return cls(profile=profile, diagnosis=diagnosis, customers=customers_of(profile),
                   offered=services_of(profile), team=team_of(profile),
                   services_assessed=has_section(profile, "services"),
                   team_assessed=has_section(profile, "team"))

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


def service_demand(customers: tuple[Customer, ...], offered: Mapping[str, int],
                   rank_decay: float, top_rank: int) -> dict[str, Demand]:
    """Every service's demand, in catalog order (a service nobody needs scores 0)."""
    catalog = load_catalog()
    serves: dict[str, list[ServedRank]] = {s.id: [] for s in catalog.services}
    for customer in customers:
        for rank, number in enumerate(customer.outcomes, start=1):
            for service_id in catalog.outcome(number).services:
                serves[service_id].append(ServedRank(customer.id, number, rank))
    scores = {sid: round(sum(rank_decay ** (s.rank - 1) for s in ranks), 3)
              for sid, ranks in serves.items()}
    cover = top_outcome_cover(customers, offered, scores, rank_decay, top_rank)
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
                      scores: Mapping[str, float], rank_decay: float, top_rank: int) -> set[str]:
    """The services that together produce every customer's top outcomes: those already run
    first, then greedily the one producing the most weight of still-unproduced top outcomes
    (ties: the higher demand score, then the lower service number)."""
    catalog = load_catalog()
    weight: dict[int, float] = {}
    for customer in customers:
        for rank, number in enumerate(customer.outcomes[:top_rank], start=1):
            weight[number] = weight.get(number, 0.0) + rank_decay ** (rank - 1)
    producers = {number: set(catalog.outcome(number).services) for number in weight}
    cover = {sid for services in producers.values() for sid in services if sid in offered}
    open_outcomes = {n for n, services in producers.items() if not services & cover}
    while open_outcomes:
        def gain(sid: str, open_now: set[int] = open_outcomes) -> float:
            return sum(weight[n] for n in open_now if sid in producers[n])
        candidates = {sid for n in open_outcomes for sid in producers[n]}
        best = max(candidates,
                   key=lambda sid: (gain(sid), scores[sid], -catalog.service(sid).number))
        cover.add(best)
        open_outcomes = {n for n in open_outcomes if best not in producers[n]}
    return cover
